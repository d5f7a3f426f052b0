package providertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"chorus/audio"
	"chorus/providers"
)

// Harness tells the suite how to build the provider under test and how to
// reach its fake.
type Harness struct {
	// New builds the provider. The suite fills cfg with the fake's URL,
	// the key, an HTTP client and TestPolicy.
	New func(cfg providers.Config) (providers.Provider, error)
	// Fake serves the provider's API as its contract describes.
	Fake Fake
	// Key is the API key the fake accepts.
	Key string
	// BasePath is appended to the fake's address to form the base URL,
	// e.g. "/v1" when the provider's default base URL ends in /v1.
	BasePath string
	// Voice is used in every synthesis request; "" takes the first voice
	// Voices lists for the default model.
	Voice string
	// Request, if set, adjusts every synthesis request the suite sends.
	Request func(*providers.Request)
	// Spec is the provider's official OpenAPI document (LoadSpec). When
	// set, the server checks every request against it and the "Spec"
	// subtest sends every model, format, rate, language, speed end,
	// transport and option value the Capabilities offer; at least one
	// synthesis request must be checked, so validation cannot be skipped
	// silently. nil only for providers that publish no spec.
	Spec *Spec
	// OptionSamples gives the Spec subtest values for free-text options
	// (no choices, no range), keyed by option: the options to set, the
	// key's own value and any others it needs (a transcript with a
	// recording). Free-text options without a sample or a default are
	// left out.
	OptionSamples map[string]map[string]string
}

// Run runs the conformance suite of a remote provider: the contract every
// provider passes (Contract), then the HTTP behaviours, including the
// fault classes a real service shows (error statuses, rate limits, hangs,
// redirects, cut and corrupt streams, WebSocket failures before audio).
// Subtests run one after another; the whole run fails if it leaves a
// goroutine behind.
func Run(t *testing.T, h Harness) {
	if h.New == nil || h.Fake == nil || h.Key == "" {
		t.Fatal("providertest: Harness needs New, Fake and Key")
	}
	leaks := goleak.IgnoreCurrent()
	s := NewServer(t, h.Fake, h.BasePath)
	s.Spec = h.Spec
	r := &runner{h: h, s: s}
	r.p = r.build(t, s.Config(h.Key))
	r.caps = r.p.Capabilities()
	c := newContract(t, ContractHarness{
		Provider: r.p, Voice: h.Voice, Request: h.Request, Key: h.Key, TypedErrors: true,
		Reset: func() { s.Set(nil) }, Work: s.Requests, Slow: r.slowRequest,
		AfterStop: s.Client.CloseIdleConnections,
		// The fake's side of the connection may take a moment to notice a
		// stop; the client side must be gone entirely.
		LeakOptions: []goleak.Option{goleak.IgnoreAnyFunction("net/http.(*conn).serve")},
	})
	r.voice = c.voice
	r.probe(t)

	subtests := c.subtests()
	subtests = append(subtests, []subtest{
		{"Formats", r.formats}, {"Models", r.models},
		{"Listing", r.listing}, {"Status", r.status}, {"RateLimit", r.rateLimit},
		{"FirstByte", r.firstByte}, {"Hang", r.hang}, {"LongStream", r.longStream}, {"CutStream", r.cutStream},
		{"NotAudio", r.notAudio}, {"EchoedKey", r.echoedKey}, {"Close", r.closeMidStream},
		{"Redirect", r.redirect}, {"CrossHostRedirect", r.crossHost}, {"HTTPS", r.https},
	}...)
	if r.corruptible != "" {
		// Only formats whose decoder can tell garbage from audio: WAV and
		// headerless PCM take any bytes as samples.
		subtests = append(subtests, subtest{"Garbage", r.garbage})
	}
	if r.socket {
		subtests = append(subtests, subtest{"SocketError", r.socketError})
	}
	if h.Spec != nil {
		subtests = append(subtests, subtest{"Spec", r.spec})
	}
	for _, st := range subtests {
		t.Run(st.name, func(t *testing.T) {
			s.reportTo(t)
			st.fn(t)
		})
		s.reportTo(t)
	}

	s.Close()
	goleak.VerifyNone(t, leaks)
}

