package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"chorus/audio"
)

// Cut-stream messages count bytes in words that agree with the number.
func TestStrayBytesGrammar(t *testing.T) {
	mono := audio.Format{SampleRate: 24000, Channels: 1}
	stereo := audio.Format{SampleRate: 24000, Channels: 2}
	broken := errors.New("connection reset")
	cases := []struct {
		name   string
		src    io.Reader
		format audio.Format
		want   string
	}{
		{"OneLeftAfterError", io.MultiReader(strings.NewReader("\x01\x00\x02\x00\x03\x00\x04\x00\x05\x00\x06\x00\x07\x00\x08\x00\x09"), iotest.ErrReader(broken)),
			mono, "(and 1 stray byte was left)"},
		{"ThreeLeftAfterError", io.MultiReader(strings.NewReader("\x01\x00\x02\x00\x03\x00\x04\x00\x05\x00\x06\x00\x07\x00\x08\x00\x09\x00\x0a"), iotest.ErrReader(broken)),
			stereo, "(and 3 stray bytes were left)"},
		{"OneAtEnd", strings.NewReader("\x01\x00\x02\x00\x03\x00\x04\x00\x05\x00\x06\x00\x07\x00\x08\x00\x09"), mono, "(1 stray byte)"},
		{"ThreeAtEnd", strings.NewReader("\x01\x00\x02\x00\x03\x00\x04\x00\x05\x00\x06\x00\x07\x00\x08\x00\x09\x00\x0a"), stereo, "(3 stray bytes)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := NewDecoder(c.src, audio.PCM, c.format)
			if err != nil {
				t.Fatal(err)
			}
			_, err = readAll(src, 256)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestAnnouncedByteGrammar(t *testing.T) {
	// A mono 16-bit WAV whose data chunk announces 20 bytes; 19 arrive.
	var wav bytes.Buffer
	le := binary.LittleEndian
	wav.WriteString("RIFF")
	binary.Write(&wav, le, uint32(36+20))
	wav.WriteString("WAVEfmt ")
	binary.Write(&wav, le, []uint32{16})
	binary.Write(&wav, le, []uint16{1, 1})
	binary.Write(&wav, le, []uint32{24000, 48000})
	binary.Write(&wav, le, []uint16{2, 16})
	wav.WriteString("data")
	binary.Write(&wav, le, uint32(20))
	wav.Write(bytes.Repeat([]byte{0x01}, 19))
	src, err := NewDecoder(&wav, audio.WAV, audio.Format{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = readAll(src, 256)
	if err == nil || !strings.Contains(err.Error(), "1 byte of audio data was announced") || !strings.Contains(err.Error(), "1 stray byte was left") {
		t.Fatalf("err = %v", err)
	}
	if err := CheckAudio([]byte("f"), audio.FLAC); err == nil || !strings.Contains(err.Error(), "only 1 byte arrived") {
		t.Fatalf("one byte of FLAC: %v", err)
	}
}

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{plural(1, "byte"), "1 byte"},
		{plural(0, "byte"), "0 bytes"},
		{plural(int64(2), "stray byte", "was", "were"), "2 stray bytes were"},
		{plural(1, "stray byte", "was", "were"), "1 stray byte was"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
