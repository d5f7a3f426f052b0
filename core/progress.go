package core

import (
	"context"
	"time"

	"chorus/longtext"
	"chorus/player"
)

// Progress reports how a chunked synthesis is going. Offsets are bytes in
// Job.Request.Text as the front end gave it (before control characters
// were removed), so a front end can select what is being spoken.
type Progress struct {
	Done      int // chunks synthesized or read from the cache
	Total     int // all chunks
	CacheHits int // chunks that came from the cache
	Chunk     int // the chunk being heard (or encoded), from 0

	ChunkStart, ChunkEnd int // that chunk's byte offsets
	Start, End           int // the sentence being spoken
	// WordStart and WordEnd are the word being spoken, inside the
	// sentence, when the provider sent word timings (WordEnd is 0 when
	// it did not).
	WordStart, WordEnd int

	Position  time.Duration // audio heard (or encoded) so far
	Elapsed   time.Duration // since the job started
	Remaining time.Duration // estimate; 0 when unknown

	// Places are where the sentences (and, with word timings, the words)
	// of the chunk being heard and of the chunks after it whose audio has
	// arrived are in the whole audio, so a front end can seek to a part not
	// heard yet. A sentence's time is exact with word timings, else
	// estimated from its length.
	Places []Place
}

// Place is a sentence or a word of the text and when it starts in the audio.
type Place struct {
	Start, End int           // byte offsets in the text as given
	At         time.Duration // its start in the whole audio
	Word       bool          // a word (from word timings), else a sentence
	// Chunk, ChunkStart and ChunkEnd are the chunk that holds it, as in
	// Progress.
	Chunk, ChunkStart, ChunkEnd int
}

// progressor turns the pipeline's state and the sink's position into
// Progress events: when a chunk or sentence starts, and twice a second.
type progressor struct {
	pl    *pipeline
	c     *chunkReader
	sink  player.Sink
	text  string
	speed float64

	sentences map[int][]longtext.Span
	aligned   map[int][]WordTiming // chunks whose words are complete
	weights   []float64
	last      Progress
	lastSent  time.Time
}

func (p *progressor) run(ctx context.Context, done <-chan struct{}) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pr := p.compute()
		if pr.Done != p.last.Done || pr.Chunk != p.last.Chunk || pr.Start != p.last.Start || pr.WordStart != p.last.WordStart ||
			time.Since(p.lastSent) >= 500*time.Millisecond {
			p.last, p.lastSent = pr, time.Now()
			p.pl.job.OnProgress(pr)
		}
	}
}

// words is a chunk's word timings, aligned once they are complete.
func (p *progressor) words(i int, st *chunkState) []WordTiming {
	if w, ok := p.aligned[i]; ok {
		return w
	}
	raw := st.getWords()
	if raw == nil {
		return nil // still arriving (or none)
	}
	if p.aligned == nil {
		p.aligned = map[int][]WordTiming{}
	}
	w := alignWords(st.chunk.Text, raw)
	p.aligned[i] = w
	return w
}

// final is the last event: everything done.
func (p *progressor) final() Progress {
	pr := p.compute()
	pr.Done, pr.Remaining = pr.Total, 0
	return pr
}

type chunkSnap struct {
	opened, finished  bool
	startFrame, frame int64
}

