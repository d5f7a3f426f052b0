package cache

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"chorus/audio"
	"chorus/providers"
)

func key(text string) Key {
	return KeyFor("p", "", providers.Request{Text: text, Voice: "v"})
}

func TestKeyCoversEverySetting(t *testing.T) {
	base := providers.Request{Text: "t", Model: "m", Voice: "v", Format: "wav", Speed: 1, SampleRate: 24000,
		Language: "en", Instructions: "calm", Options: map[string]string{"a": "1"}}
	k := KeyFor("p", "", base)
	for _, change := range []func(r *providers.Request){
		func(r *providers.Request) { r.Text = "u" },
		func(r *providers.Request) { r.Model = "n" },
		func(r *providers.Request) { r.Voice = "w" },
		func(r *providers.Request) { r.Format = "mp3" },
		func(r *providers.Request) { r.Speed = 1.1 },
		func(r *providers.Request) { r.SampleRate = 16000 },
		func(r *providers.Request) { r.Language = "de" },
		func(r *providers.Request) { r.Instructions = "" },
		func(r *providers.Request) { r.Options = map[string]string{"a": "2"} },
	} {
		r := base
		change(&r)
		if KeyFor("p", "", r) == k {
			t.Errorf("key unchanged for %+v", r)
		}
	}
	if KeyFor("q", "", base) == k || KeyFor("p", "http://x", base) == k {
		t.Error("key ignores the provider or base URL")
	}
	r := base
	r.Batch, r.Transport = true, "ws"
	if KeyFor("p", "", r) != k {
		t.Error("transport changed the key")
	}
}

func TestHitMissAndWords(t *testing.T) {
	s, err := Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok, err := s.Get(key("a")); ok || err != nil {
		t.Fatalf("hit on an empty cache: %v", err)
	}
	words := []providers.WordBoundary{{Text: "a", Offset: time.Second}}
	if err := s.Put(key("a"), []byte("RIFFdata"), Entry{Encoding: audio.WAV, Words: words}); err != nil {
		t.Fatal(err)
	}
	data, e, ok, err := s.Get(key("a"))
	if !ok || err != nil || string(data) != "RIFFdata" || e.Encoding != audio.WAV || len(e.Words) != 1 || e.Words[0].Offset != time.Second {
		t.Fatalf("get: %q %+v %v %v", data, e, ok, err)
	}
	n, size, _ := s.Usage()
	if n != 1 || size != 8 {
		t.Errorf("usage %d %d", n, size)
	}
}

// Beyond the size limit, the least recently used chunks go first.
func TestLRUEviction(t *testing.T) {
	s, _ := Open(t.TempDir(), 300)
	clock := time.Unix(1000, 0)
	s.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	blob := bytes.Repeat([]byte{1}, 100)
	for _, k := range []string{"a", "b", "c"} {
		if err := s.Put(key(k), blob, Entry{Encoding: audio.PCM}); err != nil {
			t.Fatal(err)
		}
	}
	s.Get(key("a")) // a is now more recent than b
	s.Put(key("d"), blob, Entry{Encoding: audio.PCM})
	for k, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		if _, _, ok, _ := s.Get(key(k)); ok != want {
			t.Errorf("%s cached = %v, want %v", k, ok, want)
		}
	}
	if _, err := os.Stat(s.path(key("b"))); err == nil {
		t.Error("evicted file still on disk")
	}
	if _, size, _ := s.Usage(); size != 300 {
		t.Errorf("size %d", size)
	}
}

// A crash between writing the audio file and indexing it leaves an orphan
// file and a consistent index; a damaged file is a miss, not bad audio.
func TestCrashSafety(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, 0)
	s.Put(key("ok"), []byte("good audio"), Entry{Encoding: audio.PCM})
	s.afterFile = func() error { return errors.New("crash") }
	if err := s.Put(key("torn"), []byte("half"), Entry{Encoding: audio.PCM}); err == nil {
		t.Fatal("the simulated crash did not stop the write")
	}
	s.afterFile = nil
	// A temporary file from an interrupted atomic write.
	part := filepath.Join(dir, "audio", ".x.bin.123.part")
	os.WriteFile(part, []byte("partial"), 0o600)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(part, old, old)

	s2, err := Open(dir, 0) // as after a restart
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := s2.Get(key("torn")); ok {
		t.Error("an unindexed file was served")
	}
	if err := s2.Check(); err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir(filepath.Join(dir, "audio"))
	if len(files) != 1 {
		t.Errorf("files after Check: %v", files)
	}
	if d, _, ok, _ := s2.Get(key("ok")); !ok || string(d) != "good audio" {
		t.Error("good entry lost")
	}
	// Damage the good file: it becomes a miss and its entry is dropped.
	os.WriteFile(s2.path(key("ok")), []byte("good audiX"), 0o600)
	if _, _, ok, _ := s2.Get(key("ok")); ok {
		t.Error("a damaged file was served")
	}
	if n, size, _ := s2.Usage(); n != 0 || size != 0 {
		t.Errorf("usage after dropping: %d %d", n, size)
	}
}

func TestHistory(t *testing.T) {
	s, _ := Open(t.TempDir(), 0)
	s.Put(key("a"), []byte("x"), Entry{Encoding: audio.PCM})
	id1, _ := s.AddClip(Clip{Text: "first clip", Provider: "p", Chunks: []Key{key("a")}, Duration: time.Second})
	id2, _ := s.AddClip(Clip{Text: "second", Provider: "p", Chunks: []Key{key("b")}})
	clips, err := s.Clips()
	if err != nil || len(clips) != 2 || clips[0].ID != id2 || clips[1].Text != "first clip" {
		t.Fatalf("clips %+v %v", clips, err)
	}
	if !s.Playable(clips[1]) || s.Playable(clips[0]) {
		t.Error("playable is wrong")
	}
	// Speaking the same thing again moves it to the top.
	id3, _ := s.AddClip(Clip{Text: "first clip", Provider: "p", Chunks: []Key{key("a")}})
	clips, _ = s.Clips()
	if len(clips) != 2 || clips[0].ID != id3 || id3 == id1 {
		t.Errorf("repeat: %+v", clips)
	}
	if err := s.DeleteClip(id2); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteClip(999); !errors.Is(err, ErrNoClip) {
		t.Errorf("deleting an unknown clip: %v", err)
	}
	s.ClearHistory()
	if clips, _ := s.Clips(); len(clips) != 0 {
		t.Error("clear left clips")
	}
	if (Clip{Text: "a  very\nlong text here"}).Title(8) != "a very …" {
		t.Errorf("title %q", (Clip{Text: "a  very\nlong text here"}).Title(8))
	}
}
