package core

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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