func (p *progressor) compute() Progress {
	pl := p.pl
	if p.weights == nil {
		p.sentences = map[int][]longtext.Span{}
		for _, st := range pl.states {
			p.weights = append(p.weights, weight(st.chunk.Text))
		}
	}
	pl.mu.Lock()
	pr := Progress{Done: pl.done, Total: len(pl.states), CacheHits: pl.hits}
	pos := p.c.pos
	snaps := make([]chunkSnap, len(pl.states))
	for i, st := range pl.states {
		snaps[i] = chunkSnap{st.opened, st.finished, st.startFrame, st.frames}
	}
	pl.mu.Unlock()
	f := p.c.format
	pr.Elapsed = time.Since(pl.startTime())
	heard := frameTime(pos, f)
	if p.sink != nil {
		if played := p.sink.Stats().Played; played < heard {
			heard = played
		}
	}
	pr.Position = heard

	// Seconds per unit of weight: measured on finished chunks, else a
	// typical 14 characters a second.
	var doneDur time.Duration
	doneW := 0.0
	for i, s := range snaps {
		if s.finished {
			doneDur += frameTime(s.frame, f)
			doneW += p.weights[i]
		}
	}
	spw := float64(time.Second) / 14
	if p.speed > 0 {
		spw /= p.speed
	}
	if doneW > 0 && doneDur > 0 {
		spw = float64(doneDur) / doneW
	}
	chunkDur := func(i int) time.Duration {
		if snaps[i].finished {
			return frameTime(snaps[i].frame, f)
		}
		return max(time.Duration(p.weights[i]*spw), frameTime(snaps[i].frame, f))
	}

	cur := 0
	for i, s := range snaps {
		if s.opened && frameTime(s.startFrame, f) <= heard {
			cur = i
		}
	}
	st := pl.states[cur]
	pr.Chunk, pr.ChunkStart, pr.ChunkEnd = cur, st.chunk.Start, st.chunk.End
	spans, ok := p.sentences[cur]
	if !ok {
		spans = longtext.Sentences(st.chunk.Text)
		p.sentences[cur] = spans
	}
	pr.Start, pr.End = st.chunk.Start, st.chunk.End
	if len(spans) > 0 {
		into := heard - frameTime(snaps[cur].startFrame, f)
		starts := pieceStarts(st.chunk.Text, spans, chunkDur(cur), p.words(cur, st))
		k := 0
		for j, s := range starts {
			if s <= into {
				k = j
			}
		}
		pr.Start, pr.End = st.chunk.Start+spans[k].Start, st.chunk.Start+spans[k].End
		if w, ok := wordAt(p.words(cur, st), into); ok && st.chunk.Start+w.Start >= pr.Start && st.chunk.Start+w.End <= pr.End {
			pr.WordStart, pr.WordEnd = st.chunk.Start+w.Start, st.chunk.Start+w.End
		}
	}

	for i := cur; i < len(snaps) && snaps[i].opened; i++ {
		pr.Places = append(pr.Places, p.places(i, snaps[i], chunkDur(i))...)
	}

	if m := pl.job.cleaned; m != nil {
		for i := range pr.Places {
			x := &pr.Places[i]
			x.Start, x.End, x.ChunkStart, x.ChunkEnd = m.original(x.Start), m.original(x.End), m.original(x.ChunkStart), m.original(x.ChunkEnd)
		}
		pr.ChunkStart, pr.ChunkEnd = m.original(pr.ChunkStart), m.original(pr.ChunkEnd)
		pr.Start, pr.End = m.original(pr.Start), m.original(pr.End)
		if pr.WordEnd > 0 {
			pr.WordStart, pr.WordEnd = m.original(pr.WordStart), m.original(pr.WordEnd)
		}
	}

	var total time.Duration
	for i := range snaps {
		total += chunkDur(i)
	}
	left := max(total-heard, 0)
	if p.sink != nil {
		pr.Remaining = left
	} else if heard > 0 {
		pr.Remaining = time.Duration(float64(left) * float64(pr.Elapsed) / float64(heard))
	}
	return pr
}

// places are chunk i's sentences and words whose audio has arrived, at
// their times in the whole audio (offsets in the text as sent).
func (p *progressor) places(i int, s chunkSnap, dur time.Duration) []Place {
	st := p.pl.states[i]
	spans, ok := p.sentences[i]
	if !ok {
		spans = longtext.Sentences(st.chunk.Text)
		p.sentences[i] = spans
	}
	f := p.c.format
	base, arrived := frameTime(s.startFrame, f), frameTime(s.frame, f)
	words := p.words(i, st)
	var out []Place
	for j, at := range pieceStarts(st.chunk.Text, spans, dur, words) {
		if at > arrived {
			break
		}
		out = append(out, Place{Start: st.chunk.Start + spans[j].Start, End: st.chunk.Start + spans[j].End, At: base + at,
			Chunk: i, ChunkStart: st.chunk.Start, ChunkEnd: st.chunk.End})
	}
	for _, w := range words {
		if w.Offset > arrived {
			break
		}
		out = append(out, Place{Start: st.chunk.Start + w.Start, End: st.chunk.Start + w.End, At: base + w.Offset, Word: true,
			Chunk: i, ChunkStart: st.chunk.Start, ChunkEnd: st.chunk.End})
	}
	return out
}

// wordAt is the word heard at into (from the chunk's start): the last word
// that has started, while it lasts (a pause after it highlights nothing).
func wordAt(words []WordTiming, into time.Duration) (WordTiming, bool) {
	k := -1
	for i, w := range words {
		if w.Offset <= into {
			k = i
		}
	}
	if k < 0 || into > words[k].Offset+words[k].Duration+100*time.Millisecond {
		return WordTiming{}, false
	}
	return words[k], true
}
