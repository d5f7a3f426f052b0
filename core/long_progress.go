package core

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"time"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/cache"
	"chorus/export"
	"chorus/longtext"
	"chorus/player"
	"chorus/providers"
)

// byteStream holds one chunk's encoded bytes as they arrive: the fetcher
// appends, the decoder reads behind it and waits for more.
type byteStream struct {
	mu       sync.Mutex
	data     []byte
	closed   bool
	released bool // the reader is done; drop the data once the writer is too
	err      error
	changed  chan struct{}
}

func newByteStream() *byteStream { return &byteStream{changed: make(chan struct{})} }

func (b *byteStream) signal() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// Write appends bytes.
func (b *byteStream) Write(p []byte) {
	b.mu.Lock()
	b.data = append(b.data, p...)
	b.signal()
	b.mu.Unlock()
}

// Close ends the stream; readers get err (io.EOF when nil) after the data.
func (b *byteStream) Close(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	if err == nil {
		err = io.EOF
	}
	b.closed, b.err = true, err
	if b.released {
		b.data = nil
	}
	b.signal()
}

// Err is the error the stream ended with (nil while open or after a clean end).
func (b *byteStream) Err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == io.EOF {
		return nil
	}
	return b.err
}

// Bytes returns everything written.
func (b *byteStream) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.data
}

// Release drops the bytes once they have been decoded. A decoder can be
// done before the response is (trailing bytes, the final EOF), and the
// writer still needs the whole chunk to cache it, so while the stream is
// open the bytes are only marked, and dropped at Close.
func (b *byteStream) Release() {
	b.mu.Lock()
	b.released = true
	if b.closed {
		b.data = nil
	}
	b.mu.Unlock()
}

// Reader reads the stream from the start, waiting for bytes as they come.
func (b *byteStream) Reader(ctx context.Context) io.Reader { return &byteReader{b: b, ctx: ctx} }

type byteReader struct {
	b   *byteStream
	ctx context.Context
	pos int
}

func (r *byteReader) Read(p []byte) (int, error) {
	for {
		r.b.mu.Lock()
		if r.pos < len(r.b.data) {
			n := copy(p, r.b.data[r.pos:])
			r.pos += n
			r.b.mu.Unlock()
			return n, nil
		}
		if r.b.closed {
			err := r.b.err
			r.b.mu.Unlock()
			return 0, err
		}
		ch := r.b.changed
		r.b.mu.Unlock()
		select {
		case <-ch:
		case <-r.ctx.Done():
			return 0, r.ctx.Err()
		}
	}
}

// progressor turns the pipeline's state and the sink's position into
// Progress events: when a chunk or sentence starts, and twice a second.
type progressor struct {
	pl    *pipeline
	c     *concat
	sink  player.Sink
	text  string
	speed float64

	sentences map[int][]longtext.Span
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
		if pr.Done != p.last.Done || pr.Chunk != p.last.Chunk || pr.Start != p.last.Start || time.Since(p.lastSent) >= 500*time.Millisecond {
			p.last, p.lastSent = pr, time.Now()
			p.pl.job.OnProgress(pr)
		}
	}
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
	pr.Elapsed = time.Since(pl.start)
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
		starts := pieceStarts(st.chunk.Text, spans, chunkDur(cur), st.getWords())
		k := 0
		for j, s := range starts {
			if s <= into {
				k = j
			}
		}
		pr.Start, pr.End = st.chunk.Start+spans[k].Start, st.chunk.Start+spans[k].End
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

