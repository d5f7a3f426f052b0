package providertest

import (
	"bytes"
	"testing"

	"chorus/audio"
	"chorus/audio/codec"
)

// Garbled keeps a valid start and ruins the rest, so that a decoder which
// notices corruption refuses it while the clean fixture decodes.
func TestGarbled(t *testing.T) {
	for _, enc := range []audio.Encoding{audio.MP3, audio.FLAC} {
		clean := Fixture(enc)
		g := Garbled(clean)
		if len(g) != len(clean) || !bytes.Equal(g[:len(clean)/4], clean[:len(clean)/4]) || bytes.Equal(g, clean) {
			t.Fatalf("%s: Garbled must keep the first quarter and change the rest", enc)
		}
		if !decodable(enc) {
			t.Fatalf("%s should count as a format whose decoder notices garbage", enc)
		}
		if _, err := codec.Verify(bytes.NewReader(clean), enc, audio.Format{}); err != nil {
			t.Fatalf("%s: the clean fixture does not decode: %v", enc, err)
		}
		if n, err := codec.Verify(bytes.NewReader(g), enc, audio.Format{}); err == nil {
			t.Errorf("%s: the garbled fixture decoded as %d frames", enc, n)
		}
	}
	for _, enc := range []audio.Encoding{audio.WAV, audio.PCM, audio.MuLaw} {
		if decodable(enc) {
			t.Errorf("%s takes any bytes as samples; it must not be used for the garbage check", enc)
		}
	}
}

// editFixtures changes what Fixture returns until restored.
func TestEditFixtures(t *testing.T) {
	clean := Fixture(audio.WAV)
	restore := editFixtures(func(_ audio.Encoding, b []byte) []byte { return b[:10] })
	if got := Fixture(audio.WAV); len(got) != 10 {
		t.Errorf("edited fixture has %d bytes, want 10", len(got))
	}
	restore()
	if !bytes.Equal(Fixture(audio.WAV), clean) {
		t.Error("the fixture was not restored")
	}
}
