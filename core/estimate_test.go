package core

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"chorus/audio"
	"chorus/internal/scripted"
	"chorus/pricing"
	"chorus/providers"
)

func TestEstimateCountsCostAndCache(t *testing.T) {
	f := newFakeLong(t, "l-est", 200, 3)
	e, _ := cacheEngine(t)
	e.Prices = &pricing.Table{Path: filepath.Join(t.TempDir(), "prices.json")}
	if err := e.Prices.Set("l-est", 30); err != nil { // $30 per million characters
		t.Fatal(err)
	}
	text := longText(40)
	chars := utf8.RuneCountInString(text)
	job := Job{Provider: "l-est", Request: providers.Request{Text: text, Speed: 2}}
	x, err := e.Estimate(job)
	if err != nil {
		t.Fatal(err)
	}
	if x.Characters != chars || x.Send != chars || x.Chunks < 2 || x.Requests != x.Chunks {
		t.Errorf("estimate %+v for %d characters", x, chars)
	}
	if !x.CostKnown || abs(x.CostUSD-30*float64(chars)/1e6) > 1e-9 {
		t.Errorf("cost %v (known %v), want $30 per million characters", x.CostUSD, x.CostKnown)
	}
	wantSpeech := time.Duration(float64(chars) / SpeechCharsPerSecond / 2 * float64(time.Second))
	if x.Speech != wantSpeech {
		t.Errorf("speech %s, want %s at speed 2", x.Speech, wantSpeech)
	}
	if x.Large() {
		t.Errorf("%d characters for $%.4f is not large", chars, x.CostUSD)
	}
	if len(f.Requests()) != 0 {
		t.Errorf("Estimate sent %d requests", len(f.Requests()))
	}
	// After speaking, the chunks are cached: nothing left to send or pay.
	if _, err := e.Speak(context.Background(), Job{Provider: "l-est", Request: providers.Request{Text: text, Speed: 2}, Play: true}); err != nil {
		t.Fatal(err)
	}
	x, err = e.Estimate(job)
	if err != nil || x.Requests != 0 || x.Send != 0 || x.CostUSD != 0 {
		t.Errorf("cached: estimate %+v, %v", x, err)
	}
	if !strings.Contains(x.String(), "are cached") {
		t.Errorf("the estimate does not say what is cached: %s", x)
	}
	job.NoCache = true
	if x, _ = e.Estimate(job); x.Requests != x.Chunks {
		t.Errorf("without the cache: %d requests for %d chunks", x.Requests, x.Chunks)
	}
}

func TestEstimateLargeThresholds(t *testing.T) {
	newFakeLong(t, "l-large", 4000, 3)
	e, _ := memEngine()
	e.Prices = &pricing.Table{Path: filepath.Join(t.TempDir(), "prices.json")}
	cases := []struct {
		chars int
		price pricing.Price // 0: unknown
		large bool
	}{
		{LargeChars, 0, false},
		{LargeChars + 1, 0, true},
		{40_000, 20, false}, // $0.80
		{60_000, 20, true},  // $1.20
	}
	for _, c := range cases {
		id := "l-large"
		if c.price > 0 {
			if err := e.Prices.Set(id, c.price); err != nil {
				t.Fatal(err)
			}
		}
		x, err := e.Estimate(Job{Provider: id, Request: providers.Request{Text: strings.Repeat("Word word. ", c.chars/11) + strings.Repeat("x", c.chars%11)}})
		if err != nil {
			t.Fatal(err)
		}
		if x.Characters != c.chars || x.Large() != c.large {
			t.Errorf("%d characters at $%v/M: large %v (%s), want %v", c.chars, c.price, x.Large(), x, c.large)
		}
	}
	// Estimate refuses what Speak refuses.
	if _, err := e.Estimate(Job{Provider: "l-large", Request: providers.Request{Text: "hi", Format: "ogg"}}); !providers.IsValidation(err) {
		t.Errorf("bad format: %v, want a validation error", err)
	}
}

// A job known to be free (a local engine) is never large, however long,
// and says it is free.
func TestFreeJobsAreNotLarge(t *testing.T) {
	if IsLarge(5_000_000, 0, true) {
		t.Error("a free job of 5 M characters counts as large")
	}
	if !IsLarge(5_000_000, 0, false) {
		t.Error("a job of unknown cost and 5 M characters is not large")
	}
	x := Estimate{Characters: 200_000, Send: 200_000, Requests: 50, CostKnown: true}
	if x.Large() || !strings.Contains(x.String(), "free") || strings.Contains(x.String(), "$") {
		t.Errorf("free estimate: large %v, %q", x.Large(), x)
	}
}

