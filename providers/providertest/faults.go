package providertest

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/providers"
	"chorus/providers/httpx"
)

// Fault classes of the HTTP suite beyond plain statuses: a server that
// hangs, one that echoes the key in its error, audio that turns to garbage
// after a valid start, and WebSocket sessions that fail before any audio.

var (
	fixtureMu   sync.Mutex
	fixtureEdit func(audio.Encoding, []byte) []byte
)

// editFixtures makes Fixture return edit's result until the returned
// function is called. Fakes serve Fixture, so this changes what they
// send whatever their framing. The suite's subtests run one at a time, so
// no other test sees the edited fixtures.
func editFixtures(edit func(audio.Encoding, []byte) []byte) (restore func()) {
	fixtureMu.Lock()
	fixtureEdit = edit
	fixtureMu.Unlock()
	return func() {
		fixtureMu.Lock()
		fixtureEdit = nil
		fixtureMu.Unlock()
	}
}

// Garbled keeps the first quarter of data (headers and the first frames)
// and replaces the rest with bytes that are not audio: what a broken
// encoder or a proxy mangling a stream sends.
func Garbled(data []byte) []byte {
	keep := len(data) / 4
	out := append([]byte(nil), data[:keep]...)
	x := uint32(2463534242)
	for range len(data) - keep {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		out = append(out, byte(x))
	}
	return out
}

// Hang accepts the request and then sends nothing: with headers true the
// status and headers go out first (for a WebSocket, the upgrade), and the
// body or the first message never does. It gives up after at most limit,
// or when the client leaves.
func Hang(headers bool, limit time.Duration) Scenario {
	return func(w http.ResponseWriter, r *http.Request, n int, fake Fake) {
		if !headers {
			sleep(r, limit)
			return
		}
		fake.ServeHTTP(&hangWriter{ResponseWriter: w, r: r, limit: limit}, r)
	}
}

// hangWriter lets the status and headers through and holds back the body.
type hangWriter struct {
	http.ResponseWriter
	r     *http.Request
	limit time.Duration
}

func (h *hangWriter) Write(p []byte) (int, error) {
	http.NewResponseController(h.ResponseWriter).Flush() // the headers
	sleep(h.r, h.limit)
	return 0, http.ErrAbortHandler
}

// Flush sends the headers only.
func (h *hangWriter) Flush() { http.NewResponseController(h.ResponseWriter).Flush() }

// Hijack lets a fake upgrade the connection (WebSocket); after the
// upgrade, nothing it writes goes out.
func (h *hangWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	return shaped(conn, brw, func(c *hijacked, p []byte) (int, error) {
		c.sleep(h.limit)
		c.Close()
		return 0, net.ErrClosed
	})
}

// SocketClose answers the first k WebSocket sessions (every one when
// k < 0) by accepting the upgrade, reading the client's first message and
// closing with code and reason before any audio; other requests go to the
// fake.
func SocketClose(k int, code websocket.StatusCode, reason string) Scenario {
	return func(w http.ResponseWriter, r *http.Request, n int, fake Fake) {
		if (k >= 0 && n > k) || !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			fake.ServeHTTP(w, r)
			return
		}
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if _, _, err := conn.Read(ctx); err != nil {
			return
		}
		conn.Close(code, reason)
	}
}

// knownDefects are fault checks a provider fails today, keyed by provider
// ID, transport and subtest path below the suite: each names the defect.
// Such a check still runs; while it fails it is skipped with that text (a
// skip, never a pass), and once it passes it fails until the entry is
// removed, so a fix cannot go unnoticed.
var knownDefects = map[string]string{}

// knownDefect handles a known defect of the provider: when t's check is
// one, it skips t if the check failed (passed is false) and fails t if it
// passed. For other checks it does nothing.
func (r *runner) knownDefect(t *testing.T, passed bool) {
	t.Helper()
	tr := providers.Normalize(r.request("", false), r.caps).Transport
	for key, defect := range knownDefects {
		if strings.HasPrefix(key, r.p.Info().ID+"/"+tr+"/") && strings.HasSuffix(t.Name(), "/"+strings.SplitN(key, "/", 3)[2]) {
			if passed {
				t.Fatalf("the known defect of %s over %s is fixed; remove its entry from knownDefects (%s)", r.p.Info().ID, tr, defect)
			}
			t.Skipf("known defect of %s over %s: %s", r.p.Info().ID, tr, defect)
		}
	}
}

// retriedOnce reports whether res is the fake's audio after exactly one
// retry.
func retriedOnce(res result) bool {
	return res.err == nil && res.audio.Requests == 2 && bytes.Equal(res.data, Fixture(res.audio.Encoding))
}

