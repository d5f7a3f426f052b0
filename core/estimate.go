package core

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"chorus/pricing"
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
	return b.String()
}

// Estimate works out what a job will take, without sending anything: the
// characters, the requests (chunks the cache does not hold), the cost from
// the engine's price table and the length of the speech. It checks the job
// as Speak does, so it fails with the same validation errors. The GUI calls
// it before Speak and asks the user when the estimate is Large.
func (e *Engine) Estimate(job Job) (Estimate, error) {
	pj, err := e.prepareJob(&job, false)
	if err != nil {
		return Estimate{}, err
	}
	req, states, store := pj.req, pj.states, pj.store
	x := Estimate{Characters: utf8.RuneCountInString(req.Text), Chunks: len(states)}
	// The chunks' texts leave out the white space between them: count
	// what is sent chunk by chunk only when some of the text is cached.
	send, cached := 0, false
	for _, st := range states {
		if store != nil && store.Has(st.key) {
			cached = true
			continue
		}
		x.Requests++
		send += utf8.RuneCountInString(st.req.Text)
	}
	x.Send = x.Characters
	if cached {
		x.Send = send
	}
	prices := e.Prices
	if prices == nil {
		prices = pricing.DefaultTable()
	}
	x.CostUSD, x.CostKnown = prices.Estimate(job.Provider, req.Model, x.Send)
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
