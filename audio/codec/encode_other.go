package codec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	shine "github.com/braheezy/shine-mp3/pkg/mp3"
	"github.com/mewkiz/flac"
	"github.com/mewkiz/flac/frame"
	"github.com/mewkiz/flac/meta"

	"chorus/audio"
	"chorus/internal/childenv"
)

// flacBlockSize is the samples per channel in each FLAC frame.
const flacBlockSize = 4096

// offsetWriteSeeker presents w as if it started at offset base, and hides
// any Close method so the FLAC library cannot close the caller's writer.
type offsetWriteSeeker struct {
	w    io.Writer
	s    io.Seeker
	base int64
}

func (o *offsetWriteSeeker) Write(p []byte) (int, error) { return o.w.Write(p) }

func (o *offsetWriteSeeker) Seek(off int64, whence int) (int64, error) {
	if whence == io.SeekStart {
		off += o.base
	}
	n, err := o.s.Seek(off, whence)
	return n - o.base, err
}

// plainWriter hides everything but Write.
type plainWriter struct{ w io.Writer }

func (p plainWriter) Write(b []byte) (int, error) { return p.w.Write(b) }

// flacEncoder writes 16-bit FLAC with fixed-prediction frames.
type flacEncoder struct {
	enc    *flac.Encoder
	out    io.Writer
	seeker *offsetWriteSeeker
	f      audio.Format
	block  [][]int32 // per channel, pending samples
	closed bool
}

func newFLACEncoder(w io.Writer, f audio.Format) (Encoder, error) {
	if f.SampleRate > 655350 || f.Channels > 8 {
		return nil, fmt.Errorf("codec: FLAC cannot store %s", f)
	}
	var out io.Writer = plainWriter{w}
	var ows *offsetWriteSeeker
	if s, ok := w.(io.Seeker); ok {
		if pos, err := s.Seek(0, io.SeekCurrent); err == nil {
			ows = &offsetWriteSeeker{w: w, s: s, base: pos}
			out = ows
		}
	}
	info := &meta.StreamInfo{
		BlockSizeMin:  flacBlockSize,
		BlockSizeMax:  flacBlockSize,
		SampleRate:    uint32(f.SampleRate),
		NChannels:     uint8(f.Channels),
		BitsPerSample: 16,
	}
	enc, err := flac.NewEncoder(out, info)
	if err != nil {
		return nil, fmt.Errorf("codec: writing the FLAC header failed: %v", err)
	}
	e := &flacEncoder{enc: enc, out: out, seeker: ows, f: f, block: make([][]int32, f.Channels)}
	for c := range e.block {
		e.block[c] = make([]int32, 0, flacBlockSize)
	}
	return e, nil
}

