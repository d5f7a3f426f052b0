package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"chorus/audio"
)

// toInt16 converts a float sample to 16-bit the way ffmpeg does: scale by
// 32768, round, and clip to the int16 range.
func toInt16(v float32) int16 {
	x := math.Round(float64(v) * 32768)
	switch {
	case x >= math.MaxInt16:
		return math.MaxInt16
	case x <= math.MinInt16:
		return math.MinInt16
	case x != x:
		return 0
	}
	return int16(x)
}

// rawEncoder writes raw s16le, mu-law or A-law bytes.
type rawEncoder struct {
	w      io.Writer
	kind   sampleKind
	ch     int
	buf    []byte
	closed bool
	n      int64 // bytes written
}

func newRawEncoder(w io.Writer, enc audio.Encoding, f audio.Format) *rawEncoder {
	kind := kindS16
	switch enc {
	case audio.MuLaw:
		kind = kindMuLaw
	case audio.ALaw:
		kind = kindALaw
	}
	return &rawEncoder{w: w, kind: kind, ch: f.Channels}
}

// Write encodes samples and writes them straight through.
func (e *rawEncoder) Write(samples []float32) error {
	if e.closed {
		return errors.New("codec: write after Close")
	}
	if len(samples)%e.ch != 0 {
		return fmt.Errorf("codec: %d samples is not a whole number of %d-channel frames", len(samples), e.ch)
	}
	size := len(samples) * e.kind.size()
	if cap(e.buf) < size {
		e.buf = make([]byte, size)
	}
	b := e.buf[:size]
	switch e.kind {
	case kindS16:
		for i, v := range samples {
			binary.LittleEndian.PutUint16(b[2*i:], uint16(toInt16(v)))
		}
	case kindMuLaw:
		for i, v := range samples {
			b[i] = muLawEncode(toInt16(v))
		}
	case kindALaw:
		for i, v := range samples {
			b[i] = aLawEncode(toInt16(v))
		}
	}
	n, err := e.w.Write(b)
	e.n += int64(n)
	if err != nil {
		return fmt.Errorf("codec: writing audio failed: %w", err)
	}
	return nil
}

// Close marks the end of the stream; raw audio has no trailer.
func (e *rawEncoder) Close() error {
	e.closed = true
	return nil
}

// wavEncoder writes 16-bit PCM WAV. Sizes in the header start as
// 0xFFFFFFFF ("until the end", as streaming servers write them) and are
// patched at Close when the writer can seek.
type wavEncoder struct {
	*rawEncoder
	seeker io.Seeker
	start  int64 // writer offset where the RIFF header begins
}

func newWAVEncoder(w io.Writer, f audio.Format) (*wavEncoder, error) {
	e := &wavEncoder{rawEncoder: newRawEncoder(w, audio.PCM, f)}
	if s, ok := w.(io.Seeker); ok {
		if pos, err := s.Seek(0, io.SeekCurrent); err == nil {
			e.seeker, e.start = s, pos
		}
	}
	var h [44]byte
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], 0xFFFFFFFF)
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], wavTagPCM)
	binary.LittleEndian.PutUint16(h[22:], uint16(f.Channels))
	binary.LittleEndian.PutUint32(h[24:], uint32(f.SampleRate))
	binary.LittleEndian.PutUint32(h[28:], uint32(f.SampleRate*f.Channels*2))
	binary.LittleEndian.PutUint16(h[32:], uint16(f.Channels*2))
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], 0xFFFFFFFF)
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("codec: writing the WAV header failed: %w", err)
	}
	return e, nil
}

// Close patches the RIFF and data sizes when the writer can seek, and
// leaves the writer positioned at the end of the file.
func (e *wavEncoder) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	if e.seeker == nil {
		return nil
	}
	data := e.n
	if data > math.MaxUint32-36 {
		data = math.MaxUint32 - 36 // too long for RIFF: readers will read to the end
	}
	var b [4]byte
	patch := func(off int64, v uint32) error {
		if _, err := e.seeker.Seek(e.start+off, io.SeekStart); err != nil {
			return err
		}
		binary.LittleEndian.PutUint32(b[:], v)
		_, err := e.w.Write(b[:])
		return err
	}
	if err := patch(4, uint32(36+data)); err != nil {
		return fmt.Errorf("codec: patching the WAV header failed (the file plays, but some players may misreport its length): %w", err)
	}
	if err := patch(40, uint32(data)); err != nil {
		return fmt.Errorf("codec: patching the WAV header failed (the file plays, but some players may misreport its length): %w", err)
	}
	if _, err := e.seeker.Seek(e.start+44+e.n, io.SeekStart); err != nil {
		return fmt.Errorf("codec: seeking back to the end of the WAV file failed: %w", err)
	}
	return nil
}
