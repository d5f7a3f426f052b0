package codec

import (
	"math/rand"
	"os"
	"testing"
	"time"

	"chorus/audio"
)

func TestHangTmp(t *testing.T) {
	dir := t.TempDir()
	encs := map[audio.Encoding][]byte{
		audio.MP3: readFile(t, makeFixture(t, dir, "s.mp3", 24000, 1, 0.1, "-c:a", "libmp3lame", "-b:a", "32k")),
		audio.WAV: readFile(t, makeFixture(t, dir, "s.wav", 24000, 1, 0.1, "-c:a", "pcm_s16le")),
	}
	rng := rand.New(rand.NewSource(1))
	for enc, seed := range encs {
		for i := 0; i < 3000; i++ {
			d := append([]byte(nil), seed...)
			for k := 0; k < 1+rng.Intn(8); k++ {
				d[rng.Intn(len(d))] = byte(rng.Intn(256))
			}
			if rng.Intn(3) == 0 {
				d = d[:rng.Intn(len(d))]
			}
			done := make(chan struct{})
			go func() { fuzzDecode(t, d, enc); close(done) }()
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				os.WriteFile("/tmp/hang_"+string(enc), d, 0o644)
				t.Fatalf("%s hang on input %d", enc, i)
			}
		}
	}
}
