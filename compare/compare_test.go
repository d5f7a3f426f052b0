package compare

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"chorus/audio"
	"chorus/core"
	"chorus/internal/scripted"
	"chorus/player"
	"chorus/pricing"
	"chorus/providers"
)

// timeline records when each synthesis was in flight.
type timeline struct {
	mu       sync.Mutex
	inFlight int
	peak     int
	spans    [][2]time.Time
}

// respond answers after delay with half a second of tone, recording the span.
func (tl *timeline) respond(delay time.Duration) func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
	return func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		start := time.Now()
		if tl != nil {
			tl.mu.Lock()
			tl.inFlight++
			tl.peak = max(tl.peak, tl.inFlight)
			tl.mu.Unlock()
			defer func() {
				tl.mu.Lock()
				tl.inFlight--
				tl.spans = append(tl.spans, [2]time.Time{start, time.Now()})
				tl.mu.Unlock()
			}()
		}
		if req.Voice == "broken" {
			return nil, &providers.Error{Provider: "x", Kind: providers.KindServer, Message: "the voice is broken"}
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return &providers.Audio{Body: io.NopCloser(bytes.NewReader(scripted.ToneWAV(24000, 0.5, 440))), Encoding: audio.WAV, Requests: 1}, nil
	}
}

func fake(t testing.TB, id string, delay time.Duration, concurrency int, tl *timeline) *scripted.Provider {
	p := scripted.Register(t, &scripted.Provider{ID: id})
	p.Caps.Concurrency = concurrency
	p.Respond = tl.respond(delay)
	return p
}

func engine() *core.Engine {
	return &core.Engine{Getenv: func(string) string { return "" },
		OpenSink: func() (player.Sink, error) { return player.NewMemorySink(player.DeviceFormat), nil }}
}

func opts(t testing.TB) Options {
	return Options{Dir: t.TempDir(), Prices: &pricing.Table{}}
}

