package core

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/audio/resample"
	"chorus/cache"
	"chorus/export"
	"chorus/longtext"
	"chorus/player"
	"chorus/providers"
)

// DefaultConcurrency is how many chunks are synthesized at once when the
// provider sets no limit and the job does not say.
const DefaultConcurrency = 3

// Progress reports how a chunked synthesis is going. Offsets are bytes in
// Job.Request.Text, so a front end can select what is being spoken.
type Progress struct {
	Done      int // chunks synthesized or read from the cache
	Total     int // all chunks
	CacheHits int // chunks that came from the cache
	Chunk     int // the chunk being heard (or encoded), from 0

	ChunkStart, ChunkEnd int // that chunk's byte offsets
	Start, End           int // the sentence being spoken

	Position  time.Duration // audio heard (or encoded) so far
	Elapsed   time.Duration // since the job started
	Remaining time.Duration // estimate; 0 when unknown
}

// chunkLimit is the per-request limit that applies to a job: ChunkChars,
// else the provider's MaxChars, else none (0).
func chunkLimit(job *Job, caps providers.Capabilities) (int, error) {
	if job.ChunkChars < 0 {
		return 0, providers.Invalid(job.Provider, "the chunk size must be a positive number of characters, not %d", job.ChunkChars)
	}
	if job.ChunkChars > 0 {
		if caps.MaxChars > 0 && job.ChunkChars > caps.MaxChars {
			return 0, providers.Invalid(job.Provider, "a chunk of %d characters is above this provider's limit of %d per request; use %d or less",
				job.ChunkChars, caps.MaxChars, caps.MaxChars)
		}
		return job.ChunkChars, nil
	}
	return caps.MaxChars, nil
}

// perRequest is what validation sees of a request: text over the
// provider's limit is checked by its first chunk's worth, since Speak
// splits it.
func perRequest(req providers.Request, caps providers.Capabilities) providers.Request {
	if caps.MaxChars > 0 && utf8.RuneCountInString(req.Text) > caps.MaxChars {
		req.Text = string([]rune(req.Text)[:caps.MaxChars])
	}
	return req
}

// concurrency is how many requests a job may have in flight.
func concurrency(job *Job, caps providers.Capabilities) int {
	n := job.Concurrency
	if n <= 0 {
		n = caps.Concurrency
	}
	if n <= 0 {
		n = DefaultConcurrency
	}
	if caps.Concurrency > 0 && n > caps.Concurrency {
		n = caps.Concurrency
	}
	return n
}

// useLong decides whether a job goes through the chunked pipeline: when
// the text is over the per-request limit, when it asks for something only
// the pipeline makes (subtitles, per-chunk files, sidecar), or when there is
// a cache to use.
func (e *Engine) useLong(job *Job, caps providers.Capabilities, req providers.Request) (bool, error) {
	if job.Concurrency < 0 {
		return false, providers.Invalid(job.Provider, "the concurrency must be a positive number of requests, not %d", job.Concurrency)
	}
	limit, err := chunkLimit(job, caps)
	if err != nil {
		return false, err
	}
	if job.Sidecar && job.Out == "" {
		return false, providers.Invalid(job.Provider, "a sidecar describes an exported file: give an output file (--out) too")
	}
	if job.Subtitles != "" {
		if _, err := subtitleFormat(job.Subtitles); err != nil {
			return false, providers.Invalid(job.Provider, "%s", err.Error())
		}
	}
	long := limit > 0 && utf8.RuneCountInString(req.Text) > limit
	return long || job.Subtitles != "" || job.PerChunkDir != "" || job.Sidecar || (e.Cache != nil && !job.NoCache), nil
}

func subtitleFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".srt":
		return "srt", nil
	case ".vtt":
		return "vtt", nil
	}
	return "", fmt.Errorf("cannot tell the subtitle format of %q: name it .srt or .vtt", filepath.Base(path))
}

// chunkState is one chunk on its way from the provider (or the cache) to
// the concatenated stream.
type chunkState struct {
	chunk longtext.Chunk
	req   providers.Request
	key   cache.Key

	buf   *byteStream
	ready chan struct{} // closed once enc, hint and err are set
	enc   audio.Encoding
	hint  audio.Format
	err   error // the request failed before any audio

	mu       sync.Mutex
	words    []providers.WordBoundary // complete once buf is closed
	cached   bool
	requests int
	first    time.Time // first byte

	// Set by the concatenating reader, under pipeline.mu.
	opened     bool
	startFrame int64
	frames     int64
	finished   bool
}

