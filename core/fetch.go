package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/cache"
	"chorus/longtext"
	"chorus/providers"
)

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
	first    time.Time     // first byte
	took     time.Duration // from sending the request to its last byte (fetched chunks)
	reqID    string        // the service's ID of the request (Audio.RequestID)

	// Set by the concatenating reader, under pipeline.mu.
	opened     bool
	startFrame int64
	frames     int64
	finished   bool
}

// fetchTime is how long the chunk's request took; 0 while it is still
// being read, or when it came from the cache.
func (st *chunkState) fetchTime() time.Duration {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.took
}

func (st *chunkState) setWords(w []providers.WordBoundary) {
	st.mu.Lock()
	st.words = w
	st.mu.Unlock()
}

func (st *chunkState) setRequestID(id string) {
	st.mu.Lock()
	st.reqID = id
	st.mu.Unlock()
}

func (st *chunkState) requestID() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.reqID
}

// maxPreviousIDs is how many previous request IDs a request carries (the
// most ElevenLabs takes).
const maxPreviousIDs = 3

// previousIDs are the request IDs of the chunks just before chunk i,
// oldest first, up to maxPreviousIDs, stopping at the first chunk whose ID
// is not known. Chunks are fetched concurrently, so only the IDs of
// requests already answered when chunk i starts can be sent: with a
// concurrency above 1 the next chunks often start before the one before
// them has answered, and go without (a cached chunk has no ID either).
func (pl *pipeline) previousIDs(i int) []string {
	var ids []string
	for k := i - 1; k >= 0 && len(ids) < maxPreviousIDs; k-- {
		id := pl.states[k].requestID()
		if id == "" {
			break
		}
		ids = append([]string{id}, ids...)
	}
	return ids
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

	startOnce sync.Once

	mu       sync.Mutex
	start    time.Time     // when the first chunk got going (see started)
	changed  chan struct{} // signalled when reading moves to another chunk or a chunk finishes
	reading  int           // the chunk the reader is on
	done     int
	hits     int
	requests int
	bytes    int64
	billed   int // characters the services said they billed (Audio.Characters)
	wg       sync.WaitGroup
}

// settle waits, at most limit, for the scheduler and every fetch to end.
func (pl *pipeline) settle(limit time.Duration) {
	done := make(chan struct{})
	go func() { pl.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
	}
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
		// The provider's slot, shared with every other job of the
		// process, is taken here in chunk order and held until the
		// chunk's response has been read.
		release, err := acquireSlot(ctx, pl.p)
		if err != nil {
			<-sem
			pl.failRest(i, err)
			return
		}
		pl.started()
		st.req.PreviousRequestIDs = pl.previousIDs(i)
		pl.wg.Add(1)
		go func() {
			defer pl.wg.Done()
			defer func() { <-sem }()
			defer release()
			pl.fetch(ctx, st)
		}()
	}
}

// started marks the moment the job's first chunk got going (a request
// slot, or the cache): the job's times count from it, so waiting for
// another job's request is not measured as this one's latency.
func (pl *pipeline) started() {
	pl.startOnce.Do(func() {
		pl.mu.Lock()
		pl.start = time.Now()
		pl.mu.Unlock()
		pl.job.event(StageRequest, "", Stats{})
	})
}

// startTime is when the job got going (see started).
func (pl *pipeline) startTime() time.Time {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.start
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
	pl.started() // before the reader can see the chunk, so events stay in order
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
	begin := time.Now()
	a, err := pl.p.Synthesize(ctx, st.req)
	if err != nil {
		if n := sentBeforeFailing(err); n > 0 {
			st.requests = n
			pl.mu.Lock()
			pl.requests += n
			pl.mu.Unlock()
		}
		pl.fail(st, err)
		return
	}
	stop := context.AfterFunc(ctx, func() { a.Body.Close() })
	defer stop()
	defer a.Body.Close()
	st.enc, st.hint, st.requests = a.Encoding, a.Format, max(a.Requests, 1)
	st.setRequestID(a.RequestID)
	pl.mu.Lock()
	pl.requests += st.requests
	pl.billed += a.Characters
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
			// Count the bytes before the reader can see them: a decoder
			// that knows its length (WAV) ends before the response does.
			pl.mu.Lock()
			pl.bytes += int64(k)
			pl.mu.Unlock()
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
	if rerr != nil {
		if ctx.Err() != nil {
			rerr = ctx.Err()
		}
		st.buf.Close(rerr)
		pl.signal()
		return
	}
	st.mu.Lock()
	st.took = time.Since(begin) // read by the commit, which waits for this (pipeline.settle)
	st.mu.Unlock()
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

// sentBeforeFailing is how many requests a failed Synthesize sent: the
// count the error carries, else one when the service answered (an HTTP
// status, or a failure only a response can cause), else none.
func sentBeforeFailing(err error) int {
	var pe *providers.Error
	if !errors.As(err, &pe) {
		return 0
	}
	if pe.Requests > 0 {
		return pe.Requests
	}
	switch pe.Kind {
	case providers.KindAuth, providers.KindForbidden, providers.KindNotFound, providers.KindRateLimit,
		providers.KindServer, providers.KindCutStream, providers.KindNotAudio:
		return 1
	}
	if pe.Status != 0 {
		return 1
	}
	return 0
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

func (pl *pipeline) dropCached(st *chunkState) {
	if pl.store != nil {
		_ = pl.store.Delete(st.key)
	}
}
