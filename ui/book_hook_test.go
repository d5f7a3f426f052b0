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
