package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"chorus/book"
	"chorus/internal/scripted"
	"chorus/ui/bookpanel"
)

// Edit → Pronunciations… edits the list audiobook renders apply: a wrong
// line is named and nothing is written; a good list is saved and used.
func TestPronunciationsEditor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chorus", "lexicon.txt")
	old := lexiconPath
	lexiconPath = func() (string, error) { return path, nil }
	t.Cleanup(func() { lexiconPath = old })
	s, _ := newTestStudio(t)
	s.InstallMenu()
	if it := menuItem(t, s, "Edit", "Pronunciations"); it == nil {
		t.Fatal("no Edit → Pronunciations… item")
	}
	p := s.ShowPronunciations()
	defer p.Win.Close()
	p.Text.SetText("Xyzzy = ziz-ee\nthis line is wrong\n")
	test.Tap(p.Save)
	if !strings.Contains(p.Note.Text, "line 2") || !strings.HasPrefix(p.Note.Text, "Not saved") {
		t.Errorf("a wrong line says %q", p.Note.Text)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("a wrong list was written")
	}
	p.Text.SetText("Xyzzy = ziz-ee")
	test.Tap(p.Save)
	if p.Note.Text != "Saved 1 pronunciation." {
		t.Errorf("saved note %q", p.Note.Text)
	}
	if b, _ := os.ReadFile(path); string(b) != "Xyzzy = ziz-ee\n" {
		t.Errorf("file %q", b)
	}
	again := s.ShowPronunciations()
	defer again.Win.Close()
	if again.Text.Text != "Xyzzy = ziz-ee\n" {
		t.Errorf("the editor reopens with %q", again.Text.Text)
	}

	// An audiobook render applies it.
	pr := scripted.Register(t, &scripted.Provider{ID: "ui-lex"})
	s.RefreshProviders()
	s.selectProvider("ui-lex")
	dir := t.TempDir()
	s.renderBook(s.bookRenderer(), &book.Book{Title: "T", Chapters: []book.Chapter{{Title: "One", Text: "Say Xyzzy."}}}, dir,
		bookpanel.ExportChoice{PerFile: true, Title: "T"})
	eventually(t, "render done", func() bool { return !s.Busy() && strings.HasPrefix(s.Status.Text, "Saved") })
	var sent []string
	for _, q := range pr.Requests() {
		sent = append(sent, q.Text)
	}
	if !strings.Contains(strings.Join(sent, " "), "Say ziz-ee.") {
		t.Errorf("the render sent %q", sent)
	}
	// A damaged list stops a render before anything is sent.
	os.WriteFile(path, []byte("broken\n"), 0o600)
	n := len(pr.Requests())
	s.renderBook(s.bookRenderer(), &book.Book{Title: "T2", Chapters: []book.Chapter{{Title: "One", Text: "Say Xyzzy."}}}, dir,
		bookpanel.ExportChoice{PerFile: true, Title: "T2"})
	if !strings.Contains(s.Status.Text, "pronunciation list has a mistake") || len(pr.Requests()) != n || s.Busy() {
		t.Errorf("damaged list: status %q, %d new requests", s.Status.Text, len(pr.Requests())-n)
	}
}

// Tests never read the user's own pronunciation list.
func init() {
	dir, err := os.MkdirTemp("", "chorus-ui-lexicon")
	if err != nil {
		panic(err)
	}
	lexiconPath = func() (string, error) { return filepath.Join(dir, "lexicon.txt"), nil }
}

// The editor shows and keeps phoneme entries as written, and names a
// wrong one without writing anything.
func TestPronunciationsEditorPhonemes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chorus", "lexicon.txt")
	old := lexiconPath
	lexiconPath = func() (string, error) { return path, nil }
	t.Cleanup(func() { lexiconPath = old })
	os.MkdirAll(filepath.Dir(path), 0o700)
	start := "tomato = /təˈmɑːtoʊ/ tuh-MAH-toe\n"
	os.WriteFile(path, []byte(start), 0o600)
	s, _ := newTestStudio(t)
	p := s.ShowPronunciations()
	defer p.Win.Close()
	if p.Text.Text != start {
		t.Fatalf("the editor shows %q", p.Text.Text)
	}
	p.Text.SetText(start + "basil = /ˈbæzəl\n")
	test.Tap(p.Save)
	if !strings.HasPrefix(p.Note.Text, "Not saved") || !strings.Contains(p.Note.Text, "basil") || !strings.Contains(p.Note.Text, "closing /") {
		t.Errorf("an unclosed IPA says %q", p.Note.Text)
	}
	if b, _ := os.ReadFile(path); string(b) != start {
		t.Fatalf("a wrong list was written: %q", b)
	}
	p.Text.SetText(start + "basil = /ˈbæzəl/ [[b'az@l]]")
	test.Tap(p.Save)
	if !strings.HasPrefix(p.Note.Text, "Saved 2 pronunciations. 2 with phonemes.") || !strings.Contains(p.Note.Text, "“basil”") {
		t.Errorf("saved note %q", p.Note.Text)
	}
	want := start + "basil = /ˈbæzəl/ [[b'az@l]]\n"
	if b, _ := os.ReadFile(path); string(b) != want {
		t.Fatalf("file %q", b)
	}
	lx, _, err := book.LoadLexiconFile(path)
	if err != nil || len(lx) != 2 || lx[1].IPA != "ˈbæzəl" || lx[1].Espeak != "b'az@l" || lx[0].Replacement != "tuh-MAH-toe" {
		t.Fatalf("read back %+v %v", lx, err)
	}
	again := s.ShowPronunciations()
	defer again.Win.Close()
	if again.Text.Text != want {
		t.Errorf("the editor reopens with %q", again.Text.Text)
	}
}
