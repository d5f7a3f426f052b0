package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"chorus/audio"
)

// sampleKind is how one sample is stored in uncompressed audio.
type sampleKind int

const (
	kindU8 sampleKind = iota // unsigned 8-bit, 128 = silence
	kindS16
	kindS24
	kindS32
	kindF32
	kindF64
	kindMuLaw
	kindALaw
)

// size returns the bytes one sample of kind k takes.
func (k sampleKind) size() int {
	switch k {
	case kindU8, kindMuLaw, kindALaw:
		return 1
	case kindS16:
		return 2
	case kindS24:
		return 3
	case kindS32, kindF32:
		return 4
	case kindF64:
		return 8
	}
	return 0
}

// maxPCMRead caps the bytes a single Read asks of the underlying reader.
const maxPCMRead = 64 << 10

// pcmSource decodes fixed-size sample frames from a byte stream: the payload
// of a WAV file, raw s16le, or raw G.711.
type pcmSource struct {
	r         io.Reader
	format    audio.Format
	kind      sampleKind
	name      string // "WAV", "raw PCM": used in error messages
	remaining int64  // payload bytes still expected; -1 = until EOF
	buf       []byte // bytes read from r; buf[:have] are not yet decoded
	have      int
	err       error // sticky error once the stream has ended
}

func newPCMSource(r io.Reader, f audio.Format, kind sampleKind, name string, size int64) *pcmSource {
	frame := int64(f.Channels * kind.size())
	if size >= 0 {
		size -= size % frame // a trailing partial frame in a sized chunk is ignored
	}
	return &pcmSource{r: r, format: f, kind: kind, name: name, remaining: size}
}

// Format returns the rate and channel count of the decoded samples.
func (s *pcmSource) Format() audio.Format { return s.format }

// Read decodes whole frames into p. It returns as soon as at least one whole
// frame has arrived.
func (s *pcmSource) Read(p []float32) (int, error) {
	ch := s.format.Channels
	frames := len(p) / ch
	if frames == 0 {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.ErrShortBuffer
	}
	if s.err != nil && s.have == 0 {
		return 0, s.err
	}
	frameBytes := ch * s.kind.size()
	want := frames * frameBytes
	if want > maxPCMRead {
		want = max(maxPCMRead-maxPCMRead%frameBytes, frameBytes)
	}
	if s.remaining >= 0 && int64(want) > s.remaining+int64(s.have) {
		want = int(s.remaining) + s.have
	}
	if cap(s.buf) < want {
		nb := make([]byte, want)
		copy(nb, s.buf[:s.have])
		s.buf = nb
	}
	s.buf = s.buf[:cap(s.buf)]
	empty := 0
	for s.have < frameBytes && s.err == nil {
		if s.remaining == 0 {
			s.err = io.EOF
			break
		}
		limit := want
		if limit <= s.have {
			limit = s.have + frameBytes
		}
		n, err := s.r.Read(s.buf[s.have:limit])
		s.have += n
		if s.remaining > 0 {
			s.remaining -= int64(n)
		}
		switch {
		case err == io.EOF:
			s.err = s.endError()
		case err != nil:
			s.err = fmt.Errorf("the %s stream failed: %w", s.name, err)
		case n == 0:
			if empty++; empty > 100 {
				s.err = fmt.Errorf("the %s stream stopped delivering data: %w", s.name, io.ErrNoProgress)
			}
		}
	}
	whole := s.have / frameBytes
	if whole == 0 {
		if s.have > 0 && s.err == io.EOF {
			return 0, fmt.Errorf("the %s stream ended in the middle of a sample frame (%s): the download was cut off", s.name, plural(s.have, "stray byte"))
		}
		if s.have > 0 && s.err != nil {
			return 0, fmt.Errorf("%w (and %s left)", s.err, plural(s.have, "stray byte", "was", "were"))
		}
		return 0, s.err
	}
	if whole > frames {
		whole = frames
	}
	n := whole * ch
	decodeSamples(p[:n], s.buf[:whole*frameBytes], s.kind)
	s.have = copy(s.buf, s.buf[whole*frameBytes:s.have])
	return n, nil
}

// endError decides what reaching EOF at the current point means.
func (s *pcmSource) endError() error {
	if s.remaining > 0 {
		return fmt.Errorf("the %s stream was cut off: %s of audio data %s announced but never arrived", s.name, plural(s.remaining, "byte"), were(s.remaining))
	}
	return io.EOF
}

