package codec

import (
	"strings"
	"testing"

	"chorus/audio"
)

func TestCheckRaw(t *testing.T) {
	pcm := []byte{0x01, 0x00, 0xff, 0x7f, 0x00, 0x80, 0x12, 0x34, 0x10, 0x00, 0xf0, 0xff, 0x03, 0x00, 0xfd, 0xff, 0x22, 0x11}
	bad := []struct {
		head []byte
		enc  audio.Encoding
		ct   string
		want string
	}{
		{[]byte(`{"error":{"message":"quota exceeded"}}`), audio.PCM, "application/json", "quota exceeded"},
		{[]byte("Internal Server Error, try again later"), audio.PCM, "", "the provider sent text instead of raw PCM audio"},
		{[]byte("Internal Server Error, try again later"), audio.MuLaw, "text/plain; charset=utf-8", "Content-Type text/plain"},
		{pcm, audio.ALaw, "application/problem+json", "Content-Type application/problem+json"},
		{[]byte("<html><title>Bad gateway</title></html>"), audio.PCM, "text/html", "Bad gateway"},
	}
	for _, c := range bad {
		err := CheckRaw(c.head, c.enc, c.ct, false)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CheckRaw(%q, %s, %q) = %v; want %q", c.head, c.enc, c.ct, err, c.want)
		}
	}
	for _, c := range []struct {
		head   []byte
		enc    audio.Encoding
		ct     string
		framed bool
	}{
		{pcm, audio.PCM, "audio/pcm", false},
		{pcm, audio.PCM, "application/octet-stream", false},
		{pcm, audio.PCM, "", false},
		{[]byte("UUUUTTTTUUUUWWWWUUUUVVVV"), audio.ALaw, "", false}, // quiet A-law is printable
		{[]byte("UUUUTTTTUUUUWWWWUUUUVVVV"), audio.ALaw, "audio/basic", false},
		{pcm, audio.PCM, "text/event-stream", true}, // SSE framing: the decoder unwrapped it
		{[]byte(`{"error":"x"}`), audio.MP3, "application/json", false},
	} {
		if err := CheckRaw(c.head, c.enc, c.ct, c.framed); err != nil {
			t.Errorf("CheckRaw(%s, %q) = %v", c.enc, c.ct, err)
		}
	}
}

// The decoders refuse a text body claimed to be headerless audio, whatever
// path it came by, and let quiet A-law through.
func TestRawDecoderRefusesText(t *testing.T) {
	mono := audio.Format{SampleRate: 8000, Channels: 1}
	for _, enc := range []audio.Encoding{audio.PCM, audio.MuLaw, audio.ALaw} {
		src, err := NewDecoder(strings.NewReader("upstream connect error or disconnect/reset before headers"), enc, mono)
		if err == nil {
			buf := make([]float32, 256)
			_, err = src.Read(buf)
		}
		if err == nil || !strings.Contains(err.Error(), "sent text instead of") || !strings.Contains(err.Error(), "upstream connect error") {
			t.Errorf("%s: %v", enc, err)
		}
	}
	src, err := NewDecoder(strings.NewReader(strings.Repeat("UUUUTTTTUUUUWWWW", 8)), audio.ALaw, mono)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := readAll(src, 256); err != nil || len(got) != 128 {
		t.Errorf("quiet A-law: %d samples, %v", len(got), err)
	}
}
