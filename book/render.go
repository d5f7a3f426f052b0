package book

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/core"
	"chorus/pricing"
	"chorus/providers"
)

// Chapter is one part of a book to render.
type Chapter struct {
	Title string
	Text  string // may be a multi-voice script
	Skip  bool
}

// Book is what gets rendered and exported.
type Book struct {
	Title, Author string
	Cover         string // image file, "" for none
	Chapters      []Chapter
}

// Renderer speaks chapters through core's engine, voice by voice.
type Renderer struct {
	Engine  *core.Engine
	Default Voice // for text before any [voice: …] line
	Cast    Cast  // names the scripts may use (a script's own header adds to it)
	Lexicon Lexicon
	Rate    int // sample rate of the rendered audio; 0 = 24000
	Retries int // extra attempts per chapter after a failure
	Prices  *pricing.Table
	// OnChapter, when set, is told when a chapter starts (index, title).
	OnChapter func(i int, title string)
}

func (r *Renderer) rate() int {
	if r.Rate > 0 {
		return r.Rate
	}
	return 24000
}

// scripts returns each chapter's text with the voice in force carried over
// from the chapters before it (a switch lasts until the next switch), and
// the header cast and lexicon of the first chapter given to all.
func (b *Book) scripts() []string {
	out := make([]string, len(b.Chapters))
	var header []string
	last := ""
	for i, ch := range b.Chapters {
		text := ch.Text
		prefix := append([]string{}, header...)
		if last != "" {
			prefix = append(prefix, last)
		}
		for _, l := range strings.Split(text, "\n") {
			t := strings.TrimSpace(l)
			switch {
			case castLine.MatchString(t) || sayLine.MatchString(t):
				header = append(header, t)
			case voiceLine.MatchString(t):
				last = t
			}
		}
		out[i] = strings.Join(append(prefix, text), "\n")
	}
	return out
}

// plan is a chapter's segments resolved to voices, with the lexicon applied.
type planned struct {
	voice Voice
	text  string
	pause time.Duration
}

func (r *Renderer) resolve(text string) ([]planned, error) {
	s, err := ParseScript(text)
	if err != nil {
		return nil, err
	}
	cast, err := s.Check(r.Cast)
	if err != nil {
		return nil, err
	}
	lx := Merge(r.Lexicon, s.Lexicon)
	var out []planned
	for _, seg := range s.Segments {
		v := r.Default
		if seg.Voice != "" {
			v = cast[seg.Voice]
		}
		if seg.Pause > 0 {
			out = append(out, planned{pause: seg.Pause})
			continue
		}
		text := seg.Text
		if len(lx) > 0 {
			var err error
			if text, err = r.applyLexicon(lx, v, text); err != nil {
				return nil, err
			}
		}
		out = append(out, planned{voice: v, text: text})
	}
	return out, nil
}

// applyLexicon applies the pronunciations for the voice's provider and
// model: phonemes where it reads them (Capabilities.PhonemesFor), else
// the respellings.
func (r *Renderer) applyLexicon(lx Lexicon, v Voice, text string) (string, error) {
	p, err := r.Engine.Provider(v.Provider, v.BaseURL)
	if err != nil {
		return "", err
	}
	caps := p.Capabilities()
	model := v.Model
	if model == "" {
		model = caps.DefaultModel()
	}
	who := p.Info().Name
	if model != "" {
		who += " with the model " + model
	}
	return lx.ApplyFor(text, caps.PhonemesFor(model), who)
}

// Estimate is what rendering a chapter (or the book) will take.
type Estimate struct {
	Title      string
	Characters int
	Requests   int     // requests to send: the parts the cache does not hold
	Cost       float64 // US dollars; meaningful when CostKnown
	CostKnown  bool
	Audio      time.Duration // expected length of the audio
	// Render is about how long synthesis will take, from each provider's
	// measured speed (core.Engine.Throughput) and the job's concurrency;
	// cached parts take none. RenderGuess says some of it is a default
	// guess: a provider Chorus has not measured yet.
	Render      time.Duration
	RenderGuess bool
}

// RenderText is the render time for people, saying when it is a guess:
// "about 4 min", "about 4 min (a guess: not measured yet)".
func (e Estimate) RenderText() string { return core.RenderText(e.Render, !e.RenderGuess) }

// charsPerSecond is a typical speaking rate, for the length estimate.
const charsPerSecond = 15

