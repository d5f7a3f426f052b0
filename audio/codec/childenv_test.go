package codec

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chorus/audio"
)

// ffmpeg never sees an API key of the parent: a stand-in ffmpeg first on
// PATH records the environment it was started with, for the encoders and
// for the AAC decoder.
func TestFFmpegGetsNoKeys(t *testing.T) {
	dir := t.TempDir()
	dump := filepath.Join(dir, "env")
	script := "#!/bin/sh\nenv >> \"$CHORUS_TEST_ENV_DUMP\"\necho ---- >> \"$CHORUS_TEST_ENV_DUMP\"\ncat >/dev/null\n"
	if err := os.WriteFile(filepath.Join(dir, "ffmpeg"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("CHORUS_TEST_ENV_DUMP", dump)
	t.Setenv("ELEVENLABS_API_KEY", "xi-parent-secret")
	t.Setenv("SMALLEST_API_KEY", "sm-parent-secret")

	f := audio.Format{SampleRate: 48000, Channels: 1}
	for _, enc := range []audio.Encoding{audio.Opus, audio.AAC} {
		e, err := NewEncoder(io.Discard, enc, f)
		if err != nil {
			t.Fatalf("%s encoder: %v", enc, err)
		}
		e.Write(make([]float32, 4800))
		e.Close()
	}
	// One ADTS frame header (AAC LC, 44.1 kHz, stereo, 16 bytes) and its body.
	frame := append([]byte{0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC}, make([]byte, 9)...)
	if src, err := NewDecoder(bytes.NewReader(frame), audio.AAC, audio.Format{}); err == nil {
		src.Read(make([]float32, 1024))
		if c, ok := src.(io.Closer); ok {
			c.Close()
		}
	} else {
		t.Fatalf("AAC decoder: %v", err)
	}

	got, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(got), "----"); n != 3 {
		t.Fatalf("the stand-in ran %d times, want 3", n)
	}
	for _, leak := range []string{"xi-parent-secret", "sm-parent-secret", "_API_KEY="} {
		if strings.Contains(string(got), leak) {
			t.Errorf("ffmpeg saw %q in its environment", leak)
		}
	}
}