// sidecar describes an export: never a key or a base URL's secrets.
type sidecar struct {
	Chorus       string            `json:"chorus"`
	File         string            `json:"file"`
	Provider     string            `json:"provider"`
	Model        string            `json:"model,omitempty"`
	Voice        string            `json:"voice,omitempty"`
	Format       string            `json:"format,omitempty"`
	Encoding     audio.Encoding    `json:"encoding"`
	SampleRate   int               `json:"sample_rate"`
	Channels     int               `json:"channels"`
	Speed        float64           `json:"speed,omitempty"`
	Language     string            `json:"language,omitempty"`
	Instructions string            `json:"instructions,omitempty"`
	Options      map[string]string `json:"options,omitempty"`
	ChunkChars   int               `json:"chunk_chars,omitempty"`
	AudioSeconds float64           `json:"audio_seconds"`
	Characters   int               `json:"characters"`
	Stats        Stats             `json:"stats"`
	Chunks       []ChunkTiming     `json:"chunks"`
	ChunkFiles   []string          `json:"chunk_files,omitempty"`
	Subtitles    string            `json:"subtitles,omitempty"`
	Created      time.Time         `json:"created"`
}

func writeSidecar(job *Job, req providers.Request, res *Result, states []*chunkState, timings []ChunkTiming, pc *perChunkWriter) error {
	chars := 0
	for _, st := range states {
		chars += st.chunk.Runes()
	}
	enc := job.OutFormat
	rate := res.Format.SampleRate
	if job.OutRate != 0 {
		rate = job.OutRate
	}
	sc := sidecar{Chorus: "1", File: job.Out, Provider: job.Provider, Model: req.Model, Voice: req.Voice,
		Format: req.Format, Encoding: enc, SampleRate: rate, Channels: res.Format.Channels, Speed: req.Speed,
		Language: req.Language, Instructions: req.Instructions, Options: req.Options, ChunkChars: job.ChunkChars,
		AudioSeconds: res.Stats.AudioSeconds, Characters: chars, Stats: res.Stats, Chunks: timings,
		Subtitles: job.Subtitles, Created: time.Now().UTC()}
	if pc != nil {
		sc.ChunkFiles = pc.names
	}
	b, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		return err
	}
	return export.WriteFile(sidecarPath(job), append(b, '\n'), job.Force)
}

// ClipChunks is how many chunks of a history clip are still cached.
func (e *Engine) ClipChunks(clip cache.Clip) (cached, total int) {
	if e.Cache == nil {
		return 0, len(clip.Chunks)
	}
	for _, k := range clip.Chunks {
		if e.Cache.Has(k) {
			cached++
		}
	}
	return cached, len(clip.Chunks)
}

// PlayClip plays a history clip from the cache through sink (nil: the
// device), or, with out set, exports it there (encoded from the cached
// audio, no request). Chunks no longer cached are an error that says to
// speak the text again.
func (e *Engine) PlayClip(ctx context.Context, clip cache.Clip, sink player.Sink, out string, force bool) (*Result, error) {
	if e.Cache == nil {
		return nil, &providers.Error{Kind: providers.KindUnavailable, Message: "there is no cache to play from", Hint: "run without --no-cache"}
	}
	if len(clip.Chunks) == 0 {
		return nil, providers.Invalid(clip.Provider, "clip %d has no audio; speak its text again", clip.ID)
	}
	job := Job{Provider: clip.Provider, Out: out, Force: force, Play: out == "", Sink: sink}
	req := providers.Request{Text: clip.Text, Format: clip.Format}
	if out != "" {
		enc, ok := codec.EncodingFromPath(out)
		if !ok {
			return nil, providers.Invalid(clip.Provider, "cannot tell the format of %q from its extension; use .wav, .mp3, .flac, .ogg or .pcm", out)
		}
		job.OutFormat = enc
	}
	states := make([]*chunkState, len(clip.Chunks))
	for i, k := range clip.Chunks {
		states[i] = &chunkState{chunk: longtext.Chunk{Index: i}, key: k, buf: newByteStream(), ready: make(chan struct{})}
	}
	if cached, total := e.ClipChunks(clip); cached < total {
		return nil, &providers.Error{Provider: clip.Provider, Kind: providers.KindUnavailable,
			Message: "part of this clip's audio was evicted from the cache",
			Hint:    "speak its text again (only the missing parts are paid for)"}
	}
	return e.runChunks(ctx, &job, nil, e.Cache, states, req)
}
