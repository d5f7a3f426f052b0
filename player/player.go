package player

import (
	"context"
	"errors"
	"io"

	"chorus/audio"
	"chorus/audio/resample"
)

// blockFrames is how many frames the pipeline moves at a time (10 ms at 48 kHz):
// small enough that the first audio reaches the sink at once.
const blockFrames = 480

// Adapt converts a source to the sink's rate and channel count.
func Adapt(src audio.Source, to audio.Format) audio.Source {
	return resample.New(resample.Channels(src, to.Channels), to.SampleRate)
}

// Play pulls src through rate and channel conversion into sink until src
// ends, then waits for the sink to finish. Cancelling ctx silences the sink
// at once and returns ctx's error. When src fails mid-way, what arrived is
// played out and the source's error is returned.
func Play(ctx context.Context, src audio.Source, sink Sink) error {
	f := sink.Format()
	conv := Adapt(src, f)
	buf := make([]float32, blockFrames*f.Channels)
	var srcErr error
	for {
		n, err := conv.Read(buf)
		if n > 0 {
			if werr := sink.Write(ctx, buf[:n]); werr != nil {
				sink.Stop()
				return werr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			srcErr = err
			break
		}
		if cerr := ctx.Err(); cerr != nil {
			sink.Stop()
			return cerr
		}
	}
	if err := sink.Drain(ctx); err != nil {
		sink.Stop()
		if srcErr != nil && !errors.Is(err, context.Canceled) {
			return srcErr
		}
		return err
	}
	return srcErr
}