// decodeSamples converts len(dst) samples of kind k from src to float32.
func decodeSamples(dst []float32, src []byte, k sampleKind) {
	switch k {
	case kindU8:
		for i := range dst {
			dst[i] = float32(int(src[i])-128) / 128
		}
	case kindS16:
		for i := range dst {
			dst[i] = float32(int16(binary.LittleEndian.Uint16(src[2*i:]))) / 32768
		}
	case kindS24:
		for i := range dst {
			b := src[3*i:]
			v := int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24) >> 8
			dst[i] = float32(v) / (1 << 23)
		}
	case kindS32:
		for i := range dst {
			dst[i] = float32(float64(int32(binary.LittleEndian.Uint32(src[4*i:]))) / (1 << 31))
		}
	case kindF32:
		for i := range dst {
			dst[i] = clampSample(math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:])))
		}
	case kindF64:
		for i := range dst {
			dst[i] = clampSample(float32(math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:]))))
		}
	case kindMuLaw:
		for i := range dst {
			dst[i] = muLawTable[src[i]]
		}
	case kindALaw:
		for i := range dst {
			dst[i] = aLawTable[src[i]]
		}
	}
}

// clampSample limits v to [-1, 1] and turns NaN into silence.
func clampSample(v float32) float32 {
	switch {
	case v > 1:
		return 1
	case v < -1:
		return -1
	case v != v:
		return 0
	}
	return v
}

// newRawDecoder decodes headerless s16le, mu-law or A-law with the rate and
// channel count from hint.
func newRawDecoder(r io.Reader, enc audio.Encoding, hint audio.Format) (audio.Source, error) {
	if !hint.Valid() {
		return nil, fmt.Errorf("codec: %s has no header, so it needs a sample rate and channel count; got %q (e.g. OpenAI pcm is 24000 Hz mono)", describe(enc), hint.String())
	}
	kind := kindS16
	switch enc {
	case audio.MuLaw:
		kind = kindMuLaw
	case audio.ALaw:
		kind = kindALaw
	}
	return &rawSource{pcmSource: newPCMSource(r, hint, kind, describe(enc), -1), enc: enc}, nil
}

// rawSource is a pcmSource that first checks the opening bytes for an error
// page or JSON body, since headerless audio cannot announce itself.
type rawSource struct {
	*pcmSource
	enc     audio.Encoding
	checked bool
}

// rawCheckBytes is how much of a raw stream is inspected before samples
// are released: enough to recognise "<!DOCTYPE html>" or `{"error":`.
const rawCheckBytes = 16

// Read checks the start of the stream once, then decodes frames.
func (s *rawSource) Read(p []float32) (int, error) {
	if !s.checked {
		s.checked = true
		if err := s.checkStart(); err != nil {
			s.err = err
			s.have = 0
			return 0, err
		}
	}
	return s.pcmSource.Read(p)
}

// checkStart reads the first rawCheckBytes (or up to EOF) into the buffer
// and rejects text that is clearly not audio.
func (s *rawSource) checkStart() error {
	if cap(s.buf) < 4096 {
		s.buf = make([]byte, 4096)
	}
	s.buf = s.buf[:cap(s.buf)]
	n, err := io.ReadAtLeast(s.r, s.buf[:rawCheckBytes], rawCheckBytes)
	s.have = n
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("the %s stream failed: %w", s.name, err)
	}
	if n == 0 {
		return fmt.Errorf("the %s stream was empty: no audio came back", s.name)
	}
	if err != nil {
		s.err = io.EOF // short stream: what we have is all there is
	}
	if !looksLikeText(s.buf[:n]) && !(isPlainText(s.buf[:n]) && isProse(s.buf[:n])) {
		return nil
	}
	// Probably an error body: read a little more so the message can quote it.
	if s.err == nil {
		m, rerr := io.ReadFull(s.r, s.buf[n:])
		n += m
		if rerr != nil {
			s.err = io.EOF
		}
	}
	if cerr := CheckAudio(s.buf[:n], s.enc); cerr != nil {
		return cerr
	}
	s.have = n
	return nil
}

func mathFloat32bits(v float32) uint32 { return math.Float32bits(v) }
