package core

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"chorus/cache"
	"chorus/pricing"
	"chorus/providers"
)

// The thresholds above which a job is large enough to ask before it runs:
// characters to send, or an estimated cost where the price is known.
const (
	LargeChars   = 100_000
	LargeCostUSD = 1.0
)

// SpeechCharsPerSecond is a typical speaking rate, for the length estimate.
const SpeechCharsPerSecond = 15

// Estimate is what a job will take, worked out without sending anything.
type Estimate struct {
	Characters int           // characters in the text
	Chunks     int           // requests the text is split into
	Requests   int           // requests to send: the chunks not in the cache
	Send       int           // characters in those requests (what is billed)
	CostUSD    float64       // estimated cost of the requests; meaningful when CostKnown
	CostKnown  bool          // whether the price table knows the provider (and model)
	Speech     time.Duration // about how long the speech lasts, at normal speaking rate and the job's speed
	// Render is about how long synthesis will take: the requests to send
	// at the provider's throughput, Lanes at a time; cached chunks take
	// none. RenderMeasured says whether the throughput was measured on
	// earlier jobs (else it is a default guess, see Throughput).
	Render         time.Duration
	RenderMeasured bool
	Lanes          int // requests the job has in flight at once
}

// Large reports whether the job is above the thresholds: more than
// LargeChars characters to send, or a known cost above LargeCostUSD.
// A job known to be free (a local engine) is never large: it costs only
// time, which Stop gives back. Front ends ask before running a large job
// (the CLI wants --yes).
func (x Estimate) Large() bool { return IsLarge(x.Send, x.CostUSD, x.CostKnown) }

// IsLarge applies the thresholds of Estimate.Large to figures worked out
// elsewhere (a book's total).
func IsLarge(chars int, costUSD float64, costKnown bool) bool {
	if costKnown && costUSD == 0 {
		return false
	}
	return chars > LargeChars || (costKnown && costUSD > LargeCostUSD)
}

// String is the estimate in one line, e.g. "120,000 characters in 30
// requests, about $1.80, about 2 h 13 min of speech".
func (x Estimate) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s characters in %s", thousands(x.Send), plural(x.Requests, "request"))
	if x.Send != x.Characters {
		fmt.Fprintf(&b, " (%s of the %s are cached)", thousands(x.Characters-x.Send), thousands(x.Characters))
	}
	if x.CostKnown && x.CostUSD == 0 {
		b.WriteString(", free")
	} else if x.CostKnown {
		fmt.Fprintf(&b, ", about $%.2f", x.CostUSD)
	} else {
		b.WriteString(", cost unknown (no price on file for this provider)")
	}
	fmt.Fprintf(&b, ", about %s of speech", roughDuration(x.Speech))
	if x.Requests > 0 {
		fmt.Fprintf(&b, ", render time %s", x.RenderText())
	}
	return b.String()
}

// RenderText is the render time for people: "about 4 min", or "about
// 4 min (a guess: no earlier jobs of this voice measured)".
func (x Estimate) RenderText() string { return RenderText(x.Render, x.RenderMeasured) }

// RenderText writes a render time worked out elsewhere (a book's total)
// as Estimate.RenderText does.
func RenderText(d time.Duration, measured bool) string {
	s := "about " + roughDuration(d)
	if d < time.Second {
		s = "under a second"
	}
	if !measured {
		s += " (a guess: not measured yet)"
	}
	return s
}

// Throughput is how fast a provider turns text into speech: the time one
// request takes per character, from sending it to its last byte.
type Throughput struct {
	PerChar  time.Duration
	Measured bool // from this machine's earlier jobs (the history), else a default guess
	Chars    int  // characters the measurement covers
}

// The default guesses, used until a provider has been measured. They are
// on the slow side on purpose, so a first estimate is not too hopeful:
// a cloud voice at 20 characters a second per request (about 1.3 times
// as long as the speech), a local engine at 40 a second (espeak-ng is
// about 10,000 a second here; a natural voice on a slow machine can be
// near real time).
const (
	DefaultRemotePerChar = 50 * time.Millisecond
	DefaultLocalPerChar  = 25 * time.Millisecond
)

// measureClips is how many of a provider's latest jobs a throughput is
// worked out from.
const measureClips = 20

// rates reads the throughputs from the history once, for several estimates.
type rates struct{ clips []cache.Clip }

func (e *Engine) rates() *rates {
	r := &rates{}
	if e.Cache == nil {
		return r
	}
	clips, _ := e.Cache.Clips()
	for _, c := range clips {
		if c.SynthChars > 0 && c.SynthTime > 0 {
			r.clips = append(r.clips, c)
		}
	}
	return r
}

