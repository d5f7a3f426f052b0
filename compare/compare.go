// Package compare renders one line of text in many voices at once and
// measures each rendering, so voices from different providers can be judged
// side by side. It holds the logic behind `chorus compare` and the Compare
// tab: concurrent rendering within each provider's concurrency limit,
// per-entry measurements and waveforms, export of all renderings with CSV
// and JSON reports, a blind A/B test with a persistent Bradley–Terry tally,
// and persistent favourites and shortlist. It has no GUI code.
package compare

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"

	"chorus/audio"
	"chorus/core"
	"chorus/pricing"
	"chorus/providers"
)

// Entry is one voice to render: a provider, a model ("" = the provider's
// default), a voice ("" = the provider's default), a speed (0 = normal) and
// provider-specific options.
type Entry struct {
	Provider string            `json:"provider"`
	Model    string            `json:"model,omitempty"`
	Voice    string            `json:"voice,omitempty"`
	Speed    float64           `json:"speed,omitempty"`
	Options  map[string]string `json:"options,omitempty"`
}

// Key identifies the voice as PROVIDER:MODEL:VOICE. Favourites and the blind
// tally use it; speed and options do not change it.
func (e Entry) Key() string { return e.Provider + ":" + e.Model + ":" + e.Voice }

// String is the Key.
func (e Entry) String() string { return e.Key() }

// ShortLabel puts the voice first, for narrow lists: "en-us · local ·
// 1.25×" (the model only when one is chosen).
func (e Entry) ShortLabel() string {
	s := e.Voice
	if s == "" {
		s = "default voice"
	}
	s += " · " + e.Provider
	if e.Model != "" {
		s += " · " + e.Model
	}
	if e.Speed != 0 && e.Speed != 1 {
		s += fmt.Sprintf(" · %.2g×", e.Speed)
	}
	return s
}

// Label is a short human name: "provider · model · voice", with "default"
// for empty parts and the speed when it is not normal.
func (e Entry) Label() string {
	or := func(s string) string {
		if s == "" {
			return "default"
		}
		return s
	}
	s := e.Provider + " · " + or(e.Model) + " · " + or(e.Voice)
	if e.Speed != 0 && e.Speed != 1 {
		s += fmt.Sprintf(" · %.2g×", e.Speed)
	}
	return s
}

// ParseEntry reads PROVIDER:MODEL:VOICE. MODEL and VOICE may be empty for
// the provider's defaults ("local::en-us"); everything after the second
// colon is the voice, so voice IDs that contain colons work.
func ParseEntry(s string) (Entry, error) {
	parts := strings.SplitN(strings.TrimSpace(s), ":", 3)
	if len(parts) < 3 {
		return Entry{}, fmt.Errorf("voice %q: write PROVIDER:MODEL:VOICE, leaving MODEL empty for the default (e.g. local::en-us)", s)
	}
	e := Entry{Provider: strings.TrimSpace(parts[0]), Model: strings.TrimSpace(parts[1]), Voice: strings.TrimSpace(parts[2])}
	if e.Provider == "" {
		return Entry{}, fmt.Errorf("voice %q has no provider; write PROVIDER:MODEL:VOICE (e.g. local::en-us)", s)
	}
	return e, nil
}

// Phase is where an entry's rendering is.
type Phase int

// The phases of one entry, in order; it ends in PhaseDone or PhaseFailed.
const (
	PhaseQueued    Phase = iota // waiting for a free request slot of its provider
	PhaseRequest                // request sent, waiting for the first byte
	PhaseFirstByte              // audio is arriving
	PhaseDone                   // rendered and measured
	PhaseFailed                 // failed; Result.Err says why
)

// String names the phase for status lines.
func (p Phase) String() string {
	return [...]string{"queued", "requesting", "receiving", "done", "failed"}[p]
}

