package core

import (
	"context"

	"chorus/audio"
	"chorus/player"
	"chorus/providers"
)

// playThrough plays src through the job's transport when it has one (the
// GUI's: pause, seek, waveform), else straight into the sink.
func playThrough(ctx context.Context, job *Job, src audio.Source, sink player.Sink) error {
	if job.Player != nil && job.Player.Sink() == sink {
		return job.Player.Play(ctx, src)
	}
	return player.Play(ctx, src, sink)
}

// collectWords gathers a response's word boundaries in the background (the
// provider closes the channel when its body ends). The returned function
// waits for the end and returns them; ch may be nil.
func collectWords(ch <-chan providers.WordBoundary) func() []providers.WordBoundary {
	if ch == nil {
		return func() []providers.WordBoundary { return nil }
	}
	var words []providers.WordBoundary
	done := make(chan struct{})
	go func() {
		defer close(done)
		for w := range ch {
			words = append(words, w)
		}
	}()
	return func() []providers.WordBoundary {
		<-done
		return words
	}
}
