package compare

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"chorus/audio/codec"

	"chorus/core"
	"chorus/player"
)

// DefaultGap is the silence between voices when playing them in turn.
const DefaultGap = 600 * time.Millisecond

// PlayInTurn plays every rendered result of s, in order, through sink (nil
// opens the engine's sink each time), with gap between them. onPlay, when
// set, is told the index of each result as it starts. It stops at the first
// error or when ctx ends.
func PlayInTurn(ctx context.Context, engine *core.Engine, s *Session, gap time.Duration, sink player.Sink, onPlay func(index int)) error {
	first := true
	for _, r := range s.Results {
		if !r.OK() {
			continue
		}
		if !first {
			select {
			case <-time.After(gap):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		first = false
		if onPlay != nil {
			onPlay(r.Index)
		}
		if err := PlayResult(ctx, engine, r, sink); err != nil {
			return err
		}
	}
	return nil
}

// PlayResult plays one rendered result through sink, or the engine's sink
// when sink is nil. Cancelling ctx silences it at once.
func PlayResult(ctx context.Context, engine *core.Engine, r Result, sink player.Sink) error {
	if !r.OK() {
		return errors.New("this voice has no audio; render it first")
	}
	f, err := os.Open(r.File)
	if err != nil {
		return fmt.Errorf("the rendered audio is gone (%w); render again", err)
	}
	defer f.Close()
	src, err := codec.NewDecoder(f, r.Encoding, r.Format)
	if err != nil {
		return err
	}
	if sink == nil {
		if sink, err = engine.Sink(); err != nil {
			return err
		}
	}
	return player.Play(ctx, src, sink)
}
