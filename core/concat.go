package core

import (
	"bufio"
	"context"
	"errors"
	"io"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/audio/resample"
	"chorus/providers"
)

// chunkReader decodes the chunks one after the other as ONE source (an
// audio.Seq), in the format of the first chunk (later chunks are converted
// when they differ), so the player sees a single gapless stream.
type chunkReader struct {
	ctx    context.Context
	pl     *pipeline
	format audio.Format
	pos    int64 // frames read so far, under pl.mu

	perChunk *perChunkWriter
	keep     bool // keep the first chunk's bytes (raw export)
	saveOnly bool // nothing plays: a format Chorus cannot decode may still be saved as it came
	saveAs   audio.Encoding
}

// open waits for chunk i's first bytes and starts decoding it; io.EOF
// past the last chunk.
func (c *chunkReader) open(i int) (audio.Source, error) {
	pl := c.pl
	if i >= len(pl.states) {
		pl.signal()
		return nil, io.EOF
	}
	st := pl.states[i]
	pl.mu.Lock()
	pl.reading = i
	pl.mu.Unlock()
	pl.signal()
	select {
	case <-st.ready:
	case <-c.ctx.Done():
		return nil, c.ctx.Err()
	}
	if st.err != nil {
		return nil, pl.chunkErr(st, st.err)
	}
	br := bufio.NewReaderSize(st.buf.Reader(c.ctx), 64<<10)
	head, _ := br.Peek(64)
	if len(head) == 0 {
		if err := st.buf.Err(); err != nil {
			return nil, pl.chunkErr(st, decodeError(pl.job.Provider, c.ctx, err))
		}
	}
	if err := codec.CheckAudio(head, st.enc); err != nil {
		pl.dropCached(st)
		return nil, pl.chunkErr(st, &providers.Error{Provider: pl.job.Provider, Kind: providers.KindNotAudio, Message: err.Error(), Err: err})
	}
	dec, err := codec.NewDecoder(br, st.enc, st.hint)
	if errors.Is(err, codec.ErrAACPlayback) && c.saveOnly && c.saveAs == st.enc { // AAC saved as it came, not played
		dec, err = codec.NewADTSWalker(br)
	}
	if err != nil {
		pl.dropCached(st)
		return nil, pl.chunkErr(st, decodeError(pl.job.Provider, c.ctx, err))
	}
	var src audio.Source = dec
	if i == 0 {
		c.format = dec.Format()
	} else if dec.Format() != c.format {
		src = resample.New(resample.Channels(dec, c.format.Channels), c.format.SampleRate)
	}
	pl.mu.Lock()
	st.startFrame = c.pos
	st.opened = true
	pl.mu.Unlock()
	if c.perChunk != nil {
		if err := c.perChunk.open(st, c.format); err != nil {
			return nil, err
		}
	}
	return &chunkSource{c: c, st: st, src: src}, nil
}

// chunkSource is one chunk's decoded audio: it counts frames, feeds the
// per-chunk file, and names the chunk in its errors.
type chunkSource struct {
	c   *chunkReader
	st  *chunkState
	src audio.Source
}

func (s *chunkSource) Format() audio.Format { return s.c.format }

func (s *chunkSource) Read(p []float32) (int, error) {
	c, pl, st := s.c, s.c.pl, s.st
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := s.src.Read(p)
	if n > 0 {
		fr := int64(n / c.format.Channels)
		pl.mu.Lock()
		c.pos += fr
		st.frames += fr
		pl.mu.Unlock()
		if c.perChunk != nil {
			if werr := c.perChunk.write(p[:n]); werr != nil {
				return n, werr
			}
		}
	}
	if err == nil {
		return n, nil
	}
	if err != io.EOF {
		pl.dropCached(st)
		return n, pl.chunkErr(st, decodeError(pl.job.Provider, c.ctx, err))
	}
	// The chunk is finished.
	pl.mu.Lock()
	st.finished = true
	pl.mu.Unlock()
	if c.perChunk != nil {
		if werr := c.perChunk.close(); werr != nil {
			return n, werr
		}
	}
	if !(c.keep && st.chunk.Index == 0) {
		st.buf.Release()
	}
	return n, io.EOF
}

// stream opens the first chunk and returns the whole sequence.
func (c *chunkReader) stream() (*audio.Sequence, error) {
	first, err := c.open(0)
	if err != nil {
		return nil, err
	}
	return audio.Seq(first, c.open), nil
}
