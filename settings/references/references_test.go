package references

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chorus/audio"
	"chorus/audio/codec"
)

// Tone writes seconds of a tone as enc to a file in dir and returns its path.
func tone(t *testing.T, dir string, seconds float64, enc audio.Encoding) string {
	t.Helper()
	var buf bytes.Buffer
	f := audio.Format{SampleRate: 16000, Channels: 1}
	e, err := codec.NewEncoder(&buf, enc, f)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]float32, int(seconds*16000))
	for i := range s {
		s[i] = 0.3 * float32(math.Sin(float64(i)*2*math.Pi*300/16000))
	}
	if err := e.Write(s); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "tone"+enc.Extension())
	os.WriteFile(p, buf.Bytes(), 0o600)
	return p
}

func TestSaveListGetDelete(t *testing.T) {
	src := t.TempDir()
	s := &Store{Dir: filepath.Join(t.TempDir(), "refs")}
	wav := tone(t, src, 12, audio.WAV)
	ref, err := s.Save("Ana", wav, "Hello, this is Ana.")
	if err != nil {
		t.Fatal(err)
	}
	if ref.Duration < 11900*time.Millisecond || ref.Duration > 12100*time.Millisecond || ref.Encoding != "wav" {
		t.Errorf("saved %+v", ref)
	}
	orig, _ := os.ReadFile(wav)
	got, err := ref.Audio()
	if err != nil || !bytes.Equal(got, orig) {
		t.Fatalf("stored copy differs: %v", err)
	}
	os.Remove(wav) // the store keeps its own copy
	if _, err := s.Save("Bo", tone(t, src, 15, audio.FLAC), "Bo speaking."); err != nil {
		t.Fatal(err)
	}
	// Replacing keeps one entry and removes the old audio.
	ref2, err := s.Save("Ana", tone(t, src, 20, audio.WAV), "Second take.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ref.File); !os.IsNotExist(err) {
		t.Error("the replaced audio is still there")
	}
	list, err := s.List()
	if err != nil || len(list) != 2 || list[0].Name != "Ana" || list[0].Transcript != "Second take." || list[1].Name != "Bo" {
		t.Fatalf("list = %+v, %v", list, err)
	}
	g, err := s.Get("Ana")
	if err != nil || g.File != ref2.File {
		t.Fatalf("get = %+v, %v", g, err)
	}
	if _, err := s.Get("Nobody"); err == nil || !strings.Contains(err.Error(), "Ana, Bo") {
		t.Errorf("get unknown: %v", err)
	}
	if err := s.Delete("Ana"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ref2.File); !os.IsNotExist(err) {
		t.Error("deleted audio is still there")
	}
	if err := s.Delete("Ana"); err == nil {
		t.Error("deleting twice succeeded")
	}
	list, _ = s.List()
	if len(list) != 1 {
		t.Errorf("after delete: %+v", list)
	}
}

func TestLoadChecks(t *testing.T) {
	dir := t.TempDir()
	s := &Store{Dir: t.TempDir()}
	short := tone(t, dir, 4, audio.WAV)
	// Outside 10–30 s is kept, with advice: the length is a recommendation.
	ref, err := s.Save("x", short, "text")
	if err != nil || !strings.Contains(ref.Advice(), "4.0 s long") || !strings.Contains(ref.Advice(), "10 to 30 seconds") {
		t.Errorf("short: %v, advice %q", err, ref.Advice())
	}
	long := filepath.Join(dir, "long.flac")
	os.Rename(tone(t, dir, 31, audio.FLAC), long)
	if ref, err := s.Save("y", long, "text"); err != nil || !strings.Contains(ref.Advice(), "31.0 s") {
		t.Errorf("long: %v, advice %q", err, ref.Advice())
	}
	if ref, err := s.Save("z", tone(t, dir, 12, audio.WAV), "text"); err != nil || ref.Advice() != "" {
		t.Errorf("12 s: %v, advice %q", err, ref.Advice())
	}
	text := filepath.Join(dir, "notes.wav")
	os.WriteFile(text, []byte("not audio at all, just some notes"), 0o600)
	if _, _, _, err := Read(text); err == nil || !strings.Contains(err.Error(), "not a WAV, MP3 or FLAC") {
		t.Errorf("text: %v", err)
	}
	if _, err := s.Save("x", tone(t, dir, 12, audio.WAV), "  "); err == nil {
		t.Error("saved without a transcript")
	}
	if _, err := s.Save("bad/name", tone(t, dir, 12, audio.WAV), "t"); err == nil {
		t.Error("saved a name with a slash")
	}
}
