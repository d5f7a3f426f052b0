package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chorus/audio"
)

// signal returns seconds of a two-tone test signal, interleaved.
func signal(f audio.Format, seconds float64) []float32 {
	n := int(float64(f.SampleRate) * seconds)
	out := make([]float32, n*f.Channels)
	for i := range n {
		t := float64(i) / float64(f.SampleRate)
		for c := range f.Channels {
			out[i*f.Channels+c] = float32(0.4*math.Sin(2*math.Pi*(440+110*float64(c))*t) + 0.2*math.Sin(2*math.Pi*1700*t))
		}
	}
	return out
}

// encodeTo encodes samples in uneven chunks into w.
func encodeTo(t *testing.T, w io.Writer, enc audio.Encoding, f audio.Format, samples []float32) {
	t.Helper()
	e, err := NewEncoder(w, enc, f)
	if err != nil {
		t.Fatal(err)
	}
	for off, step := 0, 7*f.Channels; off < len(samples); off, step = off+step, step*2%(4096*f.Channels)+f.Channels {
		end := min(off+step, len(samples))
		if err := e.Write(samples[off:end]); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}

// onlyWriter hides Seek so the encoder sees a stream.
type onlyWriter struct{ w io.Writer }

func (o onlyWriter) Write(p []byte) (int, error) { return o.w.Write(p) }

// TestEncodersRoundTrip encodes with each encoder, decodes with ffmpeg, and
// compares with the input.
func TestEncodersRoundTrip(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		enc      audio.Encoding
		f        audio.Format
		seekable bool
		inArgs   []string
		minCorr  float64
		maxLen   int // allowed extra frames
	}{
		{audio.WAV, audio.Format{SampleRate: 24000, Channels: 1}, true, nil, 0.9999, 0},
		{audio.WAV, audio.Format{SampleRate: 44100, Channels: 2}, false, nil, 0.9999, 0},
		{audio.PCM, audio.Format{SampleRate: 24000, Channels: 1}, false, []string{"-f", "s16le", "-ar", "24000", "-ac", "1"}, 0.9999, 0},
		{audio.MuLaw, audio.Format{SampleRate: 8000, Channels: 1}, false, []string{"-f", "mulaw", "-ar", "8000", "-ac", "1"}, 0.999, 0},
		{audio.ALaw, audio.Format{SampleRate: 8000, Channels: 1}, false, []string{"-f", "alaw", "-ar", "8000", "-ac", "1"}, 0.999, 0},
		{audio.FLAC, audio.Format{SampleRate: 24000, Channels: 1}, true, nil, 0.9999, 0},
		{audio.FLAC, audio.Format{SampleRate: 48000, Channels: 2}, false, nil, 0.9999, 0},
		{audio.MP3, audio.Format{SampleRate: 24000, Channels: 1}, false, nil, 0.95, 2 * 576},
		{audio.MP3, audio.Format{SampleRate: 44100, Channels: 2}, false, nil, 0.95, 2 * 1152},
		{audio.Opus, audio.Format{SampleRate: 24000, Channels: 1}, false, nil, 0.95, 2 * 960},
		{audio.AAC, audio.Format{SampleRate: 24000, Channels: 1}, false, nil, 0.95, 3 * 1024},
	}
	for _, c := range cases {
		name := string(c.enc) + itoa(c.f.SampleRate) + "x" + itoa(c.f.Channels)
		t.Run(name, func(t *testing.T) {
			in := signal(c.f, 1)
			path := filepath.Join(dir, name+c.enc.Extension())
			file, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			var w io.Writer = onlyWriter{file}
			if c.seekable {
				w = file
			}
			encodeTo(t, w, c.enc, c.f, in)
			file.Close()
			ref := refDecode(t, path, c.f, c.inArgs...)
			frames := len(ref) / c.f.Channels
			if frames < len(in)/c.f.Channels || frames > len(in)/c.f.Channels+c.maxLen {
				t.Fatalf("ffmpeg decoded %d frames from %d", frames, len(in)/c.f.Channels)
			}
			lag, corr := 0, correlation(in, ref)
			if c.maxLen > 0 {
				lag, corr = bestLag(in, ref, c.f.Channels, 3000)
			}
			if corr < c.minCorr {
				t.Fatalf("correlation with the input %.4f (lag %d)", corr, lag)
			}
			if c.enc == audio.WAV || c.enc == audio.FLAC {
				// And our own decoder reads it back.
				_, got := decodeBytes(t, readFile(t, path), c.enc, audio.Format{}, false)
				if d := maxAbsDiff(got, in); d > 1.0/32767 || len(got) != len(in) {
					t.Fatalf("own decode differs by %g, %d vs %d samples", d, len(got), len(in))
				}
			}
		})
	}
}

// TestWAVEncoderHeader checks streamed sizes, and patching at a non-zero
// offset of a seekable writer.
func TestWAVEncoderHeader(t *testing.T) {
	f := audio.Format{SampleRate: 24000, Channels: 1}
	var stream bytes.Buffer
	encodeTo(t, onlyWriter{&stream}, audio.WAV, f, make([]float32, 100))
	b := stream.Bytes()
	if binary.LittleEndian.Uint32(b[4:]) != 0xFFFFFFFF || binary.LittleEndian.Uint32(b[40:]) != 0xFFFFFFFF || len(b) != 244 {
		t.Fatalf("streamed header: % x (len %d)", b[:44], len(b))
	}
	path := filepath.Join(t.TempDir(), "x.bin")
	file, _ := os.Create(path)
	defer file.Close()
	file.WriteString("prefix")
	encodeTo(t, file, audio.WAV, f, make([]float32, 100))
	file.WriteString("after")
	b = readFile(t, path)
	if !strings.HasPrefix(string(b), "prefixRIFF") || binary.LittleEndian.Uint32(b[6+4:]) != 236 || binary.LittleEndian.Uint32(b[6+40:]) != 200 || !strings.HasSuffix(string(b), "after") || len(b) != 6+244+5 {
		t.Fatalf("patched header wrong: % x", b[:50])
	}
}

func TestEncoderErrors(t *testing.T) {
	if _, err := NewEncoder(io.Discard, audio.MP3, audio.Format{SampleRate: 23000, Channels: 1}); err == nil || !strings.Contains(err.Error(), "resample") {
		t.Fatalf("MP3 at 23 kHz: %v", err)
	}
	if _, err := NewEncoder(io.Discard, audio.WAV, audio.Format{}); err == nil {
		t.Fatal("invalid format accepted")
	}
	if _, err := NewEncoder(io.Discard, "ogg-vorbis", audio.Format{SampleRate: 8000, Channels: 1}); err == nil {
		t.Fatal("unknown encoding accepted")
	}
	e, _ := NewEncoder(io.Discard, audio.PCM, audio.Format{SampleRate: 8000, Channels: 2})
	if err := e.Write([]float32{1}); err == nil {
		t.Fatal("partial frame accepted")
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := NewDecoder(strings.NewReader("x"), audio.AAC, audio.Format{}); !errors.Is(err, ErrAACPlayback) || !strings.Contains(err.Error(), "cannot be played") {
		t.Fatalf("AAC decode without ffmpeg: %v", err)
	}
	if CanEncode(audio.Opus) {
		t.Fatal("CanEncode(Opus) without ffmpeg")
	}
	if _, err := NewEncoder(io.Discard, audio.Opus, audio.Format{SampleRate: 48000, Channels: 1}); err == nil || !strings.Contains(err.Error(), "install") {
		t.Fatalf("Opus without ffmpeg: %v", err)
	}
}