func (r *runner) hang(t *testing.T) {
	for _, headers := range []bool{false, true} {
		name := "NoAnswer"
		if headers {
			name = "HeadersOnly"
		}
		t.Run(name, func(t *testing.T) {
			r.s.Set(Hang(headers, 6*TestPolicy.FirstByteTimeout))
			start := time.Now()
			res := synth(context.Background(), r.p, r.request("", false))
			r.checkErr(t, res.err, providers.KindNetwork)
			want := "did not start sending audio within " + httpx.FormatDuration(TestPolicy.FirstByteTimeout)
			if !strings.Contains(res.err.Error(), want) {
				t.Errorf("error %q does not say %q", res.err, want)
			}
			if n := r.s.Requests(); n != TestPolicy.MaxAttempts {
				t.Errorf("%d requests, want %d", n, TestPolicy.MaxAttempts)
			}
			if d, limit := time.Since(start), TestPolicy.MaxRetryTime+TestPolicy.FirstByteTimeout; d > limit {
				t.Errorf("took %s, more than the %s bound", d, limit)
			}
		})
	}
}

func (r *runner) echoedKey(t *testing.T) {
	for _, status := range []int{400, 500} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			r.s.Set(Fail(status, "the request made with key "+r.h.Key+" was refused", ""))
			res := synth(context.Background(), r.p, r.request("", false))
			if res.err == nil {
				t.Fatal("got no error")
			}
			r.noKey(t, res.err)
			if !strings.Contains(res.err.Error(), "[redacted]") {
				t.Errorf("error %q does not show the service's message with the key redacted", res.err)
			}
		})
	}
}

func (r *runner) garbage(t *testing.T) {
	r.s.Set(nil)
	checkDecodes(t, synth(context.Background(), r.p, r.request(r.corruptible, false))) // the format decodes when whole
	restore := editFixtures(func(_ audio.Encoding, data []byte) []byte { return Garbled(data) })
	defer restore()
	r.s.Set(nil)
	res := synth(context.Background(), r.p, r.request(r.corruptible, false))
	if res.err != nil {
		r.noKey(t, res.err)
		return // refused: a failure, as it must be
	}
	n, err := codec.Verify(bytes.NewReader(res.data), res.audio.Encoding, res.audio.Format)
	if err == nil {
		t.Fatalf("format %s: %d bytes whose last three quarters are garbage were accepted as %d frames of %s audio", r.corruptible, len(res.data), n, res.audio.Encoding)
	}
	t.Logf("format %s: the garbage was noticed: %v", r.corruptible, err)
}

func (r *runner) socketError(t *testing.T) {
	reason := "generation failed for " + r.h.Key
	t.Run("RetriedThenOK", func(t *testing.T) {
		r.s.Set(SocketClose(1, websocket.StatusInternalError, reason))
		res := synth(context.Background(), r.p, r.request("", false))
		r.knownDefect(t, retriedOnce(res))
		checkAudio(t, res)
		if res.audio.Requests != 2 {
			t.Errorf("Audio.Requests = %d, want 2 (one failed session, one retry)", res.audio.Requests)
		}
	})
	t.Run("BusyThenOK", func(t *testing.T) {
		r.s.Set(SocketClose(1, websocket.StatusTryAgainLater, "try again later"))
		res := synth(context.Background(), r.p, r.request("", false))
		r.knownDefect(t, retriedOnce(res))
		checkAudio(t, res)
		if res.audio.Requests != 2 {
			t.Errorf("Audio.Requests = %d, want 2 (one busy session, one retry)", res.audio.Requests)
		}
	})
	t.Run("Bounded", func(t *testing.T) {
		r.s.Set(SocketClose(-1, websocket.StatusInternalError, reason))
		res := synth(context.Background(), r.p, r.request("", false))
		r.checkErr(t, res.err, providers.KindServer)
		if n := r.s.Requests(); n != TestPolicy.MaxAttempts {
			t.Errorf("%d sessions, want %d", n, TestPolicy.MaxAttempts)
		}
		if !strings.Contains(res.err.Error(), "[redacted]") {
			t.Errorf("error %q does not show the close reason with the key redacted", res.err)
		}
	})
}

// crossHost checks a redirect to another host name: the key must not go
// along, whether the redirect is followed or refused.
func (r *runner) crossHost(t *testing.T) {
	got := make(chan http.Header, 4)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		got <- q.Header.Clone()
		r.h.Fake.ServeHTTP(w, q)
	}))
	defer other.Close()
	target := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	r.s.Set(Redirect(target))
	res := synth(context.Background(), r.p, r.request("", false))
	close(got)
	seen := 0
	for h := range got {
		seen++
		for k, vs := range h {
			for _, v := range vs {
				if strings.Contains(v, r.h.Key) {
					t.Fatalf("the key was sent to the other host in header %s", k)
				}
			}
		}
	}
	if seen == 0 && res.err == nil {
		t.Fatal("the redirect was neither followed nor refused")
	}
	if res.err != nil {
		r.noKey(t, res.err)
	}
	r.s.Client.CloseIdleConnections()
}
