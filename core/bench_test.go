package core

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"chorus/audio"
	"chorus/internal/scripted"
	"chorus/player"
	"chorus/providers"
	"chorus/providers/providertest"
)

// BenchmarkFirstByteToSink measures what Chorus adds between the first
// audio byte arriving and the first sample reaching the sink, per format
// (the bytes are all available at once, so this is decode set-up and the
// pipeline, not the network).
func BenchmarkFirstByteToSink(b *testing.B) {
	for _, enc := range []audio.Encoding{audio.WAV, audio.PCM, audio.MP3, audio.Opus, audio.FLAC, audio.MuLaw} {
		b.Run(string(enc), func(b *testing.B) {
			body := providertest.Fixture(enc)
			format := audio.Format{SampleRate: 24000, Channels: 1} // every fixture is 24 kHz mono
			p := scripted.Register(b, &scripted.Provider{ID: "bench-" + string(enc)})
			p.Caps.Formats = []string{string(enc)}
			p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
				return &providers.Audio{Body: io.NopCloser(bytes.NewReader(body)), Encoding: enc, Format: format}, nil
			}
			var total float64
			for b.Loop() {
				sink := &firstOnlySink{MemorySink: player.NewMemorySink(player.DeviceFormat)}
				e := &Engine{OpenSink: func() (player.Sink, error) { return sink, nil }}
				res, err := e.Speak(context.Background(), Job{Provider: p.ID, Request: providers.Request{Text: "x"}, Play: true})
				if err != nil {
					b.Fatal(err)
				}
				total += res.Stats.FirstAudioMs - res.Stats.TTFBMs
			}
			b.ReportMetric(total/float64(b.N), "ms-byte-to-sink")
		})
	}
}

// firstOnlySink keeps nothing, so the benchmark measures the pipeline only.
type firstOnlySink struct{ *player.MemorySink }

func (f *firstOnlySink) Write(ctx context.Context, p []float32) error {
	f.MemorySink.Discard = true
	return f.MemorySink.Write(ctx, p)
}

// BenchmarkHourLongExport streams one hour of 24 kHz audio from a provider
// into a FLAC file and reports the peak heap: it must stay flat (audio is
// streamed to disk, never held whole).
func BenchmarkHourLongExport(b *testing.B) {
	const seconds = 3600
	p := scripted.Register(b, &scripted.Provider{ID: "bench-hour"})
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		return &providers.Audio{Body: io.NopCloser(&toneReader{left: seconds * 24000 * 2}), Encoding: audio.PCM,
			Format: audio.Format{SampleRate: 24000, Channels: 1}}, nil
	}
	p.Caps.Formats = []string{"pcm"}
	for b.Loop() {
		var peak atomic.Uint64
		stop := make(chan struct{})
		go func() {
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
		start := time.Now()
		out := filepath.Join(b.TempDir(), "hour.flac")
		e := &Engine{}
		res, err := e.Speak(context.Background(), Job{Provider: p.ID, Request: providers.Request{Text: "x"}, Out: out})
		close(stop)
		if err != nil {
			b.Fatal(err)
		}
		if res.Stats.AudioSeconds < seconds-1 {
			b.Fatalf("exported %.0f s", res.Stats.AudioSeconds)
		}
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		b.ReportMetric(seconds/time.Since(start).Seconds(), "x-realtime")
	}
}

// toneReader yields s16le samples of a 440 Hz tone without holding them.
type toneReader struct {
	left, i int
}

func (t *toneReader) Read(p []byte) (int, error) {
	if t.left <= 0 {
		return 0, io.EOF
	}
	n := min(len(p), t.left) &^ 1
	for k := 0; k < n; k += 2 {
		v := int16((t.i % 55) * 1000)
		p[k], p[k+1] = byte(v), byte(v>>8)
		t.i++
	}
	t.left -= n
	return n, nil
}