// Write buffers samples and writes every full block as a FLAC frame.
func (e *flacEncoder) Write(samples []float32) error {
	if e.closed {
		return errors.New("codec: write after Close")
	}
	ch := e.f.Channels
	if len(samples)%ch != 0 {
		return fmt.Errorf("codec: %d samples is not a whole number of %d-channel frames", len(samples), ch)
	}
	for i := 0; i < len(samples); i += ch {
		for c := range ch {
			e.block[c] = append(e.block[c], int32(toInt16(samples[i+c])))
		}
		if len(e.block[0]) == flacBlockSize {
			if err := e.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush encodes the pending samples as one frame.
func (e *flacEncoder) flush() error {
	n := len(e.block[0])
	if n == 0 {
		return nil
	}
	channels := frame.ChannelsMono
	switch e.f.Channels {
	case 2:
		channels = frame.ChannelsLR
	case 3:
		channels = frame.ChannelsLRC
	case 4:
		channels = frame.ChannelsLRLsRs
	case 5:
		channels = frame.ChannelsLRCLsRs
	case 6:
		channels = frame.ChannelsLRCLfeLsRs
	case 7:
		channels = frame.ChannelsLRCLfeCsSlSr
	case 8:
		channels = frame.ChannelsLRCLfeLsRsSlSr
	}
	fr := &frame.Frame{
		Header: frame.Header{
			HasFixedBlockSize: true,
			BlockSize:         uint16(n),
			SampleRate:        uint32(e.f.SampleRate),
			Channels:          channels,
			BitsPerSample:     16,
		},
	}
	for c := range e.f.Channels {
		fr.Subframes = append(fr.Subframes, &frame.Subframe{
			SubHeader: frame.SubHeader{Pred: frame.PredVerbatim},
			Samples:   e.block[c],
			NSamples:  n,
		})
	}
	if err := e.enc.WriteFrame(fr); err != nil {
		return fmt.Errorf("codec: writing FLAC audio failed: %v", err)
	}
	for c := range e.block {
		e.block[c] = e.block[c][:0]
	}
	return nil
}

// Close writes the last (short) frame, rewrites STREAMINFO with the length
// and MD5 when the writer can seek, and leaves the writer at the end.
func (e *flacEncoder) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	if err := e.flush(); err != nil {
		return err
	}
	var end int64
	if e.seeker != nil {
		var err error
		if end, err = e.seeker.Seek(0, io.SeekCurrent); err != nil {
			return fmt.Errorf("codec: finishing the FLAC file failed: %v", err)
		}
	}
	if err := e.enc.Close(); err != nil {
		return fmt.Errorf("codec: finishing the FLAC file failed: %v", err)
	}
	if e.seeker != nil {
		if _, err := e.seeker.Seek(end, io.SeekStart); err != nil {
			return fmt.Errorf("codec: seeking back to the end of the FLAC file failed: %v", err)
		}
	}
	return nil
}

// mp3Encoder writes 128 kb/s MP3 with the pure-Go Shine encoder.
//
// Shine v0.2.0 sizes mono frames wrongly except at 22050 and 24000 Hz (its
// frames come out longer or shorter than their headers say, which breaks
// decoders), and its MPEG-2.5 frames (8000 to 12000 Hz) do not decode. Mono
// at the other rates is therefore written as two identical channels, and
// rates below 16000 Hz are refused.
//
// Shine writes its bitstream in 32-bit words, so the last bytes of a frame
// stay inside the encoder until the next frame pushes them out, and the Go
// port has no flush. The encoder therefore holds its output back, cuts it
// into frames by their headers, and at Close encodes one silent frame more
// to push the last real frame out whole, then drops that extra frame.
type mp3Encoder struct {
	w       io.Writer
	enc     *shine.Encoder
	ch      int  // channels of the samples written to the encoder
	dup     bool // mono input written as two identical channels
	rate    int
	perPass int // samples per channel per MP3 frame
	pending []int16
	out     []byte // encoded bytes not yet cut into whole frames
	frames  int    // real frames encoded
	emitted int    // frames written to w
	closed  bool
}

// shineRates are the rates Shine can encode.
var shineRates = []int{44100, 48000, 32000, 22050, 24000, 16000}

// mp3Bitrate is Shine's fixed bitrate in kb/s.
const mp3Bitrate = 128

func newMP3Encoder(w io.Writer, f audio.Format) (Encoder, error) {
	ok := false
	for _, r := range shineRates {
		ok = ok || r == f.SampleRate
	}
	if !ok || f.Channels > 2 {
		return nil, fmt.Errorf("codec: MP3 cannot be written at %s; resample to 16000 Hz or more (24000, 44100 or 48000 are usual; --sample-rate on the CLI), mono or stereo", f)
	}
	perPass := 1152
	if f.SampleRate < 32000 {
		perPass = 576
	}
	ch, dup := f.Channels, false
	if ch == 1 && f.SampleRate != 22050 && f.SampleRate != 24000 {
		ch, dup = 2, true
	}
	return &mp3Encoder{w: w, enc: shine.NewEncoder(f.SampleRate, ch), ch: ch, dup: dup, rate: f.SampleRate, perPass: perPass}, nil
}

// Write encodes every complete MP3 frame's worth of samples.
func (e *mp3Encoder) Write(samples []float32) error {
	if e.closed {
		return errors.New("codec: write after Close")
	}
	if !e.dup && len(samples)%e.ch != 0 {
		return fmt.Errorf("codec: %d samples is not a whole number of %d-channel frames", len(samples), e.ch)
	}
	for _, v := range samples {
		e.pending = append(e.pending, toInt16(v))
		if e.dup {
			e.pending = append(e.pending, toInt16(v))
		}
	}
	return e.encode(false)
}

// encode encodes whole frames from pending; at the end it pads the last
// partial frame with silence.
func (e *mp3Encoder) encode(final bool) error {
	size := e.perPass * e.ch
	if final && len(e.pending)%size != 0 {
		e.pending = append(e.pending, make([]int16, size-len(e.pending)%size)...)
	}
	done := 0
	for ; len(e.pending)-done >= size; done += size {
		out, n := e.enc.EncodeBufferInterleaved(e.pending[done : done+size])
		e.out = append(e.out, out[:n]...)
		e.frames++
	}
	e.pending = e.pending[:copy(e.pending, e.pending[done:])]
	return e.emit()
}

// frameLen is the length of the frame whose header starts b: 144 (MPEG-1)
// or 72 (MPEG-2/2.5) × bitrate / rate bytes, plus the padding byte.
func (e *mp3Encoder) frameLen(b []byte) int {
	coef := 144
	if e.rate < 32000 {
		coef = 72
	}
	return coef*mp3Bitrate*1000/e.rate + int(b[2]>>1&1)
}

// emit writes every whole real frame held back.
func (e *mp3Encoder) emit() error {
	start := 0
	for e.emitted < e.frames && len(e.out)-start >= 4 {
		n := e.frameLen(e.out[start:])
		if len(e.out)-start < n {
			break
		}
		if _, err := e.w.Write(e.out[start : start+n]); err != nil {
			return fmt.Errorf("codec: writing MP3 failed: %w", err)
		}
		start += n
		e.emitted++
	}
	e.out = e.out[:copy(e.out, e.out[start:])]
	return nil
}

// Close pads and writes the final frame, complete.
func (e *mp3Encoder) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	if err := e.encode(true); err != nil {
		return err
	}
	// Push the last real frame's tail out of the encoder with a silent frame.
	out, n := e.enc.EncodeBufferInterleaved(make([]int16, e.perPass*e.ch))
	e.out = append(e.out, out[:n]...)
	if err := e.emit(); err != nil {
		return err
	}
	if e.emitted != e.frames {
		return fmt.Errorf("codec: the MP3 encoder lost its last frame (%d of %d written)", e.emitted, e.frames)
	}
	return nil
}

// ffmpegEncoder pipes float samples through an ffmpeg subprocess (Opus in
// Ogg via libopus, AAC in ADTS) and copies its output to w.
type ffmpegEncoder struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	ch     int
	buf    []byte
	copied chan error
	stderr *bytes.Buffer
	once   sync.Once
	err    error
	name   string
}

