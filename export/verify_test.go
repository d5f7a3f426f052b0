package export

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"chorus/audio"
	"chorus/audio/codec"
)

// encoded returns one second of a tone in enc, made by Chorus's own encoders.
func encoded(t *testing.T, enc audio.Encoding) []byte {
	t.Helper()
	f := audio.Format{SampleRate: 24000, Channels: 1}
	var buf bytes.Buffer
	e, err := codec.NewEncoder(&buf, enc, f)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]float32, f.SampleRate)
	for i := range s {
		s[i] = float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/float64(f.SampleRate)))
	}
	if err := e.Write(s); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// entries lists the files in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range des {
		out = append(out, d.Name())
	}
	return out
}

func TestCommitRefusesCorruptAudio(t *testing.T) {
	mp3 := encoded(t, audio.MP3)
	flac := encoded(t, audio.FLAC)
	wav := encoded(t, audio.WAV)
	garbage := bytes.Repeat([]byte("not audio at all \x13\x99"), 2000)
	emptyWAV := func() []byte {
		var buf bytes.Buffer
		e, _ := codec.NewEncoder(&buf, audio.WAV, audio.Format{SampleRate: 24000, Channels: 1})
		e.Close()
		return buf.Bytes()
	}()
	cases := []struct {
		name string
		data []byte
	}{
		{"g.mp3", append(append([]byte(nil), mp3[:len(mp3)/3]...), garbage...)},
		{"g.flac", append(append([]byte(nil), flac[:len(flac)/3]...), garbage...)},
		{"cut.flac", flac[:len(flac)/2]},
		{"empty.wav", emptyWAV},
		{"nothing.mp3", nil},
		{"mp3bytes.wav", mp3},
		{"wavbytes.mp3", wav},
		{"json.pcm", []byte(`{"error":{"message":"quota exceeded"}}`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(dir, c.name)
			err := WriteFile(target, c.data, false)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("WriteFile(%s) = %v; want ErrCorrupt", c.name, err)
			}
			if left := entries(t, dir); len(left) != 0 {
				t.Fatalf("left behind: %v", left)
			}
		})
	}
}

func TestCommitKeepsGoodAudio(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"a.mp3": encoded(t, audio.MP3), "a.flac": encoded(t, audio.FLAC), "a.wav": encoded(t, audio.WAV),
		"a.pcm": encoded(t, audio.PCM), "a.ulaw": encoded(t, audio.MuLaw),
		"notes.json": []byte(`{"not":"audio, and not checked"}`),
	} {
		target := filepath.Join(dir, name)
		if err := WriteFile(target, data, false); err != nil {
			t.Fatalf("WriteFile(%s): %v", name, err)
		}
		got, err := os.ReadFile(target)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s not saved as written: %v", name, err)
		}
	}
}

// Encoders that seek back to patch headers (WAV, FLAC) and io.Copy both
// end in a checked file: good audio is saved, garbage is not.
func TestCommitChecksSeekingWritersAndCopies(t *testing.T) {
	dir := t.TempDir()
	f := audio.Format{SampleRate: 24000, Channels: 1}
	for _, enc := range []audio.Encoding{audio.WAV, audio.FLAC, audio.MP3} {
		target := filepath.Join(dir, "seek"+enc.Extension())
		file, err := Create(target, false)
		if err != nil {
			t.Fatal(err)
		}
		e, err := codec.NewEncoder(file, enc, f)
		if err != nil {
			t.Fatal(err)
		}
		e.Write(make([]float32, 24000))
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if err := file.Commit(); err != nil {
			t.Fatalf("%s through a seeking encoder: %v", enc, err)
		}
		data, _ := os.ReadFile(target)
		if n, err := codec.Verify(bytes.NewReader(data), enc, f); err != nil || n < 24000 {
			t.Fatalf("%s saved but does not decode: %d, %v", enc, n, err)
		}
	}
	good := encoded(t, audio.MP3)
	for name, data := range map[string][]byte{"copy.mp3": good, "bad.mp3": append(append([]byte(nil), good[:len(good)/3]...), bytes.Repeat([]byte("junk\x01"), 4000)...)} {
		file, err := Create(filepath.Join(dir, name), false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(file, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		err = file.Commit()
		if (name == "bad.mp3") != errors.Is(err, ErrCorrupt) {
			t.Fatalf("%s: Commit = %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.mp3")); err == nil {
		t.Fatal("bad.mp3 was saved")
	}
}
