package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	gomp3 "github.com/hajimehoshi/go-mp3"

	"chorus/audio"
)

// MP3 decoding uses go-mp3 for the signal processing, but Chorus splits
// the stream into frames itself first. That gives three things go-mp3 lacks:
// it never seeks or scans ahead (so decoding starts with the first frame of a
// live stream), a stream cut inside a frame is reported instead of passing as
// a clean end, and the Xing/LAME header is read so encoder delay and padding
// can be trimmed the way ffmpeg and LAME-aware players do.

// decoderDelay is the MP3 synthesis filterbank delay (528 + 1 samples) that
// LAME's delay field does not include.
const decoderDelay = 529

// maxMP3Garbage bounds the bytes skipped while looking for the first frame.
const maxMP3Garbage = 64 << 10

// maxMP3Junk is the non-zero, non-tag bytes tolerated between frames once
// audio has started; more means the stream is corrupt.
const maxMP3Junk = 16

// isMP3Tag reports whether b starts a tag that may follow MP3 frames.
func isMP3Tag(b []byte) bool {
	return bytes.HasPrefix(b, []byte("TAG")) || bytes.HasPrefix(b, []byte("APET")) ||
		bytes.HasPrefix(b, []byte("ID3")) || bytes.HasPrefix(b, []byte("LYRI"))
}

// mp3Header is a parsed MPEG audio frame header.
type mp3Header struct {
	mpeg1      bool // MPEG-1 (else MPEG-2 LSF)
	mpeg25     bool
	layer      int
	rate       int
	channels   int
	size       int // whole frame in bytes
	crc        bool
	samples    int // per channel per frame
	sideInfo   int
	bitrateIdx int
}

var (
	mp3Bitrates1 = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}
	mp3Bitrates2 = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0}
	mp3Rates     = [3]int{44100, 48000, 32000}
)

// parseMP3Header decodes 4 header bytes; ok is false if they are not a
// plausible MPEG audio header.
func parseMP3Header(b []byte) (h mp3Header, ok bool) {
	if b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return h, false
	}
	version := (b[1] >> 3) & 3 // 0 = 2.5, 1 reserved, 2 = MPEG-2, 3 = MPEG-1
	layerBits := (b[1] >> 1) & 3
	brIdx := int(b[2] >> 4)
	srIdx := int(b[2]>>2) & 3
	if version == 1 || layerBits == 0 || brIdx == 15 || srIdx == 3 {
		return h, false
	}
	h.layer = 4 - int(layerBits)
	h.mpeg1 = version == 3
	h.mpeg25 = version == 0
	h.rate = mp3Rates[srIdx]
	switch version {
	case 2:
		h.rate /= 2
	case 0:
		h.rate /= 4
	}
	h.channels = 2
	if b[3]>>6 == 3 {
		h.channels = 1
	}
	h.crc = b[1]&1 == 0
	h.bitrateIdx = brIdx
	pad := int(b[2]>>1) & 1
	if h.layer != 3 || brIdx == 0 {
		return h, true // recognised, but rejected by the caller with a reason
	}
	if h.mpeg1 {
		h.samples = 1152
		h.size = 144*mp3Bitrates1[brIdx]*1000/h.rate + pad
		h.sideInfo = 32
		if h.channels == 1 {
			h.sideInfo = 17
		}
	} else {
		h.samples = 576
		h.size = 72*mp3Bitrates2[brIdx]*1000/h.rate + pad
		h.sideInfo = 17
		if h.channels == 1 {
			h.sideInfo = 9
		}
	}
	return h, true
}

// mp3Frames splits an MP3 byte stream into whole frames and serves them,
// one at a time, to go-mp3 as an io.Reader.
type mp3Frames struct {
	r     io.Reader
	first mp3Header
	frame []byte // current frame
	off   int    // bytes of frame already served
	err   error  // sticky: io.EOF or why the stream failed
	count int    // frames served
}

// readFull reads len(b) bytes, turning a short read into an error that
// explains the cut.
func (m *mp3Frames) readFull(b []byte) (int, error) {
	n, err := io.ReadFull(m.r, b)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return n, fmt.Errorf("the MP3 stream failed: %w", err)
	}
	return n, err
}