func newFFmpegEncoder(w io.Writer, enc audio.Encoding, f audio.Format) (Encoder, error) {
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		return nil, fmt.Errorf("codec: exporting %s needs ffmpeg, which is not installed: install it (Debian/Ubuntu: apt install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg), or export as wav, flac or mp3", describe(enc))
	}
	args := []string{"-hide_banner", "-loglevel", "error", "-f", "f32le", "-ar", strconv.Itoa(f.SampleRate), "-ac", strconv.Itoa(f.Channels), "-i", "pipe:0"}
	if enc == audio.Opus {
		args = append(args, "-c:a", "libopus", "-b:a", "64k", "-f", "ogg", "pipe:1")
	} else {
		args = append(args, "-c:a", "aac", "-b:a", "128k", "-f", "adts", "pipe:1")
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = childenv.Environ()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("codec: starting ffmpeg failed: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("codec: starting ffmpeg failed: %v", err)
	}
	e := &ffmpegEncoder{cmd: cmd, stdin: stdin, ch: f.Channels, copied: make(chan error, 1), stderr: &bytes.Buffer{}, name: describe(enc)}
	cmd.Stderr = e.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("codec: starting ffmpeg failed: %v", err)
	}
	go func() {
		_, err := io.Copy(w, stdout)
		if err != nil {
			io.Copy(io.Discard, stdout) // keep ffmpeg from blocking on a full pipe
		}
		e.copied <- err
	}()
	return e, nil
}

// Write sends samples to ffmpeg.
func (e *ffmpegEncoder) Write(samples []float32) error {
	if len(samples)%e.ch != 0 {
		return fmt.Errorf("codec: %d samples is not a whole number of %d-channel frames", len(samples), e.ch)
	}
	if cap(e.buf) < 4*len(samples) {
		e.buf = make([]byte, 4*len(samples))
	}
	b := e.buf[:4*len(samples)]
	for i, v := range samples {
		u := mathFloat32bits(clampSample(v))
		b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
	}
	if _, err := e.stdin.Write(b); err != nil {
		return fmt.Errorf("codec: ffmpeg stopped accepting audio while encoding %s: %v %s", e.name, err, strings.TrimSpace(e.stderr.String()))
	}
	return nil
}

// Close ends ffmpeg's input and waits for it to finish writing.
func (e *ffmpegEncoder) Close() error {
	e.once.Do(func() {
		e.stdin.Close()
		copyErr := <-e.copied
		waitErr := e.cmd.Wait()
		switch {
		case waitErr != nil:
			e.err = fmt.Errorf("codec: ffmpeg failed to encode %s: %v %s", e.name, waitErr, strings.TrimSpace(e.stderr.String()))
		case copyErr != nil:
			e.err = fmt.Errorf("codec: writing %s failed: %w", e.name, copyErr)
		}
	})
	return e.err
}
