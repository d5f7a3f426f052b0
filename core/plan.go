package core

import (
	"unicode/utf8"

	"chorus/cache"
	"chorus/longtext"
	"chorus/providers"
)

// DefaultConcurrency is how many chunks are synthesized at once when the
// provider sets no limit and the job does not say.
const DefaultConcurrency = 3

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
	model := req.Model
	if model == "" {
		model = caps.DefaultModel()
	}
	if limit := caps.MaxCharsFor(model); limit > 0 && utf8.RuneCountInString(req.Text) > limit {
		req.Text = string([]rune(req.Text)[:limit])
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

// checkJob refuses job settings no request could fix, before anything is
// sent or written.
func checkJob(job *Job, caps providers.Capabilities) error {
	if job.Concurrency < 0 {
		return providers.Invalid(job.Provider, "the concurrency must be a positive number of requests, not %d", job.Concurrency)
	}
	if _, err := chunkLimit(job, caps); err != nil {
		return err
	}
	if job.Sidecar && job.Out == "" {
		return providers.Invalid(job.Provider, "a sidecar describes an exported file: give an output file (--out) too")
	}
	if job.Subtitles != "" {
		if _, err := subtitleFormat(job.Subtitles); err != nil {
			return providers.Invalid(job.Provider, "%s", err.Error())
		}
	}
	return nil
}

// chunkGrowth is the growth schedule planChunks uses under a limit; nil
// packs every chunk up to the limit (benchmarks compare the two).
var chunkGrowth = &longtext.DefaultGrowth

// SplitText splits text into the chunks a job sends under a per-request
// limit of limit characters (0: no limit, one chunk). Front ends call it
// to show the chunk count the job will really have.
func SplitText(text string, limit int) ([]longtext.Chunk, error) {
	switch {
	case limit <= 0:
		return longtext.Split(text, 1<<30)
	case chunkGrowth != nil:
		return longtext.SplitBalanced(text, limit, *chunkGrowth)
	}
	return longtext.Split(text, limit)
}

// planChunks splits a job's text into the requests that will be sent, one
// chunk state each, with its cache key. Under a per-request limit (above
// longtext.DefaultGrowth.First) the first chunk is one sentence and the
// chunks grow toward the limit
// (longtext.SplitGrowing, with longtext.SplitBalanced's tail), so the first audio does not wait for a full-size
// request; exports use the same plan, so playing and exporting a text share
// cache entries.
func planChunks(job *Job, caps providers.Capabilities, req providers.Request) ([]*chunkState, error) {
	limit, _ := chunkLimit(job, caps)
	chunks, err := SplitText(req.Text, limit)
	if err != nil {
		return nil, providers.Invalid(job.Provider, "%s", err.Error())
	}
	if len(chunks) == 0 {
		return nil, providers.Invalid(job.Provider, "there is no text to speak: type or paste some first")
	}
	states := make([]*chunkState, len(chunks))
	for i, c := range chunks {
		r := req
		if len(chunks) > 1 {
			// One chunk is the request as it came, white space and all.
			r.Text = c.Text
		}
		states[i] = newChunkState(c, r, cache.KeyFor(job.Provider, job.BaseURL, r))
	}
	return states, nil
}

func newChunkState(c longtext.Chunk, req providers.Request, key cache.Key) *chunkState {
	return &chunkState{chunk: c, req: req, key: key, buf: newByteStream(), ready: make(chan struct{})}
}
