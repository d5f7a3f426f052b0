package providertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/providers"
	"chorus/providers/httpx"
)

// ContractHarness tells the contract suite how to reach the provider under
// test. Only Provider (or New) is required; the other fields let a
// provider's transport take part in checks that need to observe it.
type ContractHarness struct {
	// Provider is the provider under test; when nil, New builds it.
	Provider providers.Provider
	// New builds the provider when Provider is nil.
	New func() (providers.Provider, error)
	// Voice is used in every synthesis request; "" takes the first voice
	// Voices lists for the default model.
	Voice string
	// Request, if set, adjusts every synthesis request the suite sends.
	Request func(*providers.Request)
	// Key, when set, must never appear in any error the provider returns.
	Key string
	// TypedErrors requires every error, cancellation included, to be a
	// *providers.Error (remote providers); otherwise a cancellation may
	// also be the bare context error (local engines).
	TypedErrors bool
	// Reset, when set, runs before each synthesis the suite makes, so that
	// it sees the provider's normal behaviour (a fake told to behave).
	Reset func()
	// Work, when set, counts the synthesis work the provider started since
	// the last Reset (requests sent, processes run, sentences computed).
	// The Validation checks require it to stay at its value from before.
	Work func() int
	// Slow, when set, prepares the next synthesis of the returned request
	// to stream for a second or more, in several pieces. nil sends a long
	// text (LongText), which keeps an engine busy for seconds.
	Slow func(t *testing.T) providers.Request
	// AfterStop, when set, runs after a stopped synthesis is closed and
	// before the goroutine check (e.g. to drop idle connections).
	AfterStop func()
	// LeakOptions are extra goleak options for the goroutine checks after
	// a stop (e.g. a fake server's side of a connection still closing).
	LeakOptions []goleak.Option
}

// LongText is what the Cancel and Deadline checks speak when the harness
// has no Slow: about 18,000 characters, seconds of work for any engine.
var LongText = strings.Repeat("The quick brown fox jumps over the lazy dog, and the dog does not mind at all. ", 230)

// subtest is one named check of a suite.
type subtest struct {
	name string
	fn   func(*testing.T)
}

// Contract runs the checks every provider must pass, whatever its
// transport: Info, Capabilities, Voices, Validation before any work, a
// short synthesis that decodes as the encoding it declares, and
// cancellation and context deadlines that stop it promptly without
// leaving a goroutine behind. Run (the HTTP suite) includes it.
//
// Contract checks goroutine leaks with goleak, so the test calling it must
// not run in parallel with other tests of its package.
func Contract(t *testing.T, h ContractHarness) {
	leaks := goleak.IgnoreCurrent()
	c := newContract(t, h)
	for _, st := range c.subtests() {
		t.Run(st.name, st.fn)
	}
	goleak.VerifyNone(t, leaks)
}

// contract holds what the contract checks share.
type contract struct {
	h     ContractHarness
	p     providers.Provider
	caps  providers.Capabilities
	voice string
}

func newContract(t *testing.T, h ContractHarness) *contract {
	t.Helper()
	p := h.Provider
	if p == nil {
		if h.New == nil {
			t.Fatal("providertest: ContractHarness needs Provider or New")
		}
		var err error
		if p, err = h.New(); err != nil {
			t.Fatalf("building the provider: %v", err)
		}
	}
	c := &contract{h: h, p: p, caps: p.Capabilities()}
	if c.voice = h.Voice; c.voice == "" {
		vs, err := p.Voices(context.Background(), "")
		if err != nil || len(vs) == 0 {
			t.Fatalf("Voices: %v (%d voices); set the harness's Voice", err, len(vs))
		}
		c.voice = vs[0].ID
	}
	return c
}

func (c *contract) subtests() []subtest {
	return []subtest{
		{"Info", c.info}, {"Capabilities", c.capabilities}, {"Registration", c.registration}, {"Voices", c.voices},
		{"Validation", c.validation}, {"Synthesis", c.synthesis},
		{"Cancel", c.cancel}, {"Deadline", c.deadline},
	}
}

func (c *contract) reset() {
	if c.h.Reset != nil {
		c.h.Reset()
	}
}