// Result is one entry's rendering and its measurements.
type Result struct {
	Index int    // position in the entries given to Render
	Entry Entry  // what was asked
	Model string // the model used (the provider's default when Entry.Model is "")
	File  string // the rendered audio in the session folder; "" on failure

	Encoding audio.Encoding // the file's encoding
	Format   audio.Format   // the decoded audio's rate and channels
	Stats    core.Stats     // times, audio length, bytes, requests
	// RTF is the real-time factor: total time / audio duration. Below 1
	// means faster than real time.
	RTF       float64
	CostUSD   float64 // estimated cost of the request
	CostKnown bool    // whether the price table knows this provider/model
	// Peaks is the waveform: the highest absolute sample in each of
	// Options.Peaks equal slices of the audio, in [0, 1].
	Peaks []float32
	Err   error // why it failed; nil on success
}

// Label is the entry's Label with the model actually used.
func (r Result) Label() string {
	e := r.Entry
	if r.Model != "" {
		e.Model = r.Model
	}
	return e.Label()
}

// OK reports whether the entry rendered.
func (r Result) OK() bool { return r.Err == nil && r.File != "" }

// Progress reports a change in one entry.
type Progress struct {
	Index  int
	Phase  Phase
	Result Result // the entry's result so far (complete in PhaseDone and PhaseFailed)
}

// Options tunes Render.
type Options struct {
	// Dir is the folder for the rendered files; "" makes a temporary session
	// folder that Session.Close removes.
	Dir string
	// Format is the encoding of the rendered files; "" means WAV. Providers
	// that offer it are asked for it directly; others are converted.
	Format audio.Encoding
	// Prices estimates costs; nil uses the user's table (pricing.DefaultTable).
	Prices *pricing.Table
	// Peaks is how many points each waveform has; 0 means 240.
	Peaks int
	// BaseURL returns the base URL override for a provider; nil for none.
	BaseURL func(provider string) string
	// OnProgress, when set, is told about each change as it happens. It is
	// called from worker goroutines, one call at a time: GUI callers must hop
	// to the UI goroutine themselves.
	OnProgress func(Progress)
}

// Session is one comparison: the text, its folder and every entry's result,
// in the order the entries were given.
type Session struct {
	Text    string
	Dir     string
	Format  audio.Encoding
	Results []Result

	ownDir bool
}

// Close removes the session folder if Render created it.
func (s *Session) Close() error {
	if s == nil || !s.ownDir {
		return nil
	}
	return os.RemoveAll(s.Dir)
}

// Succeeded counts the entries that rendered.
func (s *Session) Succeeded() int {
	n := 0
	for _, r := range s.Results {
		if r.OK() {
			n++
		}
	}
	return n
}

// Render renders text in every entry's voice concurrently, each to a file in
// the session folder, without playing. Requests of the same provider never
// run more at once than the provider's Capabilities.Concurrency (0 = no
// limit), counting every other job of the process: an entry waits, in
// PhaseQueued, for the engine's one limiter. An entry's failure stays on
// its Result; the others carry on. The error is only for failures that
// stop everything (no entries, no folder); cancelling ctx fails the
// entries that have not finished.
func Render(ctx context.Context, engine *core.Engine, text string, entries []Entry, opts Options) (*Session, error) {
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("no text to compare: type a line first")
	}
	if len(entries) == 0 {
		return nil, errors.New("no voices to compare: add at least one voice")
	}
	if opts.Format == "" {
		opts.Format = audio.WAV
	}
	if opts.Peaks <= 0 {
		opts.Peaks = 240
	}
	if opts.Prices == nil {
		opts.Prices = pricing.DefaultTable()
	}
	s := &Session{Text: text, Dir: opts.Dir, Format: opts.Format, Results: make([]Result, len(entries))}
	if s.Dir == "" {
		dir, err := os.MkdirTemp("", "chorus-compare-")
		if err != nil {
			return nil, fmt.Errorf("cannot create a folder for the comparison: %w; check that the temp folder is writable", err)
		}
		s.Dir, s.ownDir = dir, true
	}

	// What each provider offers (its default model and formats). How many
	// of its requests run at once is the engine's one limiter's business.
	caps := map[string]providers.Capabilities{}
	for _, e := range entries {
		if _, seen := caps[e.Provider]; seen {
			continue
		}
		c := providers.Capabilities{}
		if p, err := engine.Provider(e.Provider, baseURL(opts, e.Provider)); err == nil {
			c = p.Capabilities()
		}
		caps[e.Provider] = c
	}

	var report sync.Mutex // OnProgress is called one at a time
	progress := func(p Progress) {
		if opts.OnProgress != nil {
			report.Lock()
			opts.OnProgress(p)
			report.Unlock()
		}
	}
	chars := utf8.RuneCountInString(text)
	var wg sync.WaitGroup
	for i, e := range entries {
		s.Results[i] = Result{Index: i, Entry: e, Model: e.Model}
		if s.Results[i].Model == "" {
			s.Results[i].Model = caps[e.Provider].DefaultModel()
		}
		progress(Progress{Index: i, Phase: PhaseQueued, Result: s.Results[i]})
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &s.Results[i]
			renderOne(ctx, engine, s, r, caps[e.Provider], chars, opts, progress)
		}()
	}
	wg.Wait()
	return s, nil
}