func TestParseEntry(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Entry
		bad  bool
	}{
		{in: "local::en-us", want: Entry{Provider: "local", Voice: "en-us"}},
		{in: "openai:tts-1:alloy", want: Entry{Provider: "openai", Model: "tts-1", Voice: "alloy"}},
		{in: "custom:m:ns:voice:2", want: Entry{Provider: "custom", Model: "m", Voice: "ns:voice:2"}},
		{in: "openai::", want: Entry{Provider: "openai"}},
		{in: "local:en-us", bad: true},
		{in: "local", bad: true},
		{in: "::v", bad: true},
	} {
		got, err := ParseEntry(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("%q: want an error, got %+v", c.in, got)
			} else if !strings.Contains(err.Error(), "PROVIDER:MODEL:VOICE") {
				t.Errorf("%q: error does not say the form: %v", c.in, err)
			}
			continue
		}
		if err != nil || got.Key() != c.want.Key() {
			t.Errorf("%q: got %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestFileStem(t *testing.T) {
	if got := FileStem(Entry{Provider: "open ai", Voice: "../../etc/pass wd:é"}); got != "open_ai-default-etc_pass_wd" {
		t.Fatalf("stem %q", got)
	}
}

// TestRenderOverlaps proves entries run at the same time: four entries of
// 300 ms each finish in far less than the 1.2 s they would take in turn.
func TestRenderOverlaps(t *testing.T) {
	tl := &timeline{}
	fake(t, "cmp-ov", 300*time.Millisecond, 0, tl)
	var entries []Entry
	for _, v := range []string{"v1", "v2", "v3", "v4"} {
		entries = append(entries, Entry{Provider: "cmp-ov", Voice: v})
	}
	start := time.Now()
	s, err := Render(context.Background(), engine(), "Hello there.", entries, opts(t))
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if s.Succeeded() != 4 {
		t.Fatalf("succeeded %d: %+v", s.Succeeded(), s.Results)
	}
	if tl.peak != 4 {
		t.Errorf("at most %d requests were in flight at once; want 4", tl.peak)
	}
	// Every span overlaps every other one.
	for i, a := range tl.spans {
		for j, b := range tl.spans {
			if i != j && !(a[0].Before(b[1]) && b[0].Before(a[1])) {
				t.Errorf("spans %d and %d do not overlap", i, j)
			}
		}
	}
	if took > 900*time.Millisecond {
		t.Errorf("took %v; four 300 ms entries in parallel should take about 300 ms", took)
	}
}

// TestRenderRespectsConcurrency runs 6 entries on a provider that takes 2
// at a time and 3 on one that takes 1.
func TestRenderRespectsConcurrency(t *testing.T) {
	two, one := &timeline{}, &timeline{}
	fake(t, "cmp-two", 60*time.Millisecond, 2, two)
	fake(t, "cmp-one", 40*time.Millisecond, 1, one)
	var entries []Entry
	for range 6 {
		entries = append(entries, Entry{Provider: "cmp-two", Voice: "v1"})
	}
	for range 3 {
		entries = append(entries, Entry{Provider: "cmp-one", Voice: "v2"})
	}
	s, err := Render(context.Background(), engine(), "Hi.", entries, opts(t))
	if err != nil {
		t.Fatal(err)
	}
	if s.Succeeded() != 9 {
		t.Fatalf("succeeded %d", s.Succeeded())
	}
	if two.peak != 2 || one.peak != 1 {
		t.Errorf("peak in flight: %d (limit 2), %d (limit 1)", two.peak, one.peak)
	}
}

func TestRenderMeasuresAndIsolatesFailures(t *testing.T) {
	fake(t, "cmp-m", 20*time.Millisecond, 0, nil)
	prices := &pricing.Table{Path: filepath.Join(t.TempDir(), "prices.json")}
	if err := prices.Set("cmp-m", 20); err != nil {
		t.Fatal(err)
	}
	entries := []Entry{
		{Provider: "cmp-m", Voice: "v1"},
		{Provider: "cmp-m", Model: "m2", Voice: "broken"},
		{Provider: "cmp-nope", Voice: "v1"},
		{Provider: "cmp-m", Voice: "v2", Speed: 1.5},
	}
	o := opts(t)
	o.Prices = prices
	o.Peaks = 50
	var mu sync.Mutex
	phases := map[int][]Phase{}
	o.OnProgress = func(p Progress) {
		mu.Lock()
		phases[p.Index] = append(phases[p.Index], p.Phase)
		mu.Unlock()
	}
	text := strings.Repeat("x", 1000)
	s, err := Render(context.Background(), engine(), text, entries, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 3} {
		r := s.Results[i]
		if !r.OK() {
			t.Fatalf("entry %d failed: %v", i, r.Err)
		}
		if r.Model != "m1" {
			t.Errorf("entry %d model %q; want the default m1", i, r.Model)
		}
		st := r.Stats
		if st.TTFBMs < 15 || st.FirstAudioMs < st.TTFBMs || st.TotalMs < st.FirstAudioMs {
			t.Errorf("entry %d times %+v", i, st)
		}
		if math.Abs(st.AudioSeconds-0.5) > 0.01 || st.Bytes != 44+24000 || st.Requests != 1 {
			t.Errorf("entry %d stats %+v", i, st)
		}
		if math.Abs(r.RTF-st.TotalMs/1000/st.AudioSeconds) > 1e-9 || r.RTF <= 0 {
			t.Errorf("entry %d RTF %v", i, r.RTF)
		}
		if !r.CostKnown || math.Abs(r.CostUSD-0.02) > 1e-9 {
			t.Errorf("entry %d cost %v %v; want 0.02", i, r.CostUSD, r.CostKnown)
		}
		if len(r.Peaks) != 50 {
			t.Fatalf("entry %d has %d peaks", i, len(r.Peaks))
		}
		for _, p := range r.Peaks {
			if math.Abs(float64(p)-0.5) > 0.01 {
				t.Fatalf("entry %d peak %v; the tone's amplitude is 0.5", i, p)
			}
		}
		if _, err := os.Stat(r.File); err != nil {
			t.Errorf("entry %d file: %v", i, err)
		}
		want := []Phase{PhaseQueued, PhaseRequest, PhaseFirstByte, PhaseDone}
		if got := phases[i]; len(got) != 4 || got[0] != want[0] || got[3] != want[3] {
			t.Errorf("entry %d phases %v; want %v", i, got, want)
		}
	}
	if r := s.Results[1]; r.OK() || providers.KindOf(r.Err) != providers.KindServer || r.File != "" {
		t.Errorf("broken voice: %+v", r)
	}
	if r := s.Results[2]; r.OK() || !providers.IsValidation(r.Err) {
		t.Errorf("unknown provider: %+v", r)
	}
	if got := phases[1]; got[len(got)-1] != PhaseFailed {
		t.Errorf("broken voice phases %v", got)
	}
	if s.Succeeded() != 2 {
		t.Errorf("succeeded %d", s.Succeeded())
	}
}

func TestRenderCancel(t *testing.T) {
	fake(t, "cmp-c", 5*time.Second, 1, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	s, err := Render(ctx, engine(), "Hi.", []Entry{{Provider: "cmp-c"}, {Provider: "cmp-c", Voice: "v2"}}, opts(t))
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("cancel did not stop the comparison")
	}
	for _, r := range s.Results {
		if !errors.Is(r.Err, context.DeadlineExceeded) {
			t.Errorf("entry %d: %v", r.Index, r.Err)
		}
	}
}

func TestRenderTempSessionAndUsageErrors(t *testing.T) {
	fake(t, "cmp-t", 0, 0, nil)
	if _, err := Render(context.Background(), engine(), "  ", []Entry{{Provider: "cmp-t"}}, Options{}); err == nil {
		t.Error("empty text accepted")
	}
	if _, err := Render(context.Background(), engine(), "Hi", nil, Options{}); err == nil {
		t.Error("no entries accepted")
	}
	s, err := Render(context.Background(), engine(), "Hi", []Entry{{Provider: "cmp-t"}}, Options{Prices: &pricing.Table{}})
	if err != nil || !s.Results[0].OK() {
		t.Fatal(err, s.Results[0].Err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Dir); !os.IsNotExist(err) {
		t.Errorf("session folder %s left behind", s.Dir)
	}
}

func TestPlayInTurn(t *testing.T) {
	fake(t, "cmp-p", 0, 0, nil)
	s, err := Render(context.Background(), engine(), "Hi", []Entry{{Provider: "cmp-p", Voice: "v1"}, {Provider: "cmp-p", Voice: "broken"}, {Provider: "cmp-p", Voice: "v2"}}, opts(t))
	if err != nil {
		t.Fatal(err)
	}
	sink := player.NewMemorySink(audio.Format{SampleRate: 24000, Channels: 1})
	var played []int
	start := time.Now()
	if err := PlayInTurn(context.Background(), engine(), s, 50*time.Millisecond, sink, func(i int) { played = append(played, i) }); err != nil {
		t.Fatal(err)
	}
	if len(played) != 2 || played[0] != 0 || played[1] != 2 {
		t.Errorf("played %v", played)
	}
	if n := len(sink.Samples()); n != 2*12000 {
		t.Errorf("played %d samples; want two half-second clips", n)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Error("no gap between the voices")
	}
}