func (c *contract) work() int {
	if c.h.Work == nil {
		return 0
	}
	return c.h.Work()
}

// request is a short request with the harness's adjustments.
func (c *contract) request() providers.Request {
	req := providers.Request{Text: "Hello from the Chorus conformance suite.", Voice: c.voice}
	if c.h.Request != nil {
		c.h.Request(&req)
	}
	return req
}

// noKey fails if the key appears anywhere in err's chain.
func (c *contract) noKey(t *testing.T, err error) {
	t.Helper()
	if c.h.Key == "" {
		return
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
			if strings.Contains(s, c.h.Key) {
				t.Fatalf("the API key appears in the error: %s", s)
			}
		}
	}
}

// checkErr fails unless err is a *providers.Error of kind want that does
// not leak the key anywhere in its text.
func (c *contract) checkErr(t *testing.T, err error, want providers.Kind) *providers.Error {
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
	c.noKey(t, err)
	return pe
}

func (c *contract) info(t *testing.T) {
	info := c.p.Info()
	if info.ID == "" || info.ID != strings.ToLower(info.ID) || strings.ContainsAny(info.ID, " _") {
		t.Errorf("Info.ID %q must be lower-case letters, digits and dashes", info.ID)
	}
	if info.Name == "" {
		t.Error("Info.Name is empty")
	}
	if info.DefaultBaseURL != "" {
		if _, err := httpx.ParseBaseURL(info.DefaultBaseURL, false); err != nil {
			t.Errorf("Info.DefaultBaseURL: %v", err)
		}
	}
}

// unique fails when names has an empty or repeated entry.
func unique(t *testing.T, what string, names []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, n := range names {
		if n == "" {
			t.Errorf("%s has an empty entry: %q", what, names)
		}
		if seen[n] {
			t.Errorf("%s lists %q twice", what, n)
		}
		seen[n] = true
	}
}

// registration checks that the provider registered itself with the
// capabilities it reports: pickers and the CLI read them from the registry
// without building a provider.
func (c *contract) registration(t *testing.T) {
	id := c.p.Info().ID
	reg, ok := providers.Lookup(id)
	if !ok {
		t.Fatalf("provider %q is not registered; call providers.Register from its package's init", id)
	}
	built, err := reg.New(providers.Config{})
	if err != nil {
		t.Fatalf("building %s with no configuration: %v", id, err)
	}
	if got := built.Capabilities(); !reflect.DeepEqual(reg.Capabilities, got) {
		t.Errorf("the registration's capabilities differ from what the provider reports:\nregistered %+v\nreported   %+v", reg.Capabilities, got)
	}
	if _, searches := c.p.(providers.VoiceSearcher); searches != reg.Capabilities.VoiceSearch {
		t.Errorf("Capabilities.VoiceSearch is %v, but the provider %s a VoiceSearcher", reg.Capabilities.VoiceSearch,
			map[bool]string{true: "is", false: "is not"}[searches])
	}
}