// Estimate checks every chapter (unknown voices, providers that cannot be
// made, requests they would refuse, pronunciations a voice cannot say) and
// counts characters, requests, cost, audio length and render time, per
// chapter and in total (the last element), without sending anything.
func (r *Renderer) Estimate(b *Book) ([]Estimate, error) {
	prices := r.Prices
	if prices == nil {
		prices = &pricing.Table{}
	}
	total := Estimate{Title: "Total", CostKnown: true}
	var out []Estimate
	texts := b.scripts()
	for i, ch := range b.Chapters {
		if ch.Skip {
			continue
		}
		segs, err := r.resolve(texts[i])
		if err != nil {
			return nil, fmt.Errorf("chapter %d (%s): %w", i+1, ch.Title, err)
		}
		e := Estimate{Title: ch.Title, CostKnown: true}
		var jobs []core.Job
		var voices []Voice
		for _, s := range segs {
			if s.pause > 0 {
				e.Audio += s.pause
				continue
			}
			jobs = append(jobs, r.job(s, "estimate.wav"))
			voices = append(voices, s.voice)
		}
		xs, err := r.Engine.EstimateJobs(jobs)
		if err != nil {
			return nil, fmt.Errorf("chapter %d (%s): %w", i+1, ch.Title, err)
		}
		for k, x := range xs {
			v := voices[k]
			e.Characters += x.Characters
			e.Requests += x.Requests
			if price, ok := prices.Lookup(v.Provider, v.Model); ok {
				e.Cost += float64(price) * float64(x.Send) / 1e6
			} else {
				e.CostKnown = false
			}
			e.Audio += time.Duration(float64(x.Characters) / charsPerSecond * float64(time.Second))
			e.Render += x.Render
			e.RenderGuess = e.RenderGuess || (x.Requests > 0 && !x.RenderMeasured)
		}
		total.Characters += e.Characters
		total.Requests += e.Requests
		total.Cost += e.Cost
		total.CostKnown = total.CostKnown && e.CostKnown
		total.Audio += e.Audio
		total.Render += e.Render
		total.RenderGuess = total.RenderGuess || e.RenderGuess
		out = append(out, e)
	}
	return append(out, total), nil
}

// job is the synthesis job of one planned segment, written to out. The
// estimate and RenderChapter must send the same job, so the estimate
// knows which parts the cache holds.
func (r *Renderer) job(s planned, out string) core.Job {
	return core.Job{
		Provider: s.voice.Provider, BaseURL: s.voice.BaseURL,
		Request: providers.Request{Text: s.text, Model: s.voice.Model, Voice: s.voice.Voice},
		Out:     out, Force: true, OutFormat: audio.WAV, OutRate: r.rate(),
	}
}

// RenderChapter speaks one chapter and writes its audio to w as mono
// 32-bit float little-endian samples at the renderer's rate. It returns the
// number of frames written.
func (r *Renderer) RenderChapter(ctx context.Context, text string, w io.Writer) (int64, error) {
	segs, err := r.resolve(text)
	if err != nil {
		return 0, err
	}
	tmp, err := os.MkdirTemp("", "chorus-book-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	var frames int64
	for i, s := range segs {
		if err := ctx.Err(); err != nil {
			return frames, err
		}
		if s.pause > 0 {
			n := int64(s.pause.Seconds() * float64(r.rate()))
			if err := writeFloats(w, make([]float32, n)); err != nil {
				return frames, err
			}
			frames += n
			continue
		}
		out := filepath.Join(tmp, fmt.Sprintf("%04d.wav", i))
		_, err := r.Engine.Speak(ctx, r.job(s, out))
		if err != nil {
			return frames, err
		}
		n, err := appendWAV(w, out, r.rate())
		frames += n
		if err != nil {
			return frames, err
		}
	}
	return frames, nil
}

// appendWAV decodes a WAV file, mixes it to mono and writes its samples.
func appendWAV(w io.Writer, path string, rate int) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	src, err := codec.NewDecoder(f, audio.WAV, audio.Format{})
	if err != nil {
		return 0, err
	}
	fm := src.Format()
	if fm.SampleRate != rate {
		return 0, fmt.Errorf("segment came at %d Hz, not %d Hz", fm.SampleRate, rate)
	}
	ch := max(fm.Channels, 1)
	buf := make([]float32, 4096*ch)
	var frames int64
	for {
		n, err := src.Read(buf)
		if n > 0 {
			mono := make([]float32, n/ch)
			for i := range mono {
				var sum float32
				for c := 0; c < ch; c++ {
					sum += buf[i*ch+c]
				}
				mono[i] = sum / float32(ch)
			}
			if werr := writeFloats(w, mono); werr != nil {
				return frames, werr
			}
			frames += int64(len(mono))
		}
		if errors.Is(err, io.EOF) {
			return frames, nil
		}
		if err != nil {
			return frames, err
		}
	}
}

func writeFloats(w io.Writer, p []float32) error {
	b := make([]byte, 4*len(p))
	for i, v := range p {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	_, err := w.Write(b)
	return err
}
