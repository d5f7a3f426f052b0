package e2e

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"chorus/audio"
	"chorus/core"
	"chorus/internal/audiotest"
	"chorus/internal/scripted"
	"chorus/providers"
)

// Speech encoded as MP3, Ogg Opus and raw PCM by ffmpeg is played through
// oto into the PulseAudio null sink, recorded, and compared with ffmpeg's
// own decode of the same file.
func TestFormatsPlayThroughDevice(t *testing.T) {
	audiotest.RequireReal(t)
	dir := t.TempDir()
	speech := filepath.Join(dir, "speech.wav")
	os.WriteFile(speech, audiotest.Espeak(t, context.Background(), "en-us", "Every format should sound the same when Chorus plays it.", 175), 0o644)
	for _, c := range []struct {
		enc  audio.Encoding
		args []string
	}{
		{audio.MP3, []string{"-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3"}},
		{audio.Opus, []string{"-c:a", "libopus", "-b:a", "48k", "-f", "ogg"}},
		{audio.PCM, []string{"-f", "s16le", "-c:a", "pcm_s16le"}},
	} {
		t.Run(string(c.enc), func(t *testing.T) {
			file := filepath.Join(dir, "speech."+string(c.enc))
			args := append([]string{"-v", "error", "-i", speech, "-ar", "24000", "-ac", "1"}, c.args...)
			if out, err := exec.Command("ffmpeg", append(args, file)...).CombinedOutput(); err != nil {
				t.Fatalf("ffmpeg: %v %s", err, out)
			}
			body, _ := os.ReadFile(file)
			p := scripted.Register(t, &scripted.Provider{ID: "e2e-" + string(c.enc)})
			p.Caps.Formats = []string{string(c.enc)}
			p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
				return &providers.Audio{Body: io.NopCloser(bytes.NewReader(body)), Encoding: c.enc,
					Format: audio.Format{SampleRate: 24000, Channels: 1}}, nil
			}
			const rate = 24000
			rec := audiotest.Record(t, rate)
			res, err := (&core.Engine{}).Speak(context.Background(), core.Job{Provider: p.ID, Request: providers.Request{Text: "x"}, Play: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("underruns %d, stats %+v", res.Stats.Underruns, res.Stats)
			raw := rec.Stop()
			if dump := os.Getenv("CHORUS_DUMP"); dump != "" {
				os.WriteFile(filepath.Join(dump, string(c.enc)+".raw"), rec.Raw(), 0o644)
			}
			heard := audiotest.Trim(raw, 0.01)
			var want []float64
			if c.enc == audio.PCM {
				want = audiotest.Trim(audiotest.S16(body), 0.01)
			} else {
				want = audiotest.Trim(audiotest.Decode(t, file, rate), 0.01)
			}
			ratio := float64(len(heard)) / float64(len(want))
			if ratio < 0.95 || ratio > 1.05 {
				t.Fatalf("heard %d samples, the file holds %d", len(heard), len(want))
			}
			if corr := audiotest.Correlation(audiotest.Envelope(heard, rate/100), audiotest.Envelope(want, rate/100), 10); corr < 0.95 {
				t.Errorf("envelope correlation %.3f", corr)
			}
			if corr := audiotest.WindowedCorrelation(heard, want, rate/5, 600); corr < 0.8 {
				t.Errorf("waveform correlation (median of 0.2 s windows) %.3f", corr)
			}
		})
	}
}