func (c *contract) capabilities(t *testing.T) {
	caps := c.caps
	if len(caps.Formats) == 0 {
		t.Error("Capabilities.Formats is empty")
	}
	unique(t, "Capabilities.Formats", caps.Formats)
	var models []string
	for _, m := range caps.Models {
		models = append(models, m.ID)
		if m.MaxChars < 0 {
			t.Errorf("model %s: MaxChars %d is negative", m.ID, m.MaxChars)
		}
	}
	unique(t, "Capabilities.Models", models)
	unique(t, "Capabilities.Transports", caps.Transports)
	unique(t, "Capabilities.Languages", caps.Languages)
	if caps.Speed.Max > 0 {
		if !caps.Speed.Contains(1) {
			t.Errorf("Capabilities.Speed %+v does not contain 1", caps.Speed)
		}
		if caps.Speed.Min <= 0 || caps.Speed.Min > caps.Speed.Max {
			t.Errorf("Capabilities.Speed %+v: want 0 < Min <= Max", caps.Speed)
		}
		if caps.Speed.Default != 0 && !caps.Speed.Contains(caps.Speed.Default) {
			t.Errorf("Capabilities.Speed.Default %g is outside %g to %g", caps.Speed.Default, caps.Speed.Min, caps.Speed.Max)
		}
	}
	if len(caps.SampleRates) > 0 && caps.DefaultSampleRate != 0 && !slices.Contains(caps.SampleRates, caps.DefaultSampleRate) {
		t.Errorf("DefaultSampleRate %d is not among SampleRates %v", caps.DefaultSampleRate, caps.SampleRates)
	}
	for _, r := range caps.SampleRates {
		if r < 1000 || r > 384000 {
			t.Errorf("sample rate %d is not a plausible audio rate", r)
		}
	}
	if caps.MaxChars < 0 || caps.Concurrency < 0 {
		t.Errorf("MaxChars %d and Concurrency %d must not be negative", caps.MaxChars, caps.Concurrency)
	}
	var keys []string
	for _, o := range caps.Options {
		keys = append(keys, o.Key)
		if o.Label == "" {
			t.Errorf("option %s has no label", o.Key)
		}
		if o.Range != nil && o.Range.Min > o.Range.Max {
			t.Errorf("option %s: range %g to %g is empty", o.Key, o.Range.Min, o.Range.Max)
		}
		if o.Default != "" {
			if err := o.Check(o.Default); err != nil {
				t.Errorf("option %s: its own default is refused: %v", o.Key, err)
			}
		}
		unique(t, "the choices of option "+o.Key, o.Choices)
	}
	unique(t, "the option keys", keys)
}

func (c *contract) voices(t *testing.T) {
	models := []string{""}
	for _, m := range c.caps.Models {
		models = append(models, m.ID)
	}
	for _, m := range models {
		c.reset()
		vs, err := c.p.Voices(context.Background(), m)
		if err != nil {
			t.Fatalf("Voices(%q): %v", m, err)
		}
		if m == "" && len(vs) == 0 {
			t.Fatal("Voices lists no voice for the default model")
		}
		for _, v := range vs {
			if v.ID == "" {
				t.Fatalf("Voices(%q) has a voice without ID: %+v", m, v)
			}
		}
	}
}

func (c *contract) validation(t *testing.T) {
	speed := c.caps.Speed.Max + 10
	wantSpeed := []string{fmt.Sprintf("%g", c.caps.Speed.Min), fmt.Sprintf("%g", c.caps.Speed.Max)}
	if c.caps.Speed.Max == 0 {
		speed, wantSpeed = 3, []string{"1"} // no speed setting: only 1 is allowed
	}
	cases := []struct {
		name string
		edit func(*providers.Request)
		want []string
	}{
		// Each wanted word may have alternatives, split by "|".
		{"EmptyText", func(q *providers.Request) { q.Text = "  " }, []string{"empty|no text"}},
		{"BadFormat", func(q *providers.Request) { q.Format = "no-such-format" }, c.caps.Formats},
		{"BadSpeed", func(q *providers.Request) { q.Speed = speed }, wantSpeed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.reset()
			before := c.work()
			req := c.request()
			tc.edit(&req)
			res := synth(context.Background(), c.p, req)
			c.checkErr(t, res.err, providers.KindValidation)
			for _, w := range tc.want {
				if !slices.ContainsFunc(strings.Split(w, "|"), func(w string) bool { return strings.Contains(res.err.Error(), w) }) {
					t.Errorf("error %q does not mention %q", res.err, w)
				}
			}
			if n := c.work() - before; n != 0 {
				t.Errorf("%d requests reached the service; validation must happen first", n)
			}
		})
	}
}

// checkDecodes fails unless res is a complete answer that decodes as the
// encoding it declares.
func checkDecodes(t *testing.T, res result) {
	t.Helper()
	if res.err != nil {
		t.Fatalf("synthesis failed: %v", res.err)
	}
	a := res.audio
	if a.Encoding == "" {
		t.Fatal("Audio.Encoding is empty")
	}
	if codec.Headerless(a.Encoding) && !a.Format.Valid() {
		t.Fatalf("headerless %s audio needs Audio.Format, got %+v", a.Encoding, a.Format)
	}
	if a.Requests < 1 {
		t.Fatalf("Audio.Requests = %d, want at least 1", a.Requests)
	}
	n, err := codec.Verify(bytes.NewReader(res.data), a.Encoding, a.Format)
	if err != nil {
		t.Fatalf("the %d bytes do not decode as %s: %v (first bytes % x)", len(res.data), a.Encoding, err, res.data[:min(len(res.data), 16)])
	}
	if n == 0 {
		t.Fatalf("the %d bytes of %s hold no audio", len(res.data), a.Encoding)
	}
}