func TestThousandsAndRoughDuration(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1270000: "1,270,000", -12345: "-12,345"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{40 * time.Second: "40 s", 5 * time.Minute: "5 min", 158 * time.Hour: "158 h", 2*time.Hour + 13*time.Minute: "2 h 13 min"} {
		if got := roughDuration(d); got != want {
			t.Errorf("roughDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// The render time: a default guess until the provider has been measured,
// then the measured speed from the history, spread over the job's
// concurrency; cached chunks take none.
func TestEstimateRenderTime(t *testing.T) {
	f := newFakeLong(t, "l-time", 200, 2)
	f.delay = func(providers.Request) time.Duration { return 40 * time.Millisecond }
	e, _ := cacheEngine(t)
	text := longText(40)
	job := Job{Provider: "l-time", Request: providers.Request{Text: text}}
	x, err := e.Estimate(job)
	if err != nil {
		t.Fatal(err)
	}
	if x.Requests < 3 || x.Lanes != 2 {
		t.Fatalf("estimate %+v: want several requests, 2 at a time", x)
	}
	// No key, no address: a local engine's default guess.
	// (The chunks leave out the white space between them.)
	if want := time.Duration(x.Send) * DefaultLocalPerChar / 2; x.RenderMeasured || x.Render > want || x.Render < want*95/100 {
		t.Errorf("unmeasured: render %s (measured %v), want the guess %s", x.Render, x.RenderMeasured, want)
	}
	if s := x.String(); !strings.Contains(s, "render time about 17 s (a guess") {
		t.Errorf("the estimate does not say the time is a guess: %s", s)
	}
	one := job
	one.Concurrency = 1
	if x1, _ := e.Estimate(one); x1.Lanes != 1 || absDur(x1.Render-2*x.Render) > time.Nanosecond {
		t.Errorf("one request at a time: %s, want twice %s", x1.Render, x.Render)
	}

	start := time.Now()
	if _, err := e.Speak(context.Background(), Job{Provider: "l-time", Request: providers.Request{Text: text}, Play: true}); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	tp := e.Throughput("l-time", "")
	if !tp.Measured || tp.Chars > x.Send || tp.Chars < x.Send*95/100 {
		t.Fatalf("after one job: %+v, want %d characters measured", tp, x.Send)
	}
	// Every request waited 40 ms: at least that per request, measured.
	if min := time.Duration(x.Requests) * 40 * time.Millisecond / time.Duration(tp.Chars); tp.PerChar < min {
		t.Errorf("measured %s per character, below the %s the fake waited", tp.PerChar, min)
	}
	other := Job{Provider: "l-time", Request: providers.Request{Text: strings.ToUpper(text)}}
	y, err := e.Estimate(other)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Duration(tp.Chars) * tp.PerChar / 2; !y.RenderMeasured || y.Requests != x.Requests || y.Render != want {
		t.Errorf("measured: render %s (measured %v), want %s", y.Render, y.RenderMeasured, want)
	}
	// The measured figure is near what the same job really took.
	if y.Render < took/3 || y.Render > took*3 {
		t.Errorf("estimated %s for a job like one that took %s", y.Render, took)
	}
	if strings.Contains(y.String(), "guess") {
		t.Errorf("a measured time is called a guess: %s", y)
	}
	// Cached: nothing to render. Replaying keeps the measurement.
	if _, err := e.Speak(context.Background(), Job{Provider: "l-time", Request: providers.Request{Text: text}, Play: true}); err != nil {
		t.Fatal(err)
	}
	if c, err := e.Estimate(job); err != nil || c.Requests != 0 || c.Render != 0 {
		t.Errorf("cached: %+v %v", c, err)
	}
	if tp2 := e.Throughput("l-time", ""); tp2 != tp {
		t.Errorf("after a replay from the cache: %+v, was %+v", tp2, tp)
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// A run's cost counts the characters the service says it billed (as
// ElevenLabs' character-cost header does, e.g. half for its flash
// models), else the characters sent; cached chunks cost nothing.
func TestRunCostCountsBilledCharacters(t *testing.T) {
	billed := 0
	scripted.Register(t, &scripted.Provider{ID: "s-billed", Respond: func(_ context.Context, req providers.Request) (*providers.Audio, error) {
		return &providers.Audio{Body: io.NopCloser(bytes.NewReader(scripted.ToneWAV(24000, 0.2, 440))), Encoding: audio.WAV,
			Requests: 1, Characters: billed}, nil
	}})
	e, _ := cacheEngine(t)
	e.Prices = &pricing.Table{Path: filepath.Join(t.TempDir(), "prices.json")}
	if err := e.Prices.Set("s-billed", 10); err != nil { // $10 per million characters
		t.Fatal(err)
	}
	text := strings.Repeat("x", 1000)
	res, err := e.Speak(context.Background(), Job{Provider: "s-billed", Request: providers.Request{Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.BilledChars != 0 || !res.Stats.CostKnown || abs(res.Stats.CostUSD-0.01) > 1e-9 {
		t.Errorf("no billing said: %+v, want $0.01 for 1000 characters sent", res.Stats)
	}
	billed = 500
	res, err = e.Speak(context.Background(), Job{Provider: "s-billed", Request: providers.Request{Text: text + "y"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.BilledChars != 500 || abs(res.Stats.CostUSD-0.005) > 1e-9 {
		t.Errorf("500 billed: %+v, want $0.005", res.Stats)
	}
	res, err = e.Speak(context.Background(), Job{Provider: "s-billed", Request: providers.Request{Text: text}})
	if err != nil || res.Stats.CacheHits != 1 || res.Stats.CostUSD != 0 {
		t.Errorf("from the cache: %+v %v, want no cost", res.Stats, err)
	}
}