func (st *chunkState) setWords(w []providers.WordBoundary) {
	st.mu.Lock()
	st.words = w
	st.mu.Unlock()
}

func (st *chunkState) getWords() []providers.WordBoundary {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.words
}

// pipeline runs the chunks of one job.
type pipeline struct {
	e      *Engine
	job    *Job
	p      providers.Provider // nil when every chunk must come from the cache
	store  *cache.Store
	states []*chunkState
	conc   int
	start  time.Time

	mu       sync.Mutex
	changed  chan struct{} // signalled when reading moves to another chunk or a chunk finishes
	reading  int           // the chunk the reader is on
	done     int
	hits     int
	requests int
	bytes    int64
	wg       sync.WaitGroup
}

func (pl *pipeline) signal() {
	pl.mu.Lock()
	close(pl.changed)
	pl.changed = make(chan struct{})
	pl.mu.Unlock()
}

// schedule starts the chunks in order: each as soon as it is within the
// look-ahead window (conc chunks past the one being read) and a request
// slot is free. Cached chunks take no slot.
func (pl *pipeline) schedule(ctx context.Context) {
	defer pl.wg.Done()
	sem := make(chan struct{}, pl.conc)
	for i, st := range pl.states {
		for {
			pl.mu.Lock()
			ok, ch := i <= pl.reading+pl.conc, pl.changed
			pl.mu.Unlock()
			if ok {
				break
			}
			select {
			case <-ch:
			case <-ctx.Done():
				pl.failRest(i, ctx.Err())
				return
			}
		}
		if pl.fromCache(st) {
			continue
		}
		if pl.p == nil {
			pl.fail(st, fmt.Errorf("this part of the clip is no longer in the cache; speak the text again to synthesize it"))
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			pl.failRest(i, ctx.Err())
			return
		}
		pl.wg.Add(1)
		go func() {
			defer pl.wg.Done()
			defer func() { <-sem }()
			pl.fetch(ctx, st)
		}()
	}
}

func (pl *pipeline) fail(st *chunkState, err error) {
	st.err = err
	close(st.ready)
	st.buf.Close(err)
}

func (pl *pipeline) failRest(from int, err error) {
	for _, st := range pl.states[from:] {
		pl.fail(st, err)
	}
}

// fromCache fills a chunk from the cache; false on a miss.
func (pl *pipeline) fromCache(st *chunkState) bool {
	if pl.store == nil {
		return false
	}
	data, ent, ok, _ := pl.store.Get(st.key)
	if !ok {
		return false
	}
	st.enc, st.hint, st.cached = ent.Encoding, ent.Format, true
	st.setWords(ent.Words)
	st.first = time.Now()
	// Count it before the reader can see it, so the figures are complete
	// when the last chunk has been played.
	pl.mu.Lock()
	pl.done++
	pl.hits++
	pl.bytes += int64(len(data))
	pl.mu.Unlock()
	close(st.ready)
	st.buf.Write(data)
	st.buf.Close(nil)
	pl.signal()
	return true
}

// fetch sends one chunk's request and copies its audio into the chunk's
// buffer as it arrives; the provider retries by its own policy.
func (pl *pipeline) fetch(ctx context.Context, st *chunkState) {
	a, err := pl.p.Synthesize(ctx, st.req)
	if err != nil {
		pl.fail(st, err)
		return
	}
	stop := context.AfterFunc(ctx, func() { a.Body.Close() })
	defer stop()
	defer a.Body.Close()
	st.enc, st.hint, st.requests = a.Encoding, a.Format, max(a.Requests, 1)
	pl.mu.Lock()
	pl.requests += st.requests
	pl.mu.Unlock()
	if st.requests > 1 {
		pl.job.event(StageNotice, fmt.Sprintf("chunk %d of %d needed %d attempts", st.chunk.Index+1, len(pl.states), st.requests), Stats{})
	}
	collected := collectWords(a.Words)
	close(st.ready)
	buf := make([]byte, 32<<10)
	var n int64
	var rerr error
	for {
		k, err := a.Body.Read(buf)
		if k > 0 {
			if n == 0 {
				st.first = time.Now()
			}
			n += int64(k)
			st.buf.Write(buf[:k])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			rerr = err
			break
		}
	}
	if rerr != nil {
		// Close Body first so a Words channel tied to it ends.
		a.Body.Close()
	}
	words := collected()
	st.setWords(words)
	pl.mu.Lock()
	pl.bytes += n
	pl.mu.Unlock()
	if rerr != nil {
		if ctx.Err() != nil {
			rerr = ctx.Err()
		}
		st.buf.Close(rerr)
		pl.signal()
		return
	}
	data := st.buf.Bytes() // before Close: the reader may release them right after
	st.buf.Close(nil)
	if pl.store != nil && codec.CheckAudio(data[:min(len(data), 64)], st.enc) == nil {
		// Paid for: keep it even if the user stops before hearing it.
		_ = pl.store.Put(st.key, data, cache.Entry{Encoding: st.enc, Format: st.hint, Words: words})
	}
	pl.mu.Lock()
	pl.done++
	pl.mu.Unlock()
	pl.signal()
}