func (c *contract) synthesis(t *testing.T) {
	c.reset()
	checkDecodes(t, synth(context.Background(), c.p, c.request()))
}

// slowRequest prepares a synthesis that streams for a while.
func (c *contract) slowRequest(t *testing.T) providers.Request {
	t.Helper()
	if c.h.Slow != nil {
		return c.h.Slow(t)
	}
	c.reset()
	req := c.request()
	req.Text = LongText
	if limit := c.caps.MaxCharsFor(c.caps.DefaultModel()); limit > 0 && len(req.Text) > limit {
		req.Text = req.Text[:limit]
	}
	return req
}

// start starts req and reads its first bytes.
func (c *contract) start(t *testing.T, ctx context.Context, req providers.Request) *providers.Audio {
	t.Helper()
	a, err := providers.Checked(c.p).Synthesize(ctx, req)
	if err != nil {
		t.Fatalf("Synthesize: %v", err)
	}
	if _, err := a.Body.Read(make([]byte, 16)); err != nil {
		a.Body.Close()
		t.Fatalf("first read: %v", err)
	}
	return a
}

// stopped closes a and drains its words, then checks no goroutine of the
// synthesis is left.
func (c *contract) stopped(t *testing.T, a *providers.Audio, leaks goleak.Option) {
	t.Helper()
	a.Body.Close()
	if a.Words != nil {
		for range a.Words {
		}
	}
	if c.h.AfterStop != nil {
		c.h.AfterStop()
	}
	goleak.VerifyNone(t, append([]goleak.Option{leaks}, c.h.LeakOptions...)...)
}

func (c *contract) cancel(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := c.start(t, ctx, c.slowRequest(t))
	time.AfterFunc(50*time.Millisecond, cancel)
	err := readUntilError(t, a.Body, time.Second)
	if c.h.TypedErrors {
		c.checkErr(t, err, providers.KindCanceled)
	} else if providers.KindOf(err) != providers.KindCanceled {
		t.Errorf("after cancel, Read failed with %v (kind %s), want %s", err, providers.KindOf(err), providers.KindCanceled)
	}
	c.noKey(t, err)
	c.stopped(t, a, leaks)
}

func (c *contract) deadline(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	const limit = 400 * time.Millisecond
	req := c.slowRequest(t)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	start := time.Now()
	a, err := providers.Checked(c.p).Synthesize(ctx, req)
	if err == nil {
		err = readUntilError(t, a.Body, limit+time.Second)
	}
	if err == io.EOF {
		t.Fatalf("the stream ended normally within %s; the slow synthesis must last longer for this check", time.Since(start))
	}
	if !errors.Is(err, context.DeadlineExceeded) && !slices.Contains([]providers.Kind{providers.KindCanceled, providers.KindNetwork}, providers.KindOf(err)) {
		t.Errorf("after the deadline, Read failed with %v (kind %s); want the deadline's error", err, providers.KindOf(err))
	}
	if c.h.TypedErrors {
		var pe *providers.Error
		if !errors.As(err, &pe) {
			t.Errorf("error %T %q is not a *providers.Error", err, err)
		}
	}
	c.noKey(t, err)
	if d := time.Since(start); d > limit+time.Second {
		t.Errorf("the stream stopped %s after the start, the deadline was %s", d, limit)
	}
	if a == nil { // the deadline passed before the stream started
		if c.h.AfterStop != nil {
			c.h.AfterStop()
		}
		goleak.VerifyNone(t, append([]goleak.Option{leaks}, c.h.LeakOptions...)...)
		return
	}
	c.stopped(t, a, leaks)
}

// decodable reports whether enc's decoder notices corrupt data: headerless
// encodings and WAV take any bytes as samples.
func decodable(enc audio.Encoding) bool {
	switch enc {
	case audio.MP3, audio.FLAC:
		return true
	case audio.Opus:
		return codec.CanDecode(enc)
	}
	return false
}
