package codec

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"chorus/audio"
)

// fuzzDecode decodes data as enc and checks the Source contract: no panic,
// whole frames only, and a bounded amount of output.
func fuzzDecode(t *testing.T, data []byte, enc audio.Encoding) {
	// A watchdog turns a hang into a failure with every goroutine's stack.
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			buf := make([]byte, 1<<20)
			panic("decoder hung for 10 s:\n" + string(buf[:runtime.Stack(buf, true)]))
		}
	}()
	src, err := NewDecoder(bytes.NewReader(data), enc, audio.Format{})
	if err != nil {
		return
	}
	if !src.Format().Valid() {
		t.Fatalf("decoder accepted an invalid format %v", src.Format())
	}
	ch := src.Format().Channels
	buf := make([]float32, 4096)
	total := 0
	for range 100000 {
		n, err := src.Read(buf)
		if n%ch != 0 || n > len(buf) {
			t.Fatalf("Read returned %d samples for %d channels", n, ch)
		}
		for _, v := range buf[:n] {
			if v < -1 || v > 1 || v != v {
				t.Fatalf("sample %v out of range", v)
			}
		}
		total += n
		if err != nil {
			return
		}
		if n == 0 {
			t.Fatal("Read returned no samples and no error")
		}
	}
	t.Fatalf("decoder still producing after %d samples from %d bytes", total, len(data))
}

// fuzzSeed makes a tiny fixture with ffmpeg for the seed corpus.
func fuzzSeed(f *testing.F, name string, args ...string) []byte {
	dir := f.TempDir()
	return readFile(f, makeFixture(f, dir, name, 24000, 1, 0.1, args...))
}

func FuzzWAV(f *testing.F) {
	f.Add(fuzzSeed(f, "s.wav", "-c:a", "pcm_s16le"))
	f.Add(buildWAV(wavOpts{tag: 3, bits: 32, ch: 2, rate: 48000, extensible: true, dataSize: 0xFFFFFFFF, before: [][2]string{{"LIST", "abc"}}}, make([]byte, 64)))
	f.Add(buildWAV(wavOpts{tag: 7, bits: 8, ch: 1, rate: 8000, dataSize: 1}, []byte{1, 2, 3}))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, data, audio.WAV) })
}

func FuzzOgg(f *testing.F) {
	f.Add(fuzzSeed(f, "s.ogg", "-c:a", "libopus", "-b:a", "16k"))
	f.Add(fuzzSeed(f, "t.ogg", "-c:a", "libopus", "-application", "voip"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, data, audio.Opus) })
}

func FuzzMP3(f *testing.F) {
	f.Add(fuzzSeed(f, "s.mp3", "-c:a", "libmp3lame", "-b:a", "32k"))
	f.Add(fuzzSeed(f, "t.mp3", "-c:a", "libmp3lame", "-write_xing", "0", "-id3v2_version", "0"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, data, audio.MP3) })
}

func FuzzCheckAudio(f *testing.F) {
	f.Add([]byte(`{"error":{"message":"x"}}`), "mp3")
	f.Add([]byte("<html><title>t</title>"), "pcm")
	f.Fuzz(func(t *testing.T, head []byte, enc string) {
		_ = CheckAudio(head, audio.Encoding(enc))
		Sniff(head)
	})
}