type runner struct {
	h     Harness
	s     *Server
	p     providers.Provider
	caps  providers.Capabilities
	voice string
	// socket says the requests go over a WebSocket.
	socket bool
	// corruptible is a format whose decoder notices garbage, "" if none.
	corruptible string
}

// probe learns how the provider talks: over a WebSocket or not, and which
// of its formats decodes to something that garbage can be told from.
func (r *runner) probe(t *testing.T) {
	t.Helper()
	ok := 0
	for _, f := range r.caps.Formats {
		r.s.Set(nil)
		res := synth(context.Background(), r.p, r.request(f, false))
		if res.err != nil {
			continue
		}
		ok++
		for _, q := range r.s.Seen() {
			if strings.EqualFold(q.Header.Get("Upgrade"), "websocket") {
				r.socket = true
			}
		}
		if r.corruptible == "" && decodable(res.audio.Encoding) {
			r.corruptible = f
		}
	}
	if ok == 0 {
		t.Fatalf("no format of %v could be synthesized", r.caps.Formats)
	}
	r.s.Set(nil)
}

func (r *runner) build(t *testing.T, cfg providers.Config) providers.Provider {
	t.Helper()
	p, err := r.h.New(cfg)
	if err != nil {
		t.Fatalf("building the provider: %v", err)
	}
	return p
}

func (r *runner) request(format string, batch bool) providers.Request {
	req := providers.Request{Text: "Hello from the Chorus conformance suite.", Voice: r.voice, Format: format, Batch: batch}
	if r.h.Request != nil {
		r.h.Request(&req)
	}
	return req
}

// result is what one synthesis returned.
type result struct {
	audio *providers.Audio
	data  []byte
	err   error // from Synthesize or from reading
}

func synth(ctx context.Context, p providers.Provider, req providers.Request) result {
	a, err := providers.Checked(p).Synthesize(ctx, req)
	if err != nil {
		return result{err: err}
	}
	defer a.Body.Close()
	done := make(chan struct{})
	if a.Words != nil {
		go func() {
			defer close(done)
			for range a.Words {
			}
		}()
	} else {
		close(done)
	}
	data, err := io.ReadAll(a.Body)
	a.Body.Close()
	<-done
	return result{audio: a, data: data, err: err}
}

// checkErr fails unless err is a *providers.Error of kind want that does
// not leak the key anywhere in its text.
func (r *runner) checkErr(t *testing.T, err error, want providers.Kind) *providers.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", want)
	}
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %q is not a *providers.Error", err, err)
	}
	if got := providers.KindOf(err); got != want {
		t.Fatalf("kind = %s, want %s: %v", got, want, err)
	}
	r.noKey(t, err)
	return pe
}

func (r *runner) noKey(t *testing.T, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
			if strings.Contains(s, r.h.Key) {
				t.Fatalf("the API key appears in the error: %s", s)
			}
		}
	}
}

// checkAudio fails unless res is a complete, valid audio answer.
func checkAudio(t *testing.T, res result) {
	t.Helper()
	if res.err != nil {
		t.Fatalf("synthesis failed: %v", res.err)
	}
	a := res.audio
	if a.Encoding == "" {
		t.Fatal("Audio.Encoding is empty")
	}
	switch a.Encoding {
	case audio.PCM, audio.MuLaw, audio.ALaw:
		if !a.Format.Valid() {
			t.Fatalf("headerless %s audio needs Audio.Format, got %+v", a.Encoding, a.Format)
		}
	}
	if want := Fixture(a.Encoding); !bytes.Equal(res.data, want) {
		t.Fatalf("got %d bytes of %s that differ from the %d the fake served (first bytes % x)",
			len(res.data), a.Encoding, len(want), res.data[:min(len(res.data), 16)])
	}
	if a.Requests < 1 {
		t.Fatalf("Audio.Requests = %d, want at least 1", a.Requests)
	}
}

