package codec

import (
	"bytes"
	"strings"
	"testing"

	"chorus/audio"
)

func TestVerifyMP3GarbageAfterFrames(t *testing.T) {
	f := audio.Format{SampleRate: 24000, Channels: 1}
	var buf bytes.Buffer
	encodeTo(t, onlyWriter{&buf}, audio.MP3, f, signal(f, 1))
	good := buf.Bytes()
	if n, err := Verify(bytes.NewReader(good), audio.MP3, audio.Format{}); err != nil || n < 20000 {
		t.Fatalf("good MP3: %d samples, %v", n, err)
	}
	// An ID3v1 tag and zero padding after the frames are fine.
	tagged := append(append(append([]byte(nil), good...), make([]byte, 40)...), append([]byte("TAG"), make([]byte, 125)...)...)
	if _, err := Verify(bytes.NewReader(tagged), audio.MP3, audio.Format{}); err != nil {
		t.Fatalf("MP3 with ID3v1 tag: %v", err)
	}
	bad := append(append([]byte(nil), good[:len(good)/3]...), bytes.Repeat([]byte("garbage!\x13\x99"), 3000)...)
	if _, err := Verify(bytes.NewReader(bad), audio.MP3, audio.Format{}); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("MP3 then garbage: %v", err)
	}
	if _, err := Verify(bytes.NewReader(nil), audio.WAV, audio.Format{}); err == nil {
		t.Fatal("empty WAV verified")
	}
}