// get is the throughput of the provider with the model: from its latest
// jobs with that model, else with any model, else the default guess.
func (r *rates) get(provider, model string) Throughput {
	for _, sameModel := range []bool{true, false} {
		var t Throughput
		var took time.Duration
		n := 0
		for _, c := range r.clips { // newest first
			if c.Provider != provider || (sameModel && c.Model != model) {
				continue
			}
			took += c.SynthTime
			t.Chars += c.SynthChars
			if n++; n == measureClips {
				break
			}
		}
		if t.Chars > 0 {
			t.PerChar, t.Measured = took/time.Duration(t.Chars), true
			return t
		}
	}
	t := Throughput{PerChar: DefaultRemotePerChar}
	if reg, ok := providers.Lookup(provider); ok && !reg.NeedsKey && !reg.KeyOptional && reg.DefaultBaseURL == "" {
		t.PerChar = DefaultLocalPerChar
	}
	return t
}

// cost is what a run's requests cost: the characters the services billed
// when they said, else those of the chunks that were sent (not cached).
func (e *Engine) cost(provider, model string, states []*chunkState, billed int) (float64, bool) {
	chars := billed
	if chars == 0 {
		for _, st := range states {
			if !st.cached {
				chars += utf8.RuneCountInString(st.req.Text)
			}
		}
	}
	return e.prices().Estimate(provider, model, chars)
}

// prices is the engine's price table, else the user's.
func (e *Engine) prices() *pricing.Table {
	if e.Prices != nil {
		return e.Prices
	}
	return pricing.DefaultTable()
}

// Throughput is the provider's speed with the model, measured from the
// history when Chorus has run it before, else a default guess.
func (e *Engine) Throughput(provider, model string) Throughput {
	return e.rates().get(provider, model)
}

// Estimate works out what a job will take, without sending anything: the
// characters, the requests (chunks the cache does not hold), the cost from
// the engine's price table and the length of the speech. It checks the job
// as Speak does, so it fails with the same validation errors. The GUI calls
// it before Speak and asks the user when the estimate is Large.
func (e *Engine) Estimate(job Job) (Estimate, error) {
	return e.estimate(job, e.rates())
}

// EstimateJobs estimates jobs that run one after another (a book's
// parts), reading the history once; the first failure stops it, naming
// nothing more than Estimate would.
func (e *Engine) EstimateJobs(jobs []Job) ([]Estimate, error) {
	r := e.rates()
	out := make([]Estimate, 0, len(jobs))
	for _, j := range jobs {
		x, err := e.estimate(j, r)
		if err != nil {
			return out, err
		}
		out = append(out, x)
	}
	return out, nil
}

func (e *Engine) estimate(job Job, r *rates) (Estimate, error) {
	pj, err := e.prepareJob(&job, false)
	if err != nil {
		return Estimate{}, err
	}
	req, states, store := pj.req, pj.states, pj.store
	x := Estimate{Characters: utf8.RuneCountInString(req.Text), Chunks: len(states)}
	// The chunks' texts leave out the white space between them: count
	// what is sent chunk by chunk only when some of the text is cached.
	send, cached := 0, false
	tp := r.get(job.Provider, req.Model)
	var work time.Duration
	for _, st := range states {
		if store != nil && store.Has(st.key) {
			cached = true
			continue
		}
		x.Requests++
		n := utf8.RuneCountInString(st.req.Text)
		send += n
		work += time.Duration(n) * tp.PerChar
	}
	x.Lanes = concurrency(&job, pj.p.Capabilities())
	if x.Requests > 0 {
		x.Render = work / time.Duration(min(x.Lanes, x.Requests))
	}
	x.RenderMeasured = tp.Measured
	x.Send = x.Characters
	if cached {
		x.Send = send
	}
	x.CostUSD, x.CostKnown = e.prices().Estimate(job.Provider, req.Model, x.Send)
	speed := req.Speed
	if speed <= 0 {
		speed = 1
	}
	x.Speech = time.Duration(float64(x.Characters) / SpeechCharsPerSecond / speed * float64(time.Second))
	return x, nil
}

// thousands writes n with commas: 1,270,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return thousands(n) + " " + word + "s"
}

// roughDuration rounds a long duration for people: "2 h 13 min", "5 min", "40 s".
func roughDuration(d time.Duration) string {
	switch {
	case d >= time.Hour:
		h := int(d / time.Hour)
		m := int((d % time.Hour) / time.Minute)
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	case d >= time.Minute:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
	}
	return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
}
