package core

import (
	"context"

	"chorus/audio"
	"chorus/player"
)

// playThrough plays src through the job's transport when it has one (the
// GUI's: pause, seek, waveform), else straight into the sink.
func playThrough(ctx context.Context, job *Job, src audio.Source, sink player.Sink) error {
	if job.Player != nil && job.Player.Sink() == sink {
		return job.Player.Play(ctx, src)
	}
	return player.Play(ctx, src, sink)
}