// next reads the next frame into m.frame. Bytes between frames that do not
// start a matching frame (tags, junk) are skipped; a frame cut short is an
// error, and running out of data between frames is io.EOF.
func (m *mp3Frames) next() error {
	var hdr [4]byte
	n, err := m.readFull(hdr[:])
	if n == 0 && errors.Is(err, io.EOF) {
		return io.EOF
	}
	skipped, junk, tag := 0, 0, false
	for {
		if n < 4 {
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				return err
			}
			return io.EOF // trailing bytes too short to be a frame: ignore them
		}
		if h, ok := parseMP3Header(hdr[:]); ok && h.size > 0 && h.rate == m.first.rate && h.mpeg1 == m.first.mpeg1 && h.layer == 3 {
			buf := make([]byte, h.size)
			copy(buf, hdr[:])
			got, err := m.readFull(buf[4:])
			if err != nil {
				if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
					return fmt.Errorf("the MP3 stream was cut off in the middle of frame %d (%d of %d bytes arrived): the download ended early", m.count+1, got+4, h.size)
				}
				return err
			}
			m.frame, m.off = buf, 0
			return nil
		}
		// Not a frame here: slide one byte. Tags (ID3v1 "TAG", APE, an
		// appended ID3v2) and zero padding may sit between or after frames;
		// anything else after audio has started is corruption.
		if skipped == 0 {
			tag = m.count > 0 && isMP3Tag(hdr[:])
		}
		if hdr[0] != 0 {
			junk++
		}
		if m.count > 0 && !tag && junk > maxMP3Junk {
			return fmt.Errorf("the MP3 stream is corrupt after frame %d: the bytes that follow (% x …) are not MP3 audio", m.count, hdr[:])
		}
		if skipped++; skipped > maxMP3Garbage {
			return fmt.Errorf("the MP3 stream is corrupt: no valid frame in %d bytes after frame %d", maxMP3Garbage, m.count)
		}
		copy(hdr[:], hdr[1:])
		var one [1]byte
		k, err := m.readFull(one[:])
		if k == 0 {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return io.EOF
			}
			return err
		}
		hdr[3] = one[0]
	}
}

// Read serves the current frame's bytes, fetching the next frame when it
// is used up.
func (m *mp3Frames) Read(p []byte) (int, error) {
	if m.off >= len(m.frame) {
		if m.err != nil {
			return 0, m.err
		}
		if err := m.next(); err != nil {
			m.err = err
			return 0, err
		}
		m.count++
	}
	n := copy(p, m.frame[m.off:])
	m.off += n
	return n, nil
}

// mp3Source adapts go-mp3's stereo s16le output to an audio.Source.
type mp3Source struct {
	frames   *mp3Frames
	dec      *gomp3.Decoder
	format   audio.Format
	skip     int64 // samples per channel still to drop at the start
	left     int64 // samples per channel still to deliver; -1 = no limit
	buf      []byte
	err      error
	headless bool // the stream held only the info frame
}

// newMP3Decoder skips an ID3v2 tag, finds the first frame, reads a
// Xing/LAME info frame if there is one, and starts go-mp3 on the audio
// frames.
func newMP3Decoder(r io.Reader) (audio.Source, error) {
	frames := &mp3Frames{r: r}
	first, err := findFirstMP3Frame(frames)
	if err != nil {
		return nil, err
	}
	h := frames.first
	s := &mp3Source{frames: frames, format: audio.Format{SampleRate: h.rate, Channels: h.channels}, left: -1}
	if info, ok := parseXing(first, h); ok {
		// The info frame carries no audio: drop it and trim as it says.
		if info.lame {
			s.skip = int64(info.delay + decoderDelay)
			if info.frames > 0 {
				s.left = max(int64(info.frames)*int64(h.samples)-int64(info.delay)-int64(info.padding), 0)
			}
		}
	} else {
		frames.frame, frames.off = first, 0
		frames.count = 1
	}
	dec, err := newGoMP3(frames)
	if err != nil {
		if errors.Is(err, io.EOF) && frames.err == io.EOF {
			s.headless = true // only a header: an empty clip
			return s, nil
		}
		if frames.err != nil && frames.err != io.EOF {
			return nil, fmt.Errorf("codec: %w", frames.err)
		}
		return nil, fmt.Errorf("codec: the MP3 stream is corrupt: %v", err)
	}
	s.dec = dec
	return s, nil
}

