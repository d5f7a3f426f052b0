// Package player turns a stream of decoded samples into sound: a pipeline of
// streaming stages (rate and channel conversion) that ends in a Sink. The
// Sink is the only part that touches a device, so everything above it is
// tested by pulling samples from a memory sink, the way oto tests its mixer.
package player

import (
	"context"
	"time"

	"chorus/audio"
)

// Sink is where played samples go: a sound device, or memory in tests.
type Sink interface {
	// Format is the rate and channel count the sink takes.
	Format() audio.Format
	// Write queues interleaved samples in the sink's format. It blocks while
	// the sink's buffer is full, and returns early with ctx's error.
	Write(ctx context.Context, samples []float32) error
	// Drain waits until everything queued has been heard, or ctx ends.
	Drain(ctx context.Context) error
	// Stop discards queued audio and silences the output at once.
	Stop()
	// Pause holds playback where it is; Resume continues it.
	Pause()
	Resume()
	// Stats reports what the sink has done since it last started.
	Stats() SinkStats
}

// SinkStats describes the current or last playback.
type SinkStats struct {
	Played     time.Duration // audio handed to the device so far
	FirstAudio time.Time     // when the first sample reached the device (zero if none)
	Underruns  int           // times the device ran dry before the stream ended
}