// chunkErr names the chunk a failure happened in and what to do next.
func (pl *pipeline) chunkErr(st *chunkState, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if len(pl.states) == 1 {
		return err
	}
	hint := ""
	if pl.store != nil {
		hint = "; the chunks finished so far are cached, so running it again pays only for the rest"
	}
	return fmt.Errorf("chunk %d of %d (characters %d–%d): %w%s", st.chunk.Index+1, len(pl.states),
		st.chunk.RuneStart, st.chunk.RuneEnd, err, hint)
}

// concat reads the chunks' decoded audio one after the other as ONE
// source, in the format of the first chunk (later chunks are converted
// when they differ), so the player sees a single gapless stream.
type concat struct {
	ctx    context.Context
	pl     *pipeline
	format audio.Format
	i      int
	cur    audio.Source
	pos    int64 // frames read so far

	perChunk *perChunkWriter
	keep     bool // keep the first chunk's bytes (raw export)
}

// openChunk waits for chunk i's first bytes and starts decoding it.
func (c *concat) openChunk(i int) error {
	pl := c.pl
	st := pl.states[i]
	pl.mu.Lock()
	pl.reading = i
	pl.mu.Unlock()
	pl.signal()
	select {
	case <-st.ready:
	case <-c.ctx.Done():
		return c.ctx.Err()
	}
	if st.err != nil {
		return pl.chunkErr(st, st.err)
	}
	br := bufio.NewReaderSize(st.buf.Reader(c.ctx), 64<<10)
	head, _ := br.Peek(64)
	if len(head) == 0 {
		if err := st.buf.Err(); err != nil {
			return pl.chunkErr(st, decodeError(pl.job.Provider, c.ctx, err))
		}
	}
	if err := codec.CheckAudio(head, st.enc); err != nil {
		pl.dropCached(st)
		return pl.chunkErr(st, &providers.Error{Provider: pl.job.Provider, Kind: providers.KindNotAudio, Message: err.Error(), Err: err})
	}
	dec, err := codec.NewDecoder(br, st.enc, st.hint)
	if err != nil {
		pl.dropCached(st)
		return pl.chunkErr(st, decodeError(pl.job.Provider, c.ctx, err))
	}
	var src audio.Source = dec
	if i == 0 {
		c.format = dec.Format()
	} else if dec.Format() != c.format {
		src = resample.New(resample.Channels(dec, c.format.Channels), c.format.SampleRate)
	}
	c.i, c.cur = i, src
	pl.mu.Lock()
	st.startFrame = c.pos
	st.opened = true
	pl.mu.Unlock()
	if c.perChunk != nil {
		if err := c.perChunk.open(st, c.format); err != nil {
			return err
		}
	}
	return nil
}

func (pl *pipeline) dropCached(st *chunkState) {
	if pl.store != nil {
		_ = pl.store.Delete(st.key)
	}
}

func (c *concat) Format() audio.Format { return c.format }

