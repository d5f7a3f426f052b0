package ui

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"chorus/book"
	"chorus/documents"
	"chorus/internal/scripted"
	"chorus/providers"
	"chorus/ui/bookpanel"
)

func TestOpeningABookShowsItsChapters(t *testing.T) {
	s, _ := newTestStudio(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "story.html")
	os.WriteFile(page, []byte("<h1>Morning</h1><p>The sun rose.</p><h1>Evening</h1><p>The sun set.</p>"), 0o644)
	s.OpenTextFile(page)
	if !strings.Contains(s.Status.Text, "2 chapters") || !strings.Contains(s.Text.Text, "The sun set.") {
		t.Fatalf("status %q, text %q", s.Status.Text, s.Text.Text)
	}
	if got := s.book.panel.Book.Chapters; len(got) != 2 || got[0].Title != "Morning" || got[1].Title != "Evening" {
		t.Fatalf("chapters %+v", got)
	}
	if s.book.box.Objects[0] != fyne.CanvasObject(s.book.split) {
		t.Fatal("the Chapters panel is not beside the editor")
	}
	md := filepath.Join(dir, "one.md")
	os.WriteFile(md, []byte("Just one part.\n"), 0o644)
	s.OpenTextFile(md)
	if s.book.box.Objects[0] == fyne.CanvasObject(s.book.split) {
		t.Fatal("a one-chapter text still shows the Chapters panel")
	}
	s.OpenTextFile(page)
	if shot := os.Getenv("BOOKPANEL_SHOT"); shot != "" {
		s.Window.Resize(fyne.NewSize(1200, 700))
		f, _ := os.Create(shot + "-studio.png")
		png.Encode(f, s.Window.Canvas().Capture())
		f.Close()
	}
}

// Stop (the Stop button, as Esc) cancels an audiobook render at once: no
// file is left in the folder and the window is ready for the next run.
func TestStopCancelsAnAudiobookRender(t *testing.T) {
	s, _ := newTestStudio(t)
	asked := make(chan struct{}, 8)
	p := scripted.Register(t, &scripted.Provider{ID: "ui-book-stop"})
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		asked <- struct{}{}
		<-ctx.Done() // a provider that takes forever
		return nil, ctx.Err()
	}
	s.RefreshProviders()
	s.selectProvider("ui-book-stop")
	b := &book.Book{Title: "Tale", Chapters: []book.Chapter{{Title: "One", Text: "The first part."}, {Title: "Two", Text: "The second part."}}}
	dir := t.TempDir()
	s.renderBook(s.bookRenderer(), b, dir, bookpanel.ExportChoice{Audiobook: true, PerFile: true, Title: "Tale"})
	select {
	case <-asked:
	case <-time.After(10 * time.Second):
		t.Fatal("the render sent no request")
	}
	if !s.Busy() || s.StopButton.Disabled() || !s.SpeakButton.Disabled() {
		t.Fatalf("while rendering: busy %v, stop disabled %v, speak disabled %v", s.Busy(), s.StopButton.Disabled(), s.SpeakButton.Disabled())
	}
	test.Tap(s.StopButton)
	eventually(t, "render stopped", func() bool { return !s.Busy() && strings.HasPrefix(s.Status.Text, "Stopped") })
	if s.SpeakButton.Disabled() || !s.StopButton.Disabled() {
		t.Error("buttons not restored after stopping the render")
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 0 {
		t.Errorf("a stopped render left %d entries in the folder, e.g. %s", len(left), left[0].Name())
	}
}

func TestCueTimedSubtitlesExportFromTheWindow(t *testing.T) {
	s, _ := newTestStudio(t)
	scripted.Register(t, &scripted.Provider{ID: "ui-cue"})
	s.RefreshProviders()
	s.selectProvider("ui-cue")
	dir := t.TempDir()
	srt := filepath.Join(dir, "subs.srt")
	os.WriteFile(srt, []byte("1\n00:00:01,000 --> 00:00:02,000\nOne\n\n2\n00:00:03,000 --> 00:00:04,000\nTwo\n"), 0o644)
	d, err := documents.Open(context.Background(), srt, documents.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.showChapters(d)
	cues := s.book.panel.Cues
	if len(cues) != 2 || cues[1].Start != 3*time.Second {
		t.Fatalf("cues %+v", cues)
	}
	s.renderBook(s.bookRenderer(), &book.Book{Title: "subs"}, dir, bookpanel.ExportChoice{Timed: true, Cues: cues, Title: "subs"})
	eventually(t, "timed export saved", func() bool { return !s.Busy() && strings.HasPrefix(s.Status.Text, "Saved subs.wav") })
	if !strings.Contains(s.Status.Text, "Every cue started on time") {
		t.Fatalf("status %q", s.Status.Text)
	}
	st, err := os.Stat(filepath.Join(dir, "subs.wav"))
	// 3.5 s of 16-bit mono at 24 kHz plus a header.
	if err != nil || st.Size() < 3*24000*2 {
		t.Fatalf("wav %v %v", st, err)
	}
}

func init() { bookpanel.Do = func(f func()) { uiDo(f) } }

// Saving the Cast editor rewrites the header of the studio's own editor.
func TestCastEditorSavesIntoTheEditor(t *testing.T) {
	s, _ := newTestStudio(t)
	s.Text.SetText("[voice: hero]\nHello there.")
	e := s.book.panel.ShowCast()
	if m := e.Missing(); len(m) != 1 || m[0] != "hero" {
		t.Fatalf("missing %v", m)
	}
	e.Add("hero")
	if !e.Save() {
		t.Fatal("not saved")
	}
	pump()
	if !strings.HasPrefix(s.Text.Text, "[cast: hero = "+s.ProviderID()) || !strings.HasSuffix(s.Text.Text, "\n[voice: hero]\nHello there.") {
		t.Fatalf("editor text %q", s.Text.Text)
	}
	sc, err := book.ParseScript(s.Text.Text)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Check(nil); err != nil {
		t.Fatalf("the saved header does not cover the text: %v", err)
	}
}