func (r *runner) formats(t *testing.T) {
	for _, f := range r.caps.Formats {
		for _, batch := range []bool{true, false} {
			name := f + "/stream"
			if batch {
				name = f + "/batch"
			}
			t.Run(name, func(t *testing.T) {
				r.s.Set(nil)
				checkAudio(t, synth(context.Background(), r.p, r.request(f, batch)))
			})
		}
	}
}

func (r *runner) models(t *testing.T) {
	for _, m := range r.caps.Models {
		t.Run(m.ID, func(t *testing.T) {
			r.s.Set(nil)
			req := r.request("", false)
			req.Model = m.ID
			if vs, err := r.p.Voices(context.Background(), m.ID); err == nil && len(vs) > 0 && r.h.Voice == "" {
				req.Voice = vs[0].ID
			}
			checkAudio(t, synth(context.Background(), r.p, req))
		})
	}
}

func (r *runner) listing(t *testing.T) {
	// Capabilities a provider lacks get no subtest (rather than a skip).
	if ml, ok := r.p.(providers.ModelLister); ok {
		t.Run("Models", func(t *testing.T) {
			r.s.Set(nil)
			ms, err := ml.Models(context.Background())
			if err != nil || len(ms) == 0 {
				t.Fatalf("Models: %v (%d models)", err, len(ms))
			}
		})
	}
	kc, ok := r.p.(providers.KeyChecker)
	if !ok {
		return
	}
	t.Run("CheckKey", func(t *testing.T) {
		r.s.Set(nil)
		if err := kc.CheckKey(context.Background()); err != nil {
			t.Fatalf("CheckKey with the right key: %v", err)
		}
		bad := r.build(t, r.s.Config(r.h.Key+"-wrong"))
		err := bad.(providers.KeyChecker).CheckKey(context.Background())
		r.checkErr(t, err, providers.KindAuth)
	})
}

func (r *runner) status(t *testing.T) {
	t.Run("401", func(t *testing.T) {
		r.s.Set(nil)
		bad := r.build(t, r.s.Config(r.h.Key+"-wrong"))
		res := synth(context.Background(), bad, r.request("", false))
		pe := r.checkErr(t, res.err, providers.KindAuth)
		if info := r.p.Info(); !info.KeyOptional && !strings.Contains(pe.Hint, info.KeyEnv()) {
			t.Errorf("hint %q does not name %s", pe.Hint, info.KeyEnv())
		}
		if n := r.s.Requests(); n != 1 {
			t.Errorf("%d requests; a 401 must not be retried", n)
		}
	})
	cases := []struct {
		status int
		kind   providers.Kind
		tries  int
	}{
		{403, providers.KindForbidden, 1},
		{404, providers.KindNotFound, 1},
		{422, providers.KindValidation, 1},
		{500, providers.KindServer, TestPolicy.MaxAttempts},
		{503, providers.KindServer, TestPolicy.MaxAttempts},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			msg := fmt.Sprintf("fake says %d for key %s", c.status, r.h.Key)
			r.s.Set(Fail(c.status, msg, ""))
			res := synth(context.Background(), r.p, r.request("", false))
			pe := r.checkErr(t, res.err, c.kind)
			if pe.Status != c.status {
				t.Errorf("Status = %d, want %d", pe.Status, c.status)
			}
			if !strings.Contains(res.err.Error(), fmt.Sprintf("fake says %d", c.status)) {
				t.Errorf("error %q does not carry the service's message", res.err)
			}
			if pe.Hint == "" {
				t.Error("no hint says what to do next")
			}
			if n := r.s.Requests(); n != c.tries {
				t.Errorf("%d requests, want %d", n, c.tries)
			}
		})
	}
}