func (c *concat) Read(p []float32) (int, error) {
	for {
		if c.cur == nil {
			return 0, io.EOF
		}
		if err := c.ctx.Err(); err != nil {
			return 0, err
		}
		n, err := c.cur.Read(p)
		st := c.pl.states[c.i]
		if n > 0 {
			fr := int64(n / c.format.Channels)
			c.pl.mu.Lock()
			c.pos += fr
			st.frames += fr
			c.pl.mu.Unlock()
			if c.perChunk != nil {
				if werr := c.perChunk.write(p[:n]); werr != nil {
					return n, werr
				}
			}
		}
		if err == nil {
			if n > 0 {
				return n, nil
			}
			continue
		}
		if err != io.EOF {
			c.pl.dropCached(st)
			return n, c.pl.chunkErr(st, decodeError(c.pl.job.Provider, c.ctx, err))
		}
		// Chunk finished: move on, keeping what was read.
		c.pl.mu.Lock()
		st.finished = true
		c.pl.mu.Unlock()
		if c.perChunk != nil {
			if werr := c.perChunk.close(); werr != nil {
				return n, werr
			}
		}
		if !(c.keep && c.i == 0) {
			st.buf.Release()
		}
		c.cur = nil
		if c.i+1 < len(c.pl.states) {
			if oerr := c.openChunk(c.i + 1); oerr != nil {
				return n, oerr
			}
		} else {
			c.pl.signal()
		}
		if n > 0 {
			return n, nil
		}
	}
}

// perChunkWriter writes each chunk to its own file in a folder.
type perChunkWriter struct {
	dir   string
	enc   audio.Encoding
	force bool
	total int
	file  *export.File
	coder codec.Encoder
	names []string
}

func (w *perChunkWriter) name(i int) string {
	return filepath.Join(w.dir, fmt.Sprintf("chunk-%04d%s", i+1, w.enc.Extension()))
}

func (w *perChunkWriter) open(st *chunkState, f audio.Format) error {
	file, err := export.Create(w.name(st.chunk.Index), w.force)
	if err != nil {
		return &providers.Error{Kind: providers.KindValidation, Message: err.Error(), Err: err}
	}
	enc, err := codec.NewEncoder(file, w.enc, f)
	if err != nil {
		file.Abort()
		return err
	}
	w.file, w.coder = file, enc
	return nil
}

func (w *perChunkWriter) write(p []float32) error {
	if w.coder == nil {
		return nil
	}
	return w.coder.Write(p)
}

func (w *perChunkWriter) close() error {
	if w.coder == nil {
		return nil
	}
	err := w.coder.Close()
	if err == nil {
		err = w.file.Commit()
	} else {
		w.file.Abort()
	}
	if err == nil {
		w.names = append(w.names, w.file.Target())
	}
	w.coder, w.file = nil, nil
	return err
}

func (w *perChunkWriter) abort() {
	if w != nil && w.file != nil {
		w.file.Abort()
		w.coder, w.file = nil, nil
	}
}

// speakLong runs a job through the chunked pipeline: split, synthesize
// ahead (cache first), concatenate into one stream, play and/or export,
// then write subtitles, a sidecar and the history entry.
func (e *Engine) speakLong(ctx context.Context, job Job, p providers.Provider, req providers.Request) (*Result, error) {
	caps := p.Capabilities()
	limit, _ := chunkLimit(&job, caps)
	if limit <= 0 {
		limit = 1 << 30
	}
	chunks, err := longtext.Split(req.Text, limit)
	if err != nil {
		return nil, providers.Invalid(job.Provider, "%s", err.Error())
	}
	if len(chunks) == 0 {
		return nil, providers.Invalid(job.Provider, "there is no text to speak: type or paste some first")
	}
	var store *cache.Store
	if !job.NoCache {
		store = e.Cache
	}
	states := make([]*chunkState, len(chunks))
	for i, c := range chunks {
		r := req
		r.Text = c.Text
		states[i] = &chunkState{chunk: c, req: r, key: cache.KeyFor(job.Provider, job.BaseURL, r),
			buf: newByteStream(), ready: make(chan struct{})}
	}
	return e.runChunks(ctx, &job, p, store, states, req)
}