// newGoMP3 starts go-mp3, turning a panic on corrupt data into an error.
func newGoMP3(r io.Reader) (d *gomp3.Decoder, err error) {
	defer recoverAs(&err, crashOf("mp3 decoder"))
	return gomp3.NewDecoder(r)
}

// findFirstMP3Frame skips an ID3v2 tag and junk, then returns the first
// frame, checking it is MPEG layer III that go-mp3 can decode.
func findFirstMP3Frame(m *mp3Frames) ([]byte, error) {
	var hdr [10]byte
	n, err := m.readFull(hdr[:4])
	if n < 4 {
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("codec: %w", err)
		}
		return nil, badStart(m.r, hdr[:n], audio.MP3, io.ErrUnexpectedEOF)
	}
	if string(hdr[:3]) == "ID3" {
		if k, err := m.readFull(hdr[4:10]); err != nil {
			return nil, fmt.Errorf("codec: the MP3 stream was cut off inside its ID3 tag (%d bytes arrived)", 4+k)
		}
		size := int64(hdr[6]&0x7F)<<21 | int64(hdr[7]&0x7F)<<14 | int64(hdr[8]&0x7F)<<7 | int64(hdr[9]&0x7F)
		if hdr[5]&0x10 != 0 {
			size += 10 // footer
		}
		if k, err := io.CopyN(io.Discard, m.r, size); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("codec: the MP3 stream was cut off inside its ID3 tag (%d of %d bytes arrived)", 10+k, 10+size)
			}
			return nil, fmt.Errorf("codec: the MP3 stream failed: %w", err)
		}
		if n, err = m.readFull(hdr[:4]); n < 4 {
			if n == 0 && errors.Is(err, io.EOF) {
				return nil, errors.New("codec: the MP3 stream has an ID3 tag but no audio: the response was cut off or empty")
			}
			return nil, badStart(m.r, hdr[:n], audio.MP3, io.ErrUnexpectedEOF)
		}
	} else if looksLikeText(hdr[:4]) || isPlainText(hdr[:4]) && !mp3Sync(hdr[:4]) {
		return nil, badStart(m.r, hdr[:4], audio.MP3, nil)
	}
	start := append([]byte(nil), hdr[:4]...)
	for skipped := 0; ; skipped++ {
		if h, ok := parseMP3Header(hdr[:4]); ok {
			switch {
			case h.layer != 3:
				return nil, fmt.Errorf("codec: this is MPEG audio layer %d, not MP3 (layer III): only MP3 is supported", h.layer)
			case h.mpeg25:
				return nil, fmt.Errorf("codec: %d Hz MP3 (MPEG 2.5) cannot be decoded; ask the provider for 16 kHz or higher, or for wav/pcm", h.rate)
			case h.bitrateIdx == 0:
				return nil, errors.New("codec: free-format MP3 cannot be decoded; ask the provider for a standard bitrate")
			}
			m.first = h
			frame := make([]byte, h.size)
			copy(frame, hdr[:4])
			if k, err := m.readFull(frame[4:]); err != nil {
				if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
					return nil, fmt.Errorf("codec: the MP3 stream was cut off in its first frame (%d of %d bytes arrived)", 4+k, h.size)
				}
				return nil, fmt.Errorf("codec: %w", err)
			}
			return frame, nil
		}
		if skipped >= maxMP3Garbage {
			return nil, badStart(m.r, start, audio.MP3, nil)
		}
		copy(hdr[:3], hdr[1:4])
		if k, _ := m.readFull(hdr[3:4]); k == 0 {
			return nil, badStart(m.r, start, audio.MP3, io.ErrUnexpectedEOF)
		}
		if len(start) < 1024 {
			start = append(start, hdr[3]) // kept to describe what came instead
		}
	}
}

// mp3Sync reports whether b starts with an MPEG audio sync word.
func mp3Sync(b []byte) bool { return len(b) >= 2 && b[0] == 0xFF && b[1]&0xE0 == 0xE0 }

