package codec

import (
	"bytes"
	"io"
	"sync"
	"testing"
	"time"

	"chorus/audio"
)

// benchFixture is 3 s of the test signal at 24 kHz mono in one encoding.
type benchFixture struct {
	enc     audio.Encoding
	data    []byte
	seconds float64
}

var (
	benchOnce     sync.Once
	benchFixtures []benchFixture
)

// loadBenchFixtures makes the fixtures once per run with ffmpeg.
func loadBenchFixtures(b *testing.B) []benchFixture {
	benchOnce.Do(func() {
		dir := b.TempDir()
		specs := []struct {
			enc  audio.Encoding
			name string
			args []string
		}{
			{audio.WAV, "b.wav", []string{"-c:a", "pcm_s16le"}},
			{audio.PCM, "b.pcm", []string{"-f", "s16le"}},
			{audio.MuLaw, "b.ulaw", []string{"-ar", "8000", "-f", "mulaw"}},
			{audio.MP3, "b.mp3", []string{"-c:a", "libmp3lame", "-b:a", "64k"}},
			{audio.Opus, "b.ogg", []string{"-c:a", "libopus", "-b:a", "32k"}},
			{audio.FLAC, "b.flac", []string{"-c:a", "flac"}},
		}
		for _, s := range specs {
			path := makeFixture(b, dir, s.name, 24000, 1, 3, s.args...)
			benchFixtures = append(benchFixtures, benchFixture{s.enc, readFile(b, path), 3})
		}
	})
	return benchFixtures
}

func benchHint(enc audio.Encoding) audio.Format {
	if enc == audio.MuLaw {
		return audio.Format{SampleRate: 8000, Channels: 1}
	}
	return audio.Format{SampleRate: 24000, Channels: 1}
}

// BenchmarkDecode reports decode speed as a multiple of real time.
func BenchmarkDecode(b *testing.B) {
	for _, fx := range loadBenchFixtures(b) {
		b.Run(string(fx.enc), func(b *testing.B) {
			buf := make([]float32, 4096)
			b.SetBytes(int64(len(fx.data)))
			for range b.N {
				src, err := NewDecoder(bytes.NewReader(fx.data), fx.enc, benchHint(fx.enc))
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := src.Read(buf); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(fx.seconds*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
		})
	}
}

// countingReader delivers one byte per Read and counts them.
type countingReader struct {
	data []byte
	n    int
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n >= len(c.data) {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = c.data[c.n]
	c.n++
	return 1, nil
}

// BenchmarkFirstSample reports how many input bytes each decoder needs
// before its first samples come out (bytes-to-first), and the CPU time from
// the first byte to the first sample with all bytes already available
// (ns/op).
func BenchmarkFirstSample(b *testing.B) {
	for _, fx := range loadBenchFixtures(b) {
		b.Run(string(fx.enc), func(b *testing.B) {
			cr := &countingReader{data: fx.data}
			src, err := NewDecoder(cr, fx.enc, benchHint(fx.enc))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := src.Read(make([]float32, 4096)); err != nil {
				b.Fatal(err)
			}
			need := cr.n
			buf := make([]float32, 4096)
			b.ResetTimer()
			for range b.N {
				src, err := NewDecoder(bytes.NewReader(fx.data), fx.enc, benchHint(fx.enc))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := src.Read(buf); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(need), "bytes-to-first")
			ms := float64(need) / float64(len(fx.data)) * fx.seconds * 1000
			b.ReportMetric(ms, "audio-ms-of-input")
		})
	}
}

// BenchmarkEncode reports encode speed as a multiple of real time.
func BenchmarkEncode(b *testing.B) {
	f := audio.Format{SampleRate: 24000, Channels: 1}
	in := signal(f, 3)
	for _, enc := range []audio.Encoding{audio.WAV, audio.FLAC, audio.MP3, audio.MuLaw} {
		b.Run(string(enc), func(b *testing.B) {
			start := time.Now()
			for range b.N {
				e, err := NewEncoder(io.Discard, enc, f)
				if err != nil {
					b.Fatal(err)
				}
				for off := 0; off < len(in); off += 4800 {
					if err := e.Write(in[off:min(off+4800, len(in))]); err != nil {
						b.Fatal(err)
					}
				}
				e.Close()
			}
			b.ReportMetric(3*float64(b.N)/time.Since(start).Seconds(), "x-realtime")
		})
	}
}
