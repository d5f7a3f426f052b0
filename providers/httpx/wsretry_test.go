package httpx

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"chorus/audio"
	"chorus/providers"
)

// mp3Audio is a plausible start of an MP3 stream.
var mp3Audio = append([]byte("\xff\xfb\x90\x00"), bytes.Repeat([]byte{0x11}, 200)...)

// flakySocket serves a WebSocket that fails the first `fail` sessions with
// failWith (a close code, or a text message the session turns into an
// error), then sends mp3Audio and closes normally.
type flakySocket struct {
	fail     int
	closeFor websocket.StatusCode // 0: send the message "error" instead
	sessions atomic.Int32
}

func (f *flakySocket) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(f.sessions.Add(1))
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	if _, _, err := conn.Read(r.Context()); err != nil {
		return
	}
	if f.fail < 0 || n <= f.fail {
		if f.closeFor != 0 {
			conn.Close(f.closeFor, "generation failed")
			return
		}
		conn.Write(r.Context(), websocket.MessageText, []byte("error"))
		conn.Close(websocket.StatusNormalClosure, "")
		return
	}
	conn.Write(r.Context(), websocket.MessageBinary, mp3Audio)
	conn.Close(websocket.StatusNormalClosure, "")
}

func retryClient(t *testing.T, url string, attempts int) *Client {
	t.Helper()
	policy := providers.NetworkPolicy{FirstByteTimeout: 2 * time.Second, MaxAttempts: attempts,
		MaxRetryTime: 5 * time.Second, RetryDelay: 5 * time.Millisecond}
	hc := NewHTTPClient(policy)
	t.Cleanup(hc.CloseIdleConnections)
	c, err := New(providers.Config{BaseURL: url, APIKey: "k-secret", HTTPClient: hc, Network: policy},
		Options{Info: providers.Info{ID: "x", Name: "X"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wsSession is a provider's session: it turns a text "error" message into
// the error mark returns, and a close into CloseError with meanings.
func wsSession(c *Client, mark func(*providers.Error) *providers.Error, meanings CloseMessages) WSSession {
	return func(ctx context.Context, conn *websocket.Conn) (func() ([]byte, error), error) {
		if err := conn.Write(ctx, websocket.MessageText, []byte(`{"text":"hi"}`)); err != nil {
			return nil, err
		}
		return func() ([]byte, error) {
			typ, data, err := conn.Read(ctx)
			if err != nil {
				if e := c.CloseError(err, meanings); e != nil {
					return nil, e
				}
				if websocket.CloseStatus(err) == websocket.StatusNormalClosure {
					return nil, io.EOF
				}
				return nil, err
			}
			if typ == websocket.MessageText && string(data) == "error" {
				return nil, mark(c.NewError(providers.KindServer, 0, "finish: error", "the service stopped with an error"))
			}
			return data, nil
		}, nil
	}
}

func keep(e *providers.Error) *providers.Error { return e }

func TestWebSocketRetriesBeforeAudio(t *testing.T) {
	cases := []struct {
		name     string
		fake     *flakySocket
		mark     func(*providers.Error) *providers.Error
		meanings CloseMessages
		sessions int // how many the client opens
		ok       bool
	}{
		{"Close1011", &flakySocket{fail: 2, closeFor: websocket.StatusInternalError}, keep, nil, 3, true},
		{"Close1012", &flakySocket{fail: 1, closeFor: websocket.StatusServiceRestart}, keep, nil, 2, true},
		{"Close1011Bounded", &flakySocket{fail: -1, closeFor: websocket.StatusInternalError}, keep, nil, 3, false},
		{"ProviderMeaningRetry", &flakySocket{fail: 1, closeFor: websocket.StatusInternalError}, keep,
			CloseMessages{websocket.StatusInternalError: {Kind: providers.KindServer, Message: "it failed", Retry: true}}, 2, true},
		{"ProviderMeaningFinal", &flakySocket{fail: 1, closeFor: websocket.StatusInternalError}, keep,
			CloseMessages{websocket.StatusInternalError: {Kind: providers.KindServer, Message: "it failed"}}, 1, false},
		{"Close1008Final", &flakySocket{fail: 1, closeFor: websocket.StatusPolicyViolation}, keep, nil, 1, false},
		{"MarkedMessage", &flakySocket{fail: 1}, Transient, nil, 2, true},
		{"UnmarkedMessage", &flakySocket{fail: 1}, keep, nil, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := tc.fake
			srv := httptest.NewServer(fake)
			defer srv.Close()
			c := retryClient(t, srv.URL, 3)
			resp, err := c.WebSocket(context.Background(), Request{Path: "/ws"}, audio.MP3, wsSession(c, tc.mark, tc.meanings))
			if got := int(fake.sessions.Load()); got != tc.sessions {
				t.Errorf("%d sessions, want %d (%v)", got, tc.sessions, err)
			}
			if !tc.ok {
				if err == nil {
					resp.Body.Close()
					t.Fatal("no error")
				}
				if strings.Contains(err.Error(), "k-secret") {
					t.Fatalf("key in %q", err)
				}
				if tc.sessions > 1 && !strings.Contains(err.Error(), "gave up after 3 attempts") {
					t.Errorf("error %q does not say how often it tried", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, err := io.ReadAll(resp.Body)
			if err != nil || !bytes.Equal(data, mp3Audio) {
				t.Fatalf("%d bytes, %v", len(data), err)
			}
			if resp.Requests != tc.sessions {
				t.Errorf("Requests = %d, want %d", resp.Requests, tc.sessions)
			}
		})
	}
}

// A decoder's error before any audio (an SSE "error" event) is retried
// when marked Transient, like a WebSocket session's.
func TestHTTPDecoderTransientRetried(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		if hits.Add(1) == 1 {
			io.WriteString(w, "event: error\ndata: {}\n\n")
			return
		}
		io.WriteString(w, "data: audio\n\n")
	}))
	defer srv.Close()
	c := retryClient(t, srv.URL, 3)
	decode := func(body io.Reader) io.Reader {
		events := NewSSEReader(body)
		return ChunkReader(func() ([]byte, error) {
			ev, err := events.Next()
			if err != nil {
				return nil, err
			}
			if ev.Name == "error" {
				return nil, Transient(c.NewError(providers.KindServer, 0, "", "generation failed"))
			}
			return mp3Audio, nil
		})
	}
	resp, err := c.Audio(context.Background(), Request{Path: "/tts", Body: map[string]string{}}, audio.MP3, decode)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hits.Load() != 2 || resp.Requests != 2 {
		t.Errorf("%d hits, Requests %d; want 2", hits.Load(), resp.Requests)
	}
}

// A socket closed normally before any audio says so in words, not "the
// response was empty".
func TestWebSocketClosedWithoutAudio(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		conn.Read(r.Context())
		conn.Close(websocket.StatusNormalClosure, "")
	}))
	defer srv.Close()
	c := retryClient(t, srv.URL, 3)
	_, err := c.WebSocket(context.Background(), Request{Path: "/ws"}, audio.MP3, wsSession(c, keep, nil))
	if providers.KindOf(err) != providers.KindNotAudio || !strings.Contains(err.Error(), "closed the WebSocket without sending any audio") {
		t.Fatalf("got %v", err)
	}
}