func (r *runner) rateLimit(t *testing.T) {
	t.Run("RetryAfterThenOK", func(t *testing.T) {
		r.s.Set(FailFirst(1, 429, "slow down", "1"))
		start := time.Now()
		res := synth(context.Background(), r.p, r.request("", false))
		checkAudio(t, res)
		if res.audio.Requests != 2 {
			t.Errorf("Audio.Requests = %d, want 2", res.audio.Requests)
		}
		if d := time.Since(start); d < 900*time.Millisecond {
			t.Errorf("retried after %s; Retry-After asked for 1s", d)
		}
	})
	t.Run("RetryAfterTooLong", func(t *testing.T) {
		r.s.Set(Fail(429, "come back in an hour", "3600"))
		res := synth(context.Background(), r.p, r.request("", false))
		pe := r.checkErr(t, res.err, providers.KindRateLimit)
		if pe.RetryAfter != time.Hour {
			t.Errorf("RetryAfter = %s, want 1h", pe.RetryAfter)
		}
		if n := r.s.Requests(); n != 1 {
			t.Errorf("%d requests; a wait beyond the retry budget must not be attempted", n)
		}
	})
	t.Run("503RetryAfterThenOK", func(t *testing.T) {
		r.s.Set(FailFirst(1, 503, "overloaded, come back shortly", "1"))
		start := time.Now()
		res := synth(context.Background(), r.p, r.request("", false))
		checkAudio(t, res)
		if res.audio.Requests != 2 {
			t.Errorf("Audio.Requests = %d, want 2", res.audio.Requests)
		}
		if d := time.Since(start); d < 900*time.Millisecond {
			t.Errorf("retried after %s; Retry-After asked for 1s", d)
		}
	})
	t.Run("Bounded", func(t *testing.T) {
		r.s.Set(Fail(429, "still too many", ""))
		res := synth(context.Background(), r.p, r.request("", false))
		r.checkErr(t, res.err, providers.KindRateLimit)
		if n := r.s.Requests(); n != TestPolicy.MaxAttempts {
			t.Errorf("%d requests, want %d", n, TestPolicy.MaxAttempts)
		}
	})
}

func (r *runner) firstByte(t *testing.T) {
	t.Run("SlowButInTime", func(t *testing.T) {
		r.s.Set(Delay(TestPolicy.FirstByteTimeout / 3))
		checkAudio(t, synth(context.Background(), r.p, r.request("", false)))
	})
	t.Run("TooSlow", func(t *testing.T) {
		r.s.Set(Delay(3 * TestPolicy.FirstByteTimeout))
		start := time.Now()
		res := synth(context.Background(), r.p, r.request("", false))
		r.checkErr(t, res.err, providers.KindNetwork)
		if n := r.s.Requests(); n != TestPolicy.MaxAttempts {
			t.Errorf("%d requests, want %d", n, TestPolicy.MaxAttempts)
		}
		if d, limit := time.Since(start), TestPolicy.MaxRetryTime+TestPolicy.FirstByteTimeout; d > limit {
			t.Errorf("took %s, more than the %s bound", d, limit)
		}
	})
}

// size returns how many bytes a normal streaming answer has.
func (r *runner) size(t *testing.T) int {
	t.Helper()
	r.s.Set(nil)
	res := synth(context.Background(), r.p, r.request("", false))
	checkAudio(t, res)
	return len(res.data)
}

func (r *runner) longStream(t *testing.T) {
	n := r.size(t)
	// About six pieces, each gap below the first-byte timeout, the whole
	// stream well beyond it: only a stream-wide timeout would cut this.
	r.s.Set(Trickle(n/6+1, 2*TestPolicy.FirstByteTimeout/5))
	start := time.Now()
	checkAudio(t, synth(context.Background(), r.p, r.request("", false)))
	if d := time.Since(start); d < 2*TestPolicy.FirstByteTimeout {
		t.Logf("the stream took only %s", d)
	}
}

func (r *runner) cutStream(t *testing.T) {
	n := r.size(t)
	r.s.Set(Cut(n / 2))
	res := synth(context.Background(), r.p, r.request("", false))
	r.checkErr(t, res.err, providers.KindCutStream)
	if len(res.data) == 0 {
		t.Error("no audio arrived before the cut; the fake should stream in several chunks")
	}
	if n := r.s.Requests(); n != 1 {
		t.Errorf("%d requests; nothing may be retried after audio started", n)
	}
}

