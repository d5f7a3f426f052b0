package cache

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chorus/audio"
	"chorus/export"
)

func TestDamagedIndexIsSetAsideAndRebuilt(t *testing.T) {
	for name, damage := range map[string]func(path string) error{
		"garbage": func(path string) error {
			return os.WriteFile(path, bytes.Repeat([]byte("not a database "), 500), 0o600)
		},
		"zeroed pages": func(path string) error {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i := range b {
				b[i] = 0
			}
			return os.WriteFile(path, b, 0o600)
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir, 0)
			if err != nil {
				t.Fatal(err)
			}
			wav := append([]byte("RIFF\x24\x00\x00\x00WAVEfmt "), bytes.Repeat([]byte{1}, 40)...)
			pcm := bytes.Repeat([]byte{0x10, 0x20}, 100)
			if err := s.Put(key("wav"), wav, Entry{Encoding: audio.WAV}); err != nil {
				t.Fatal(err)
			}
			if err := s.Put(key("pcm"), pcm, Entry{Encoding: audio.PCM, Format: audio.Format{SampleRate: 24000, Channels: 1}}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AddClip(Clip{Text: "hello", Provider: "p", Chunks: []Key{key("wav")}}); err != nil {
				t.Fatal(err)
			}
			index := filepath.Join(dir, "index.db")
			if err := damage(index); err != nil {
				t.Fatal(err)
			}

			var said []string
			orig := export.Notify
			export.Notify = func(m string) { said = append(said, m) }
			defer func() { export.Notify = orig }()

			s2, err := Open(dir, 0)
			if err != nil {
				t.Fatalf("Open on a damaged index: %v", err)
			}
			clips, err := s2.Clips()
			if err != nil {
				t.Fatalf("Clips after repair: %v", err)
			}
			if len(clips) != 0 {
				t.Errorf("clips %v from a damaged index", clips)
			}
			data, e, ok, err := s2.Get(key("wav"))
			if err != nil || !ok || !bytes.Equal(data, wav) || e.Encoding != audio.WAV {
				t.Errorf("rebuilt WAV chunk: ok=%v enc=%s err=%v", ok, e.Encoding, err)
			}
			if len(said) != 1 || !strings.Contains(said[0], "damaged") || !strings.Contains(said[0], "rebuilt from 1 cached audio file;") {
				t.Errorf("notices %q", said)
			}
			aside, _ := filepath.Glob(index + ".damaged-*")
			if len(aside) != 1 {
				t.Fatalf("damaged index not set aside: %v", aside)
			}
			// Opening again says nothing more: the index is whole now.
			if _, err := Open(dir, 0); err != nil {
				t.Fatal(err)
			}
			if _, err := s2.AddClip(Clip{Text: "again", Provider: "p"}); err != nil {
				t.Fatal(err)
			}
			if len(said) != 1 {
				t.Errorf("said more than once: %q", said)
			}
		})
	}
}
