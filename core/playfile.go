package core

import (
	"context"
	"fmt"
	"os"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/player"
)

// PlayFile plays an audio file (any format Chorus decodes; headerless PCM is
// taken as 24 kHz mono) through the sink, or the device when sink is nil.
func (e *Engine) PlayFile(ctx context.Context, path string, sink player.Sink) error {
	enc, ok := codec.EncodingFromPath(path)
	if !ok {
		return fmt.Errorf("cannot tell the format of %s from its extension; Chorus plays %s files", path, codec.ExportExtensionList())
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	src, err := codec.NewDecoder(f, enc, audio.Format{SampleRate: 24000, Channels: 1})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if sink == nil {
		if sink, err = e.Sink(); err != nil {
			return err
		}
	}
	return player.Play(ctx, src, sink)
}