func baseURL(opts Options, provider string) string {
	if opts.BaseURL == nil {
		return ""
	}
	return opts.BaseURL(provider)
}

// renderOne renders and measures one entry.
func renderOne(ctx context.Context, engine *core.Engine, s *Session, r *Result, caps providers.Capabilities,
	chars int, opts Options, progress func(Progress)) {
	e := r.Entry
	file := filepath.Join(s.Dir, fmt.Sprintf("%02d-%s%s", r.Index+1, FileStem(e), opts.Format.Extension()))
	req := providers.Request{Text: s.Text, Model: e.Model, Voice: e.Voice, Speed: e.Speed, Options: e.Options}
	for _, f := range caps.Formats {
		if f == string(opts.Format) {
			req.Format = f
		}
	}
	job := core.Job{
		Provider: e.Provider, BaseURL: baseURL(opts, e.Provider), Request: req,
		Out: file, Force: true, OutFormat: opts.Format,
		// One request at a time within an entry (a line longer than the
		// provider's limit is split), so the entries share the provider's
		// request slots (the engine's limiter) in turn.
		Concurrency: 1,
		// Measure the provider, not a replay from the engine's cache.
		NoCache: true,
		OnEvent: func(ev core.Event) {
			switch ev.Stage {
			case core.StageRequest:
				progress(Progress{Index: r.Index, Phase: PhaseRequest, Result: *r})
			case core.StageFirstByte:
				snap := *r
				snap.Stats = ev.Stats
				progress(Progress{Index: r.Index, Phase: PhaseFirstByte, Result: snap})
			}
		},
	}
	res, err := engine.Speak(ctx, job)
	if res != nil {
		r.Stats, r.Encoding, r.Format = res.Stats, opts.Format, res.Format
	}
	if err == nil {
		r.File = file
		if r.Stats.AudioSeconds > 0 {
			r.RTF = r.Stats.TotalMs / 1000 / r.Stats.AudioSeconds
		}
		r.CostUSD, r.CostKnown = opts.Prices.Estimate(e.Provider, r.Model, chars)
		peaks, perr := FilePeaks(file, opts.Format, r.Format, opts.Peaks)
		if perr == nil {
			r.Peaks = peaks
		}
	} else {
		r.Err = err
	}
	phase := PhaseDone
	if r.Err != nil {
		phase = PhaseFailed
	}
	progress(Progress{Index: r.Index, Phase: phase, Result: *r})
}

// FileStem is the entry's file name without extension:
// provider-model-voice, sanitised to letters, digits, '.', '_' and '-',
// with "default" for empty parts.
func FileStem(e Entry) string {
	part := func(s string) string {
		s = strings.Map(func(c rune) rune {
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
				return c
			}
			return '_'
		}, s)
		s = strings.Trim(s, "._-")
		if s == "" {
			return "default"
		}
		return s
	}
	return part(e.Provider) + "-" + part(e.Model) + "-" + part(e.Voice)
}
