package codec

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/pion/opus"
	"github.com/pion/opus/pkg/oggreader"

	"chorus/audio"
)

// opusRate is the rate Opus is decoded at: its native rate, so no
// resampling happens inside the decoder.
const opusRate = 48000

// maxOpusFrame is the longest Opus packet, 120 ms at 48 kHz, per channel.
const maxOpusFrame = 5760

// recorder remembers the first bytes read through it, so that a failed
// header parse can say what the bytes were.
type recorder struct {
	r    io.Reader
	head []byte
}

func (c *recorder) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if room := 1024 - len(c.head); room > 0 {
		c.head = append(c.head, p[:min(n, room)]...)
	}
	return n, err
}

// opusSource decodes Ogg Opus packet by packet with pion/opus.
type opusSource struct {
	frameQueue
	ogg      *oggreader.OggReader
	dec      opus.Decoder
	format   audio.Format
	skip     int    // pre-skip samples still to drop
	decoded  uint64 // samples per channel decoded so far, pre-skip included
	pcm      []float32
	packets  int
	lastPage *oggreader.OggPageHeader
}

// newOpusDecoder reads the OpusHead page and prepares a decoder at 48 kHz.
func newOpusDecoder(r io.Reader) (audio.Source, error) {
	rec := &recorder{r: r}
	ogg, head, err := newOggReader(rec)
	if err != nil {
		if len(rec.head) == 0 || !bytes.HasPrefix(rec.head, []byte("OggS")) {
			return nil, badStart(r, rec.head, audio.Opus, errOrNil(err))
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("codec: the Ogg Opus header was cut off after %s: the response is truncated", plural(len(rec.head), "byte"))
		}
		if len(rec.head) >= 36 && string(rec.head[28:36]) != "OpusHead" {
			return nil, fmt.Errorf("codec: this Ogg stream holds %q, not Opus: only Opus is supported in Ogg", printable(rec.head[28:36]))
		}
		return nil, fmt.Errorf("codec: the Ogg Opus header is corrupt: %v", err)
	}
	if head.Channels < 1 || head.Channels > 2 {
		return nil, fmt.Errorf("codec: Opus with %d channels is not supported (mono and stereo are)", head.Channels)
	}
	f := audio.Format{SampleRate: opusRate, Channels: int(head.Channels)}
	dec, err := opus.NewDecoderWithOutput(opusRate, f.Channels)
	if err != nil {
		return nil, fmt.Errorf("codec: cannot start the Opus decoder: %v", err)
	}
	return &opusSource{ogg: ogg, dec: dec, format: f, skip: int(head.PreSkip), pcm: make([]float32, maxOpusFrame*f.Channels)}, nil
}

// errOrNil maps end-of-data errors to io.ErrUnexpectedEOF (header cut) and
// parse errors to nil (bytes present but wrong), for badStart.
func errOrNil(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return io.ErrUnexpectedEOF
	}
	return nil
}

// newOggReader wraps oggreader.NewWith, turning a panic into an error.
func newOggReader(r io.Reader) (o *oggreader.OggReader, h *oggreader.OggHeader, err error) {
	defer recoverAs(&err, crashOf("ogg reader"))
	return oggreader.NewWith(r)
}

// Format returns 48 kHz and the stream's channel count.
func (s *opusSource) Format() audio.Format { return s.format }

// Read decodes packets until at least one frame is ready.
func (s *opusSource) Read(p []float32) (int, error) {
	return s.read(p, s.format.Channels, s.decodeNext)
}

// decodeNext decodes one packet into s.pending, dropping pre-skip samples
// at the start and end padding beyond the final granule position.
func (s *opusSource) decodeNext() (err error) {
	defer recoverAs(&err, func(p any) error {
		return fmt.Errorf("the Opus stream is corrupt (the decoder failed at packet %d: %v)", s.packets, p)
	})
	packet, page, err := s.ogg.ParseNextPacket()
	if err != nil {
		switch {
		case errors.Is(err, io.EOF):
			return io.EOF
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("the Ogg Opus stream was cut off after packet %d: the download ended early", s.packets)
		}
		return fmt.Errorf("the Ogg Opus stream is corrupt after packet %d: %v", s.packets, err)
	}
	s.packets++
	if s.packets == 1 && bytes.HasPrefix(packet, []byte("OpusTags")) {
		return nil
	}
	if len(packet) == 0 {
		return nil
	}
	n, err := s.dec.DecodeToFloat32(packet, s.pcm)
	if err != nil {
		return fmt.Errorf("the Opus stream is corrupt at packet %d: %v", s.packets, err)
	}
	before := s.decoded
	s.decoded += uint64(n)
	// End trimming: the granule position of a page is the sample count at
	// the end of its last packet; only the final page ends mid-packet.
	if g := page.GranulePosition; g != ^uint64(0) && g >= before && g < s.decoded {
		n = int(g - before)
	}
	out := s.pcm[:n*s.format.Channels]
	if s.skip > 0 {
		drop := min(s.skip, n)
		s.skip -= drop
		out = out[drop*s.format.Channels:]
	}
	for i, v := range out {
		out[i] = clampSample(v)
	}
	s.pending = out
	return nil
}
