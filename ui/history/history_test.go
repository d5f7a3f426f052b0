package history

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

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
	if len(clips) != 1 || !strings.Contains(clips[0].Title(80), "A clip worth keeping") || v.Status.Text != "1 clip" {
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

	if v.lastDir != filepath.Dir(out) || a.Preferences().String(exportDirKey) != filepath.Dir(out) {
		t.Errorf("the export folder is not remembered: %q / %q", v.lastDir, a.Preferences().String(exportDirKey))
	}
	if again := NewView(w, e); again.lastDir != filepath.Dir(out) {
		t.Errorf("a new History view starts in %q, want the last export folder %q", again.lastDir, filepath.Dir(out))
	}

	// Delete asks first: "No" keeps the clip, "Yes" removes it.
	v.AskDelete(clips[0])
	tapInDialog(t, w, "No")
	if len(v.Clips()) != 1 {
		t.Fatal("declining the delete removed the clip")
	}
	v.AskDelete(clips[0])
	tapInDialog(t, w, "Yes")
	if len(v.Clips()) != 0 {
		t.Error("clip still listed after Delete")
	}
	if v.Status.Text != "0 clips" {
		t.Errorf("status %q after deleting the only clip", v.Status.Text)
	}
}

// tapInDialog taps the button labelled text in the dialog on top.
func tapInDialog(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog is open to tap %q", text)
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("the dialog has no %q button", text)
}

func TestDescribeNamesProviderModelFormatAndGoneAudio(t *testing.T) {
	scripted.Register(t, &scripted.Provider{ID: "desc"})
	c := cache.Clip{Provider: "desc", Voice: "ann", Model: "m1", Format: "mp3", Speed: 1.25,
		Created: time.Date(2026, 1, 2, 3, 4, 0, 0, time.Local), Duration: 1500 * time.Millisecond}
	got := Describe(c, false)
	for _, want := range []string{"2026-01-02 03:04", "ann", "m1", "MP3", "1.25×", "1.5s"} {
		if !strings.Contains(got, want) {
			t.Errorf("Describe = %q, lacks %q", got, want)
		}
	}
	if strings.Contains(got, "no longer cached") {
		t.Errorf("a playable clip is described as gone: %q", got)
	}
	if got := Describe(c, true); !strings.Contains(got, "no longer cached") {
		t.Errorf("a clip without audio is not marked: %q", got)
	}
	c.Voice = ""
	if got := Describe(c, false); !strings.Contains(got, "default voice") {
		t.Errorf("no voice: %q", got)
	}
}

func TestPlayTurnsIntoStopAndBack(t *testing.T) {
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
	scripted.Register(t, &scripted.Provider{ID: "histplay"})
	sink := player.NewMemorySink(player.DeviceFormat)
	e := &core.Engine{Cache: st, Getenv: func(string) string { return "" }, OpenSink: func() (player.Sink, error) { return sink, nil }}
	if _, err := e.Speak(context.Background(), core.Job{Provider: "histplay", Request: providers.Request{Text: "Play me."}, Play: true}); err != nil {
		t.Fatal(err)
	}
	v := NewView(w, e)
	w.SetContent(v.Content())
	w.Resize(fyne.NewSize(800, 400))
	row := v.create()
	v.update(0, row)
	play := playButton(row)
	if play.Text != "Play" {
		t.Fatalf("idle row button %q", play.Text)
	}
	v.Play(v.Clips()[0])
	v.update(0, row)
	if play.Text != "Stop" {
		t.Fatalf("while playing the row button says %q, want Stop", play.Text)
	}
	test.Tap(play)
	select {
	case f := <-posted:
		f()
	case <-time.After(5 * time.Second):
		t.Fatal("play did not end after Stop")
	}
	v.update(0, row)
	if play.Text != "Play" || (v.Status.Text != "Stopped." && v.Status.Text != "Done.") {
		t.Fatalf("after Stop: button %q, status %q", play.Text, v.Status.Text)
	}
}

func playButton(row fyne.CanvasObject) *widget.Button {
	return row.(*fyne.Container).Objects[1].(*fyne.Container).Objects[0].(*widget.Button)
}
