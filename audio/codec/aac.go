package codec

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"chorus/audio"
	"chorus/internal/childenv"
)

// adtsRates maps the ADTS sampling-frequency index to a rate in Hz.
var adtsRates = [...]int{96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}

// adtsHeader is what Chorus needs from one ADTS frame header.
type adtsHeader struct {
	format audio.Format
	length int // whole frame, header included
}

// parseADTS reads the 7-byte ADTS header at the start of b.
func parseADTS(b []byte) (adtsHeader, bool) {
	if len(b) < 7 || b[0] != 0xFF || b[1]&0xF6 != 0xF0 {
		return adtsHeader{}, false
	}
	idx := int(b[2]>>2) & 0x0F
	ch := int(b[2]&1)<<2 | int(b[3]>>6)
	length := int(b[3]&3)<<11 | int(b[4])<<3 | int(b[5]>>5)
	if idx >= len(adtsRates) || length < 7 {
		return adtsHeader{}, false
	}
	if ch == 0 {
		ch = 2 // channel layout given in the stream: ffmpeg is asked for stereo
	}
	return adtsHeader{format: audio.Format{SampleRate: adtsRates[idx], Channels: ch}, length: length}, true
}

// CheckADTS walks the ADTS frames of a whole AAC stream and returns an error
// when it holds no frame, or when anything but a whole frame follows one
// (garbage, or a frame cut short). It is the structural check used when
// AAC is saved without ffmpeg to decode it.
func CheckADTS(b []byte) error {
	frames := 0
	for off := 0; off < len(b); {
		h, ok := parseADTS(b[off:])
		if !ok {
			if frames == 0 {
				return fmt.Errorf("the data is not AAC audio (it starts with % x)", b[off:min(len(b), off+8)])
			}
			return fmt.Errorf("the AAC stream is corrupt after %d frames (byte %d is not a frame header)", frames, off)
		}
		if off+h.length > len(b) {
			return fmt.Errorf("the AAC stream was cut off in frame %d", frames+1)
		}
		off += h.length
		frames++
	}
	if frames == 0 {
		return errors.New("the AAC stream holds no audio")
	}
	return nil
}

// ffmpegSource decodes through an ffmpeg process that writes f32le samples.
type ffmpegSource struct {
	*pcmSource
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	fed    chan error
	once   sync.Once
	end    error
}

// newFFmpegAACDecoder decodes ADTS AAC through ffmpeg when it is installed,
// and returns ErrAACPlayback otherwise.
func newFFmpegAACDecoder(r io.Reader, _ audio.Encoding, _ audio.Format) (audio.Source, error) {
	bin := ffmpegPath()
	if bin == "" {
		return nil, ErrAACPlayback
	}
	br := bufio.NewReader(r)
	head, err := br.Peek(7)
	h, ok := parseADTS(head)
	if !ok {
		return nil, badStart(br, head, audio.AAC, err)
	}
	f := h.format
	cmd := exec.Command(bin, "-hide_banner", "-loglevel", "error", "-f", "aac", "-i", "pipe:0",
		"-f", "f32le", "-ac", strconv.Itoa(f.Channels), "-ar", strconv.Itoa(f.SampleRate), "pipe:1")
	cmd.Env = childenv.Environ()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("codec: starting ffmpeg failed: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("codec: starting ffmpeg failed: %v", err)
	}
	s := &ffmpegSource{cmd: cmd, stderr: &bytes.Buffer{}, fed: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("codec: starting ffmpeg failed: %v", err)
	}
	go func() {
		_, err := io.Copy(stdin, br)
		stdin.Close()
		s.fed <- err
	}()
	s.pcmSource = newPCMSource(stdout, f, kindF32, "AAC", -1)
	return s, nil
}

// Read returns decoded samples; at the end it reports ffmpeg's verdict, so a
// stream ffmpeg could not decode is an error, not a short success.
func (s *ffmpegSource) Read(p []float32) (int, error) {
	n, err := s.pcmSource.Read(p)
	if err == nil {
		return n, nil
	}
	s.once.Do(func() {
		feedErr := <-s.fed
		waitErr := s.cmd.Wait()
		switch {
		case feedErr != nil:
			s.end = fmt.Errorf("codec: reading AAC failed: %w", feedErr)
		case waitErr != nil || s.stderr.Len() > 0:
			first, _, _ := strings.Cut(strings.TrimSpace(s.stderr.String()), "\n")
			s.end = fmt.Errorf("codec: the AAC stream is corrupt (ffmpeg: %s)", first)
		}
	})
	if err == io.EOF && s.end != nil {
		return n, s.end
	}
	return n, err
}

// NewADTSWalker returns a Source for AAC that is saved, not played, when
// ffmpeg is missing: it reads the stream frame by frame, checking each ADTS
// header, and yields silence of each frame's length (1024 samples per
// channel), so the stream's duration is measured and a corrupt stream fails.
// Never send its samples to a speaker.
func NewADTSWalker(r io.Reader) (audio.Source, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(7)
	h, ok := parseADTS(head)
	if !ok {
		return nil, badStart(br, head, audio.AAC, err)
	}
	return &adtsWalker{r: br, format: h.format}, nil
}

// adtsWalker is the Source NewADTSWalker returns.
type adtsWalker struct {
	r       *bufio.Reader
	format  audio.Format
	pending int // samples (all channels) of silence still to yield
	frames  int
	err     error
}

func (w *adtsWalker) Format() audio.Format { return w.format }

func (w *adtsWalker) Read(p []float32) (int, error) {
	for w.pending == 0 {
		if w.err != nil {
			return 0, w.err
		}
		w.err = w.next()
	}
	n := min(len(p)-len(p)%w.format.Channels, w.pending)
	clear(p[:n])
	w.pending -= n
	return n, nil
}

// next reads one frame.
func (w *adtsWalker) next() error {
	head, err := w.r.Peek(7)
	if len(head) == 0 && errors.Is(err, io.EOF) {
		if w.frames == 0 {
			return errors.New("codec: the AAC stream holds no audio")
		}
		return io.EOF
	}
	h, ok := parseADTS(head)
	if !ok {
		return fmt.Errorf("codec: the AAC stream is corrupt after %d frames", w.frames)
	}
	if _, err := w.r.Discard(h.length); err != nil {
		return fmt.Errorf("codec: the AAC stream was cut off in frame %d", w.frames+1)
	}
	w.frames++
	w.pending = 1024 * w.format.Channels
	return nil
}
