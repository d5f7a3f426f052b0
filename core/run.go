package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"chorus/audio"
	"chorus/cache"
	"chorus/providers"
)

// runChunks is the one pipeline every job runs through: given the job's
// opened outputs (openOutputs), it schedules the chunks' requests (cache
// first), concatenates their audio into one stream, plays and/or exports
// it, then commits. p is nil when every chunk must come from the cache
// (history).
func (e *Engine) runChunks(ctx context.Context, job *Job, p providers.Provider, store *cache.Store, states []*chunkState, req providers.Request, out *outputs) (res *Result, err error) {
	defer out.abort()

	sink, err := e.openSinkFor(job, out.writes())
	if err != nil {
		return nil, err
	}

	ctx, cancel := context.WithCancel(ctx)
	ctx = providers.WithRetryNotice(ctx, func(r providers.Retry) { // e.g. "Server busy (HTTP 429), retrying in 2 s — attempt 2 of 4"
		job.event(StageNotice, r.String(), Stats{})
	})
	pl := &pipeline{e: e, job: job, p: p, store: store, states: states, start: time.Now(), changed: make(chan struct{})}
	if p != nil {
		pl.conc = concurrency(job, p.Capabilities())
	} else {
		pl.conc = 2
	}
	defer func() {
		cancel()
		pl.wg.Wait()
	}()
	res = &Result{Out: job.Out}
	ms := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return float64(t.Sub(pl.startTime()).Microseconds()) / 1000
	}
	pl.wg.Add(1)
	go pl.schedule(ctx)

	c := &chunkReader{ctx: ctx, pl: pl, perChunk: out.perChunk}
	c.keep = out.plan != nil && len(states) == 1 && out.plan.rate == 0
	if c.keep && sink == nil {
		c.saveOnly, c.saveAs = true, out.plan.enc
	}
	seq, err := c.stream()
	if err != nil {
		// Say what the failure cost: a request that failed was still sent.
		pl.mu.Lock()
		res.Stats.Requests, res.Stats.Bytes, res.Stats.CacheHits = pl.requests, pl.bytes, pl.hits
		pl.mu.Unlock()
		res.Stats.Chunks = len(states)
		return res, err
	}
	res.Encoding, res.Format = states[0].enc, c.format
	res.Stats.TTFBMs = ms(states[0].first)
	job.event(StageFirstByte, "", res.Stats)

	plan := out.plan
	if plan != nil && len(states) == 1 && plan.enc == states[0].enc && plan.rate == 0 {
		plan.raw = true
	}
	src := &meteredSource{Source: seq, ctx: ctx}
	var exportErr error
	var exportDone sync.WaitGroup
	var pipe *audio.Pipe
	if plan != nil && !plan.raw {
		if err := canEncode(job.Provider, plan.enc); err != nil {
			return nil, err
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
			if st.FirstAudio.After(pl.startTime()) {
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
	res.Stats.BilledChars = pl.billed
	pl.mu.Unlock()
	res.Stats.Chunks = len(states)
	res.Stats.CostUSD, res.Stats.CostKnown = e.cost(job.Provider, req.Model, states, res.Stats.BilledChars)
	if lt, ok := p.(LoadTimer); ok && len(states) > 0 {
		res.Stats.LoadMs = float64(lt.LoadTime(states[0].req.Voice).Microseconds()) / 1000
	}
	if c.format.SampleRate > 0 {
		res.Stats.AudioSeconds = float64(c.pos) / float64(c.format.SampleRate)
	}
	timings := chunkTimings(states, c.format)
	res.Words = shiftedWords(states, timings, job.cleaned)
	res.Chunks = timings
	var fromSource sourceError
	if exportErr != nil && ctx.Err() == nil && !errors.As(exportErr, &fromSource) {
		// The export failing is what stopped the stream; say that.
		if providers.KindOf(exportErr) == providers.KindValidation {
			return res, exportErr
		}
		return res, fmt.Errorf("writing %s: %w; nothing was replaced", job.Out, exportErr)
	}
	if playErr != nil {
		if errors.Is(playErr, context.Canceled) && ctx.Err() != nil {
			return res, context.Canceled
		}
		return res, playErr
	}
	if exportErr != nil {
		return res, fmt.Errorf("writing %s: %w; nothing was replaced", job.Out, exportErr)
	}
	// Every chunk was used, but a fetch may still be reading its
	// response's last bytes (a WAV decoder stops at its stated length)
	// before caching it and noting how long it took: let the fetches
	// finish, or the next replay would pay for that chunk again and the
	// history would miss its timing.
	pl.settle(10 * time.Second)
	if err := e.commit(job, p, store, req, res, out, states, timings); err != nil {
		return res, err
	}
	res.Stats.TotalMs = ms(time.Now())
	if job.OnProgress != nil {
		job.OnProgress(prog.final())
	}
	job.event(StageDone, "", res.Stats)
	return res, nil
}