// xingInfo is what a Xing/Info (and LAME) header says about the stream.
type xingInfo struct {
	frames         int // audio frames, not counting the info frame; 0 = unknown
	lame           bool
	delay, padding int
}

// parseXing recognises an info frame (Xing, Info or VBRI) and reads the
// LAME encoder delay and padding from it.
func parseXing(frame []byte, h mp3Header) (xingInfo, bool) {
	var info xingInfo
	off := 4 + h.sideInfo
	if h.crc {
		off += 2
	}
	if len(frame) >= 4+32+4 && string(frame[36:40]) == "VBRI" {
		return info, true
	}
	if len(frame) < off+8 {
		return info, false
	}
	tag := string(frame[off : off+4])
	if tag != "Xing" && tag != "Info" {
		return info, false
	}
	flags := binary.BigEndian.Uint32(frame[off+4:])
	p := off + 8
	if flags&1 != 0 && len(frame) >= p+4 {
		info.frames = int(binary.BigEndian.Uint32(frame[p:]))
		p += 4
	}
	if flags&2 != 0 {
		p += 4
	}
	if flags&4 != 0 {
		p += 100
	}
	if flags&8 != 0 {
		p += 4
	}
	// LAME extension: 9-byte encoder string, then 12 bytes, then 3 bytes of
	// 12-bit delay and 12-bit padding.
	if len(frame) >= p+24 {
		enc := string(frame[p : p+4])
		if enc == "LAME" || enc == "Lavf" || enc == "Lavc" || enc == "GOGO" {
			d := frame[p+21:]
			info.lame = true
			info.delay = int(d[0])<<4 | int(d[1])>>4
			info.padding = int(d[1]&0x0F)<<8 | int(d[2])
		}
	}
	return info, true
}

// Format returns the real rate and channel count of the MP3.
func (s *mp3Source) Format() audio.Format { return s.format }

// Read decodes frames until at least one output frame is ready.
func (s *mp3Source) Read(p []float32) (int, error) {
	ch := s.format.Channels
	want := len(p) / ch
	if want == 0 {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.ErrShortBuffer
	}
	if s.headless {
		return 0, io.EOF
	}
	for s.err == nil {
		if s.left == 0 {
			s.err = io.EOF
			break
		}
		nb := min(want, 1152) * 4
		if cap(s.buf) < nb {
			s.buf = make([]byte, nb)
		}
		n, err := s.decode(s.buf[:nb])
		frames := int64(n / 4)
		b := s.buf[:frames*4]
		if drop := min(s.skip, frames); drop > 0 {
			b, frames, s.skip = b[drop*4:], frames-drop, s.skip-drop
		}
		if s.left >= 0 && frames > s.left {
			frames = s.left
			b = b[:frames*4]
		}
		if s.left > 0 {
			s.left -= frames
		}
		if err != nil {
			s.err = err
		}
		if frames > 0 {
			for i := range int(frames) {
				l := float32(int16(binary.LittleEndian.Uint16(b[4*i:]))) / 32768
				if ch == 1 {
					p[i] = l // go-mp3 duplicates mono into both channels
					continue
				}
				p[2*i] = l
				p[2*i+1] = float32(int16(binary.LittleEndian.Uint16(b[4*i+2:]))) / 32768
			}
			return int(frames) * ch, nil
		}
	}
	return 0, s.err
}

// decode reads PCM from go-mp3, converting its errors (and panics) to ones
// that say what happened.
func (s *mp3Source) decode(b []byte) (n int, err error) {
	// A panic leaves n at 0: it is only set when s.dec.Read returns.
	defer recoverAs(&err, func(p any) error {
		return fmt.Errorf("the MP3 stream is corrupt (the decoder failed at frame %d: %v)", s.frames.count, p)
	})
	n, err = s.dec.Read(b)
	if err == nil {
		return n, nil
	}
	if ferr := s.frames.err; ferr != nil && ferr != io.EOF {
		return n, ferr // cut or failed: the frame splitter knows why
	}
	if errors.Is(err, io.EOF) {
		return n, io.EOF
	}
	return n, fmt.Errorf("the MP3 stream is corrupt at frame %d: %v", s.frames.count, err)
}
