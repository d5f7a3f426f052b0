package codec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"sync"

	"github.com/mewkiz/flac"

	"chorus/audio"
)

// flacSource decodes FLAC frame by frame with mewkiz/flac.
type flacSource struct {
	frameQueue
	stream  *flac.Stream
	format  audio.Format
	bps     int
	total   uint64 // samples per channel announced in STREAMINFO; 0 = unknown
	decoded uint64
	buf     []float32
}

// newFLACDecoder reads the FLAC signature and metadata blocks.
func newFLACDecoder(r io.Reader) (audio.Source, error) {
	rec := &recorder{r: r}
	stream, err := newFLACStream(rec)
	if err != nil {
		if !bytes.HasPrefix(rec.head, []byte("fLaC")) {
			return nil, badStart(r, rec.head, audio.FLAC, errOrNil(err))
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("codec: the FLAC header was cut off after %s: the response is truncated", plural(len(rec.head), "byte"))
		}
		return nil, fmt.Errorf("codec: the FLAC header is corrupt: %v", err)
	}
	info := stream.Info
	f := audio.Format{SampleRate: int(info.SampleRate), Channels: int(info.NChannels)}
	if !f.Valid() || info.BitsPerSample < 4 || info.BitsPerSample > 32 {
		return nil, fmt.Errorf("codec: the FLAC stream announces %s at %d bits, which Chorus cannot play", f, info.BitsPerSample)
	}
	if f.SampleRate == 24000 || f.SampleRate == 176400 {
		quietFLACLog()
	}
	return &flacSource{stream: stream, format: f, bps: int(info.BitsPerSample), total: info.NSamples}, nil
}

func newFLACStream(r io.Reader) (s *flac.Stream, err error) {
	defer recoverAs(&err, crashOf("flac reader"))
	return flac.New(r)
}

// Format returns the rate and channel count from STREAMINFO.
func (s *flacSource) Format() audio.Format { return s.format }

// Read decodes frames until at least one sample frame is ready.
func (s *flacSource) Read(p []float32) (int, error) {
	return s.read(p, s.format.Channels, s.decodeNext)
}

// decodeNext parses one FLAC frame into s.pending.
func (s *flacSource) decodeNext() (err error) {
	defer recoverAs(&err, func(p any) error {
		return fmt.Errorf("the FLAC stream is corrupt (the decoder failed after %d samples: %v)", s.decoded, p)
	})
	fr, err := s.stream.ParseNext()
	if err != nil {
		switch {
		case errors.Is(err, io.EOF) && (s.total == 0 || s.decoded >= s.total):
			return io.EOF
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("the FLAC stream was cut off after %d of %d samples: the download ended early", s.decoded, s.total)
		}
		return fmt.Errorf("the FLAC stream is corrupt after %d samples: %v", s.decoded, err)
	}
	ch := s.format.Channels
	if len(fr.Subframes) != ch {
		return fmt.Errorf("the FLAC stream is corrupt: a frame has %d channels, the header said %d", len(fr.Subframes), ch)
	}
	bps := int(fr.BitsPerSample)
	if bps == 0 {
		bps = s.bps
	}
	scale := 1 / float32(int64(1)<<(bps-1))
	n := fr.Subframes[0].NSamples
	for _, sf := range fr.Subframes {
		if len(sf.Samples) < n {
			return fmt.Errorf("the FLAC stream is corrupt: a frame is missing samples")
		}
	}
	if cap(s.buf) < n*ch {
		s.buf = make([]float32, n*ch)
	}
	out := s.buf[:n*ch]
	for c, sf := range fr.Subframes {
		for i, v := range sf.Samples[:n] {
			out[i*ch+c] = clampSample(float32(v) * scale)
		}
	}
	s.decoded += uint64(n)
	s.pending = out
	return nil
}

// mewkiz/flac calls the standard logger's Printf for every frame of a
// 24 kHz (or 176.4 kHz) stream, asking for test files. To keep that out of
// the user's console without silencing anything else, the standard logger's
// output is wrapped in a filter that drops exactly that message and passes
// every other line through unchanged. The wrapper is installed when such a
// stream is opened; if the program later calls log.SetOutput, the next such
// stream installs it again around the new writer. Loggers other than the
// standard one (log/slog handlers, custom *log.Logger) are never touched.
var flacLogMu sync.Mutex

// flacNoise is the start of mewkiz/flac's per-frame message.
var flacNoise = []byte("frame.Frame.parseHeader: The flac library test cases do not yet include")

type flacLogFilter struct{ next io.Writer }

func (f *flacLogFilter) Write(p []byte) (int, error) {
	if bytes.Contains(p, flacNoise) {
		return len(p), nil
	}
	return f.next.Write(p)
}

// quietFLACLog installs the filter around the standard logger's output.
func quietFLACLog() {
	flacLogMu.Lock()
	defer flacLogMu.Unlock()
	if _, ok := log.Writer().(*flacLogFilter); ok {
		return
	}
	log.SetOutput(&flacLogFilter{next: log.Writer()})
}
