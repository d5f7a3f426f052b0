package codec

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"chorus/audio"
)

// Every MP3 the built-in encoder writes must be a clean stream for other
// players: ffmpeg decodes it without a single complaint, at the right length.
func TestMP3EncoderWritesCleanStreams(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatal("ffmpeg is not installed: scripts/deps.sh installs it")
	}
	for _, ch := range []int{1, 2} {
		for _, rate := range []int{16000, 22050, 24000, 32000, 44100, 48000} {
			f := audio.Format{SampleRate: rate, Channels: ch}
			var buf bytes.Buffer
			enc, err := NewEncoder(&buf, audio.MP3, f)
			if err != nil {
				t.Fatalf("%v: %v", f, err)
			}
			const seconds = 1.3
			n := int(seconds * float64(rate))
			samples := make([]float32, 0, 4096)
			for i := range n {
				v := float32(0.4 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
				for range ch {
					samples = append(samples, v)
				}
				if len(samples) >= 4000 || i == n-1 {
					if err := enc.Write(samples); err != nil {
						t.Fatal(err)
					}
					samples = samples[:0]
				}
			}
			if err := enc.Close(); err != nil {
				t.Fatalf("%v: close: %v", f, err)
			}
			path := filepath.Join(t.TempDir(), "x.mp3")
			os.WriteFile(path, buf.Bytes(), 0o644)
			out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "null", "-").CombinedOutput()
			if err != nil || len(bytes.TrimSpace(out)) > 0 {
				t.Errorf("%v: ffmpeg complains: %v %s", f, err, out)
				continue
			}
			probe, _ := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path).Output()
			d, _ := strconv.ParseFloat(strings.TrimSpace(string(probe)), 64)
			frame := 1152.0 / float64(rate)
			if rate < 32000 {
				frame = 576.0 / float64(rate)
			}
			if d < seconds || d > seconds+2*frame+0.06 { // + padding of the last frame and the encoder delay
				t.Errorf("%v: duration %.3f s, want %.1f s", f, d, seconds)
			}
		}
	}
	if _, err := NewEncoder(&bytes.Buffer{}, audio.MP3, audio.Format{SampleRate: 8000, Channels: 1}); err == nil || !strings.Contains(err.Error(), "16000") {
		t.Errorf("8000 Hz: %v", err)
	}
}
