package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
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