// runChunks plays and/or exports a list of chunks. p is nil when they all
// must come from the cache (history).
func (e *Engine) runChunks(ctx context.Context, job *Job, p providers.Provider, store *cache.Store, states []*chunkState, req providers.Request) (res *Result, err error) {
	// Check every output before anything is paid for.
	var plan *exportPlan
	if job.Out != "" {
		plan = &exportPlan{enc: job.OutFormat, rate: job.OutRate}
		single := len(states) == 1 && string(plan.enc) == req.Format && plan.rate == 0
		if !single && !codec.CanEncode(plan.enc) {
			return nil, providers.Invalid(job.Provider, "Chorus cannot write %s files here; choose wav, mp3, flac or pcm (ogg and aac need ffmpeg)", plan.enc)
		}
		f, err := export.Create(job.Out, job.Force)
		if err != nil {
			return nil, &providers.Error{Kind: providers.KindValidation, Message: err.Error(), Err: err}
		}
		plan.file = f
		defer f.Abort()
	}
	for _, side := range []string{job.Subtitles, sidecarPath(job)} {
		if side == "" {
			continue
		}
		if err := checkWritable(side, job.Force); err != nil {
			return nil, &providers.Error{Kind: providers.KindValidation, Message: err.Error(), Err: err}
		}
	}
	var perChunk *perChunkWriter
	if job.PerChunkDir != "" {
		enc := job.OutFormat
		if enc == "" {
			enc = audio.WAV
		}
		if !codec.CanEncode(enc) {
			return nil, providers.Invalid(job.Provider, "Chorus cannot write %s files here; choose wav, mp3, flac or pcm", enc)
		}
		if err := os.MkdirAll(job.PerChunkDir, 0o755); err != nil {
			return nil, providers.Invalid(job.Provider, "cannot create the folder %s for per-chunk files: %v", job.PerChunkDir, err)
		}
		perChunk = &perChunkWriter{dir: job.PerChunkDir, enc: enc, force: job.Force, total: len(states)}
		if !job.Force {
			for _, st := range states {
				if _, err := os.Lstat(perChunk.name(st.chunk.Index)); err == nil {
					return nil, providers.Invalid(job.Provider, "%s already exists; choose another folder or allow replacing (--force)", perChunk.name(st.chunk.Index))
				}
			}
		}
		defer perChunk.abort()
	}

	sink, err := e.openSinkFor(job, plan != nil || job.Subtitles != "" || perChunk != nil)
	if err != nil {
		return nil, err
	}

	ctx, cancel := context.WithCancel(ctx)
	pl := &pipeline{e: e, job: job, p: p, store: store, states: states, start: time.Now(), changed: make(chan struct{})}
	if p != nil {
		pl.conc = concurrency(job, p.Capabilities())
	} else {
		pl.conc = 2
	}
	defer func() {
		if err == nil {
			// Every chunk was used, but its fetch may still be reading the
			// response's last bytes before caching it: let it finish, or
			// the next replay would pay for that chunk again.
			done := make(chan struct{})
			go func() { pl.wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
			}
		}
		cancel()
		pl.wg.Wait()
	}()
	res = &Result{Out: job.Out}
	ms := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return float64(t.Sub(pl.start).Microseconds()) / 1000
	}
	job.event(StageRequest, "", Stats{})
	pl.wg.Add(1)
	go pl.schedule(ctx)

	c := &concat{ctx: ctx, pl: pl, perChunk: perChunk}
	c.keep = plan != nil && len(states) == 1 && plan.rate == 0
	if err := c.openChunk(0); err != nil {
		return nil, err
	}
	res.Encoding, res.Format = states[0].enc, c.format
	res.Stats.TTFBMs = ms(states[0].first)
	job.event(StageFirstByte, "", res.Stats)

	if plan != nil && len(states) == 1 && plan.enc == states[0].enc && plan.rate == 0 {
		plan.raw = true
	}
	src := &meteredSource{Source: c, ctx: ctx}
	var exportErr error
	var exportDone sync.WaitGroup
	var pipe *audio.Pipe
	if plan != nil && !plan.raw {
		if !codec.CanEncode(plan.enc) {
			return nil, providers.Invalid(job.Provider, "Chorus cannot write %s files here; choose wav, mp3, flac or pcm", plan.enc)
		}
		pipe = audio.NewPipe(c.format, c.format.SampleRate*c.format.Channels)
		src.tee = pipe
		exportDone.Add(1)
		go func() {
			defer exportDone.Done()
			exportErr = encodeTo(plan, pipe)
			if exportErr != nil {
				pipe.CloseWithError(exportErr)
			}
		}()
	}

	prog := &progressor{pl: pl, c: c, sink: sink, text: req.Text, speed: req.Speed}
	progDone := make(chan struct{})
	if job.OnProgress != nil {
		pl.wg.Add(1)
		go func() {
			defer pl.wg.Done()
			prog.run(ctx, progDone)
		}()
	}

	var playErr error
	if sink != nil {
		playErr = playThrough(ctx, job, src, sink)
		st := sink.Stats()
		res.Stats.Underruns = st.Underruns
		if !st.FirstAudio.IsZero() {
			res.Played = true
			if st.FirstAudio.After(pl.start) {
				res.Stats.FirstAudioMs = ms(st.FirstAudio)
			}
		}
	} else {
		playErr = drain(ctx, src)
	}
	close(progDone)
	if pipe != nil {
		pipe.CloseWithError(playErr)
		exportDone.Wait()
	}
	if res.Stats.FirstAudioMs == 0 {
		res.Stats.FirstAudioMs = ms(src.first)
	}
	pl.mu.Lock()
	res.Stats.Requests, res.Stats.Bytes, res.Stats.CacheHits = pl.requests, pl.bytes, pl.hits
	pl.mu.Unlock()
	res.Stats.Chunks = len(states)
	if c.format.SampleRate > 0 {
		res.Stats.AudioSeconds = float64(c.pos) / float64(c.format.SampleRate)
	}
	timings := chunkTimings(states, c.format)
	res.Words = shiftedWords(states, timings)
	res.Chunks = timings
	if playErr != nil {
		if errors.Is(playErr, context.Canceled) && ctx.Err() != nil {
			return res, context.Canceled
		}
		return res, playErr
	}
	if exportErr != nil {
		return res, fmt.Errorf("writing %s: %w; nothing was replaced", job.Out, exportErr)
	}
	if plan != nil {
		if plan.raw {
			if _, err := plan.file.Write(states[0].buf.Bytes()); err != nil {
				return res, fmt.Errorf("writing %s: %w", job.Out, err)
			}
			if plan.enc == audio.WAV {
				if err := export.FixWAVSizes(plan.file.File); err != nil {
					return res, fmt.Errorf("writing %s: %w", job.Out, err)
				}
			}
		}
		if err := plan.file.Commit(); err != nil {
			return res, err
		}
	}
	if job.Subtitles != "" {
		format, _ := subtitleFormat(job.Subtitles)
		cues := Cues(req.Text, states, timings)
		data := export.FormatSRT(cues)
		if format == "vtt" {
			data = export.FormatVTT(cues)
		}
		if err := export.WriteFile(job.Subtitles, data, job.Force); err != nil {
			return res, err
		}
	}
	if job.Sidecar {
		if err := writeSidecar(job, req, res, states, timings, perChunk); err != nil {
			return res, err
		}
	}
	if store != nil && p != nil {
		keys := make([]cache.Key, len(states))
		for i, st := range states {
			keys[i] = st.key
		}
		_, _ = store.AddClip(cache.Clip{Text: req.Text, Provider: job.Provider, BaseURL: job.BaseURL, Model: req.Model,
			Voice: req.Voice, Format: req.Format, Speed: req.Speed, Language: req.Language, Options: req.Options,
			Duration: time.Duration(res.Stats.AudioSeconds * float64(time.Second)), Chunks: keys, Out: job.Out,
			CacheHits: res.Stats.CacheHits})
	}
	res.Stats.TotalMs = ms(time.Now())
	if job.OnProgress != nil {
		job.OnProgress(prog.final())
	}
	job.event(StageDone, "", res.Stats)
	return res, nil
}

