package core

import (
	"context"

	"chorus/audio/codec"
	"chorus/cache"
	"chorus/longtext"
	"chorus/player"
	"chorus/providers"
)

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
			return nil, providers.Invalid(clip.Provider, "cannot tell the format of %q from its extension; name it %s", out, codec.ExportExtensionList())
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
	outs, err := openOutputs(&job, states, req)
	if err != nil {
		return nil, err
	}
	return e.runChunks(ctx, &job, nil, e.Cache, states, req, outs)
}
