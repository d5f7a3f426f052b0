package book

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Cue is one timed piece of text: its speech should start at Start.
type Cue struct {
	Start time.Duration
	Text  string // may be a multi-voice script
}

// Overruns says which cues' speech did not fit before the next cue.
type Overruns struct {
	Count int           // cues that started late because the one before ran long
	Total time.Duration // sum of the delays
	Max   time.Duration // the largest delay
}

// String reads the overruns to a person.
func (o Overruns) String() string {
	if o.Count == 0 {
		return "Every cue started on time."
	}
	return fmt.Sprintf("%d cue(s) started late because the speech before ran past its slot (by %s in all, at most %s).",
		o.Count, o.Total.Round(time.Millisecond), o.Max.Round(time.Millisecond))
}

// RenderTimed speaks each cue so that its speech starts at the cue's start
// time, with silence before it, and writes mono float samples to w like
// RenderChapter. When a cue's speech runs past the next cue's start, the next
// cue starts right after it instead (nothing is cut and nothing is sped up),
// and what follows returns to its own start time as soon as it can; the
// returned Overruns counts the cues that started late and by how much.
func (r *Renderer) RenderTimed(ctx context.Context, cues []Cue, w io.Writer) (int64, Overruns, error) {
	var ov Overruns
	for i := 1; i < len(cues); i++ {
		if cues[i].Start < cues[i-1].Start {
			return 0, ov, fmt.Errorf("cue %d starts at %s, before cue %d at %s: put the cues in time order", i+1, cues[i].Start, i, cues[i-1].Start)
		}
	}
	rate := int64(r.rate())
	var frames int64
	for _, c := range cues {
		var buf bytes.Buffer
		if _, err := r.RenderChapter(ctx, c.Text, &buf); err != nil {
			return frames, ov, err
		}
		at := int64(c.Start.Seconds()*float64(rate) + 0.5)
		if gap := at - frames; gap > 0 {
			if err := writeFloats(w, make([]float32, gap)); err != nil {
				return frames, ov, err
			}
			frames += gap
		} else if gap < 0 {
			late := time.Duration(-gap) * time.Second / time.Duration(rate)
			ov.Count++
			ov.Total += late
			ov.Max = max(ov.Max, late)
		}
		n, err := w.Write(buf.Bytes())
		frames += int64(n / 4)
		if err != nil {
			return frames, ov, err
		}
	}
	return frames, ov, nil
}

// RenderCues speaks cues timed (see RenderTimed) as one chapter titled title,
// ready to export like a rendered book.
func (r *Renderer) RenderCues(ctx context.Context, b *Book, title string, cues []Cue) (*Rendered, Overruns, error) {
	var ov Overruns
	check := &Book{Chapters: []Chapter{{Title: title}}}
	for _, c := range cues {
		check.Chapters = append(check.Chapters, Chapter{Title: title, Text: c.Text})
	}
	if _, err := r.Estimate(check); err != nil {
		return nil, ov, err // unknown voices or providers: nothing sent
	}
	dir, err := os.MkdirTemp("", "chorus-render-")
	if err != nil {
		return nil, ov, err
	}
	out := &Rendered{Book: b, Rate: r.rate(), dir: dir}
	path := filepath.Join(dir, "000.f32")
	f, err := os.Create(path)
	if err != nil {
		out.Close()
		return nil, ov, err
	}
	n, ov, err := r.RenderTimed(ctx, cues, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		out.Close()
		return nil, ov, err
	}
	out.Files, out.Titles, out.Frames = []string{path}, []string{title}, []int64{n}
	return out, ov, nil
}