// openSinkFor opens the sink of a job that plays; without a device, a job
// that also writes files goes on silently.
func (e *Engine) openSinkFor(job *Job, writes bool) (player.Sink, error) {
	if !job.Play {
		return nil, nil
	}
	s := job.Sink
	var err error
	if s == nil {
		s, err = e.Sink()
	}
	if err == nil {
		if job.OnSink != nil {
			job.OnSink(s)
		}
		return s, nil
	}
	if !writes {
		return nil, &providers.Error{Kind: providers.KindUnavailable, Message: err.Error(),
			Hint: "check that a sound server (PulseAudio or PipeWire) is running; you can still save to a file with --out or Export", Err: err}
	}
	job.event(StageNotice, "no audio output ("+err.Error()+"); saving the file only", Stats{})
	return nil, nil
}

func sidecarPath(job *Job) string {
	if !job.Sidecar || job.Out == "" {
		return ""
	}
	return job.Out + ".json"
}

func checkWritable(path string, force bool) error {
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s: %w; choose another name or allow replacing it (--force)", path, export.ErrExists)
		}
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("cannot write %s: folder %s does not exist", path, dir)
	}
	return nil
}

// ChunkTiming is where one chunk's audio sits in the whole clip.
type ChunkTiming struct {
	Index      int           `json:"index"`
	Start      int           `json:"start"` // byte offsets in the text
	End        int           `json:"end"`
	RuneStart  int           `json:"rune_start"`
	RuneEnd    int           `json:"rune_end"`
	AudioStart time.Duration `json:"-"`
	AudioEnd   time.Duration `json:"-"`
	StartMs    float64       `json:"start_ms"`
	EndMs      float64       `json:"end_ms"`
	Cached     bool          `json:"cached"`
	Requests   int           `json:"requests,omitempty"`
}

