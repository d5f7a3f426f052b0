package history

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"chorus/cache"
	"chorus/core"
	"chorus/internal/scripted"
	"chorus/player"
	"chorus/providers"
)

func TestHistoryListsExportsAndDeletes(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("History")
	defer w.Close()
	posted := make(chan func(), 16)
	Do = func(f func()) { posted <- f }
	defer func() { Do = nil }()

	st, err := cache.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	p := scripted.Register(t, &scripted.Provider{ID: "hist"})
	sink := player.NewMemorySink(player.DeviceFormat)
	e := &core.Engine{Cache: st, Getenv: func(string) string { return "" }, OpenSink: func() (player.Sink, error) { return sink, nil }}
	if _, err := e.Speak(context.Background(), core.Job{Provider: "hist", Request: providers.Request{Text: "A clip worth keeping."}, Play: true}); err != nil {
		t.Fatal(err)
	}

	v := NewView(w, e)
	w.SetContent(v.Content())
	clips := v.Clips()
	if len(clips) != 1 || !strings.Contains(clips[0].Title(80), "A clip worth keeping") || v.Status.Text != "1 clips" {
		t.Fatalf("clips %+v, status %q", clips, v.Status.Text)
	}

	out := filepath.Join(t.TempDir(), "clip.wav")
	v.Export(clips[0], out, false)
	select {
	case f := <-posted:
		f()
	case <-time.After(5 * time.Second):
		t.Fatal("export did not finish")
	}
	if st, err := os.Stat(out); err != nil || st.Size() < 1000 || !strings.HasPrefix(v.Status.Text, "Saved") {
		t.Fatalf("export: %v, status %q", err, v.Status.Text)
	}
	if n := len(p.Requests()); n != 1 {
		t.Errorf("exporting from history sent %d requests in all, want only the first", n)
	}

	v.Delete(clips[0])
	if len(v.Clips()) != 0 {
		t.Error("clip still listed after Delete")
	}
}