func (r *runner) notAudio(t *testing.T) {
	cases := []struct {
		name, ctype string
		body        []byte
		mention     string
	}{
		{"HTML", "text/html", []byte("<!DOCTYPE html><html><head><title>Gateway login</title></head><body>Sign in</body></html>"), "HTML"},
		{"JSON", "application/json", []byte(`{"error":{"message":"quota exceeded for key ` + r.h.Key + `","type":"insufficient_quota"}}`), "JSON"},
		{"Empty", "audio/mpeg", nil, "empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r.s.Set(Respond(200, c.ctype, c.body))
			res := synth(context.Background(), r.p, r.request("", false))
			r.checkErr(t, res.err, providers.KindNotAudio)
			if !strings.Contains(res.err.Error(), c.mention) {
				t.Errorf("error %q does not say it was %s", res.err, c.mention)
			}
		})
	}
}

// slowRequest makes the fake trickle the next answer for seconds and
// returns the request to send.
func (r *runner) slowRequest(t *testing.T) providers.Request {
	t.Helper()
	n := r.size(t)
	// Each piece holds the first event of any framing, and each gap is
	// below the first-byte timeout.
	r.s.Set(Trickle(n/4+1, TestPolicy.FirstByteTimeout/2))
	return r.request("", false)
}

// slowStream starts a synthesis whose body trickles for seconds.
func (r *runner) slowStream(t *testing.T, ctx context.Context) *providers.Audio {
	t.Helper()
	a, err := providers.Checked(r.p).Synthesize(ctx, r.slowRequest(t))
	if err != nil {
		t.Fatalf("Synthesize: %v", err)
	}
	if _, err := a.Body.Read(make([]byte, 16)); err != nil {
		t.Fatalf("first read: %v", err)
	}
	return a
}

// readUntilError reads until an error and fails if that takes over limit.
func readUntilError(t *testing.T, body io.Reader, limit time.Duration) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := body.Read(buf); err != nil {
				errc <- err
				return
			}
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(limit):
		t.Fatalf("Body.Read did not stop within %s", limit)
		return nil
	}
}

func (r *runner) closeMidStream(t *testing.T) {
	a := r.slowStream(t, context.Background())
	time.AfterFunc(50*time.Millisecond, func() { a.Body.Close() })
	if err := readUntilError(t, a.Body, time.Second); err == io.EOF {
		t.Fatal("Read after Close reported a clean end of stream")
	}
	if a.Words != nil {
		for range a.Words {
		}
	}
}

func (r *runner) redirect(t *testing.T) {
	got := make(chan http.Header, 4)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		got <- q.Header.Clone()
		r.h.Fake.ServeHTTP(w, q)
	}))
	defer other.Close()
	r.s.Set(Redirect(other.URL))
	res := synth(context.Background(), r.p, r.request("", false))
	close(got)
	seen := 0
	for h := range got {
		seen++
		for k, vs := range h {
			for _, v := range vs {
				if strings.Contains(v, r.h.Key) {
					t.Fatalf("the key was sent to the redirect target in header %s", k)
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

func (r *runner) https(t *testing.T) {
	cfg := r.s.Config(r.h.Key)
	cfg.BaseURL = "http://tts.example.com" + r.h.BasePath
	p, err := r.h.New(cfg)
	if err == nil {
		_, err = providers.Checked(p).Synthesize(context.Background(), r.request("", false))
	}
	pe := r.checkErr(t, err, providers.KindValidation)
	if !strings.Contains(pe.Error(), "http") {
		t.Errorf("error %q does not explain the http problem", pe)
	}
	cfg.AllowInsecureHTTP = true
	if _, err := r.h.New(cfg); err != nil {
		t.Errorf("with AllowInsecureHTTP, building failed: %v", err)
	}
	cfg.AllowInsecureHTTP = false
	cfg.BaseURL = "ftp://tts.example.com"
	if _, err := r.h.New(cfg); err == nil {
		// Building may succeed if the provider checks lazily; synthesis must not.
		p, _ := r.h.New(cfg)
		_, err = providers.Checked(p).Synthesize(context.Background(), r.request("", false))
		r.checkErr(t, err, providers.KindValidation)
	}
}