func frameTime(frames int64, f audio.Format) time.Duration {
	if f.SampleRate <= 0 {
		return 0
	}
	return time.Duration(frames) * time.Second / time.Duration(f.SampleRate)
}

// chunkTimings lists the chunks that were read, with their real times.
func chunkTimings(states []*chunkState, f audio.Format) []ChunkTiming {
	var out []ChunkTiming
	for _, st := range states {
		if !st.finished && st.frames == 0 {
			break
		}
		a, b := frameTime(st.startFrame, f), frameTime(st.startFrame+st.frames, f)
		out = append(out, ChunkTiming{Index: st.chunk.Index, Start: st.chunk.Start, End: st.chunk.End,
			RuneStart: st.chunk.RuneStart, RuneEnd: st.chunk.RuneEnd, AudioStart: a, AudioEnd: b,
			StartMs: float64(a.Microseconds()) / 1000, EndMs: float64(b.Microseconds()) / 1000,
			Cached: st.cached, Requests: st.requests})
	}
	return out
}

func shiftedWords(states []*chunkState, timings []ChunkTiming) []providers.WordBoundary {
	var out []providers.WordBoundary
	for i, t := range timings {
		for _, w := range states[i].getWords() {
			w.Offset += t.AudioStart
			out = append(out, w)
		}
	}
	return out
}

// weight is how long a piece of text takes to say, in arbitrary units:
// its non-space characters plus a pause for each sentence or clause mark.
func weight(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
		case strings.ContainsRune(".!?。！？…;:,，、", r):
			w += 3
		default:
			w++
		}
	}
	return w + 2
}

// pieceStarts returns when each piece (byte spans of text) starts within
// an audio segment of length dur: from the provider's word timings when
// there are enough, else in proportion to each piece's weight.
func pieceStarts(text string, spans []longtext.Span, dur time.Duration, words []providers.WordBoundary) []time.Duration {
	out := make([]time.Duration, len(spans))
	if len(words) > 0 {
		wi := 0
		ok := true
		for i, sp := range spans {
			if wi >= len(words) {
				ok = false
				break
			}
			out[i] = words[wi].Offset
			wi += len(strings.Fields(text[sp.Start:sp.End]))
		}
		if ok && len(words)*10 >= countWords(text, spans)*8 {
			return out
		}
	}
	total := 0.0
	ws := make([]float64, len(spans))
	for i, sp := range spans {
		ws[i] = weight(text[sp.Start:sp.End])
		total += ws[i]
	}
	acc := 0.0
	for i := range spans {
		out[i] = time.Duration(float64(dur) * acc / total)
		acc += ws[i]
	}
	return out
}

func countWords(text string, spans []longtext.Span) int {
	n := 0
	for _, sp := range spans {
		n += len(strings.Fields(text[sp.Start:sp.End]))
	}
	return n
}

// subtitleChars is the longest subtitle cue, in characters (two lines of 42).
const subtitleChars = 84

// Cues builds subtitle cues from the chunks that were heard: one per
// sentence (longer ones cut at clauses), timed by the provider's word
// boundaries where sent, else spread over the chunk's real duration.
func Cues(text string, states []*chunkState, timings []ChunkTiming) []export.Cue {
	var cues []export.Cue
	for i, t := range timings {
		ct := states[i].chunk.Text
		var spans []longtext.Span
		for _, s := range longtext.Sentences(ct) {
			parts, _ := longtext.Split(ct[s.Start:s.End], subtitleChars)
			for _, p := range parts {
				spans = append(spans, longtext.Span{Start: s.Start + p.Start, End: s.Start + p.End})
			}
		}
		dur := t.AudioEnd - t.AudioStart
		starts := pieceStarts(ct, spans, dur, states[i].getWords())
		for k, sp := range spans {
			end := dur
			if k+1 < len(spans) {
				end = starts[k+1]
			}
			if end <= starts[k] {
				continue
			}
			cues = append(cues, export.Cue{Start: t.AudioStart + starts[k], End: t.AudioStart + end, Text: ct[sp.Start:sp.End]})
		}
	}
	return cues
}
