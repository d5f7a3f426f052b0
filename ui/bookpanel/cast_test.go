package bookpanel

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"chorus/book"
	"chorus/internal/scripted"
	"chorus/providers"
)

func TestCastEditorEditsTheHeader(t *testing.T) {
	test.NewTempApp(t)
	queue := make(chan func(), 64)
	Do = func(f func()) { queue <- f }
	defer func() { Do = fyne.Do }()
	scripted.Register(t, &scripted.Provider{ID: "cast-a"})
	scripted.Register(t, &scripted.Provider{ID: "cast-b"})
	w := test.NewWindow(nil)
	defer w.Close()
	w.Resize(fyne.NewSize(1000, 620))
	p := New(w)
	w.SetContent(p.Object())
	text := "[cast: narrator = cast-a/m1/v1]\n[cast: ghost = nowhere/x/y]\n[voice: narrator]\nHello.\n[voice: hero]\nHi."
	p.Text = func() string { return text }
	p.SetText = func(s string) { text = s }
	asked := make(chan string, 16)
	p.Voices = func(ctx context.Context, id, model string) ([]providers.Voice, error) {
		asked <- id
		return []providers.Voice{{ID: "v1", Name: "Vera"}, {ID: "v2", Name: "Max"}}, nil
	}
	p.DefaultVoice = func() book.Voice { return book.Voice{Provider: "cast-b"} }
	e := p.ShowCast()
	if len(e.rows) != 2 || e.rows[0].name.Text != "ghost" || e.rows[1].name.Text != "narrator" {
		t.Fatalf("rows %d", len(e.rows))
	}
	if e.rows[0].providerID() != "nowhere" || !strings.Contains(e.rows[0].provider.Selected, "unknown provider") {
		t.Fatalf("unknown provider shown as %q", e.rows[0].provider.Selected)
	}
	if e.rows[0].mark.Text != "Unused" || e.rows[1].mark.Text != "Used" {
		t.Fatalf("marks %q %q", e.rows[0].mark.Text, e.rows[1].mark.Text)
	}
	if m := e.Missing(); len(m) != 1 || m[0] != "hero" || len(e.missing.Objects) != 1 {
		t.Fatalf("missing %v", m)
	}
	// The voices come from the callback, in a worker.
	if id := <-asked; id != "cast-a" {
		t.Fatalf("voices asked of %q", id)
	}
	(<-queue)()
	if got := e.rows[1].voice.Text; got != "v1 — Vera" {
		t.Fatalf("voice shown as %q", got)
	}
	shoot(t, w, "cast")
	e.Add("hero")
	if len(e.Missing()) != 0 || len(e.missing.Objects) != 0 || e.rows[2].providerID() != "cast-b" {
		t.Fatalf("after adding hero: missing %v", e.Missing())
	}
	e.Rename(1, "Teller")
	if m := e.Missing(); len(m) != 1 || m[0] != "narrator" {
		t.Fatalf("after renaming: missing %v", m)
	}
	e.Rename(1, "narrator")
	e.rows[2].model.SetText("m2")
	e.Remove(0)
	if !e.Save() {
		t.Fatalf("not saved: %s", e.note.Text)
	}
	s, err := book.ParseScript(text)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Check(nil)
	if err != nil || len(c) != 2 || c["narrator"] != (book.Voice{Provider: "cast-a", Model: "m1", Voice: "v1"}) || c["hero"] != (book.Voice{Provider: "cast-b", Model: "m2"}) {
		t.Fatalf("saved cast %+v %v\n%s", c, err, text)
	}
	if !strings.HasSuffix(text, "[voice: narrator]\nHello.\n[voice: hero]\nHi.") {
		t.Fatalf("the rest of the text changed:\n%s", text)
	}
	e.Rename(0, "")
	if e.Save() || !strings.Contains(e.note.Text, "no name") {
		t.Fatalf("saved a nameless row: %q", e.note.Text)
	}
}

// Renaming a row and saving renames its [voice: …] lines too, so the
// script still speaks each line in the voice it had.
func TestCastRenameFollowsIntoTheText(t *testing.T) {
	test.NewTempApp(t)
	Do = func(func()) {} // the voice lists do not matter here
	defer func() { Do = fyne.Do }()
	scripted.Register(t, &scripted.Provider{ID: "cast-r"})
	w := test.NewWindow(nil)
	defer w.Close()
	p := New(w)
	w.SetContent(p.Object())
	text := "[cast: narrator = cast-r/m1/v1]\n[cast: hero = cast-r/m1/v2]\n[voice: narrator]\nOnce.\n[voice: hero]\nHi.\n[voice: narrator]\nEnd."
	p.Text = func() string { return text }
	p.SetText = func(s string) { text = s }
	p.Voices = func(context.Context, string, string) ([]providers.Voice, error) { return nil, nil }
	e := p.ShowCast()
	e.Rename(1, "Teller") // rows are sorted: hero, narrator
	if !e.Save() {
		t.Fatalf("not saved: %s", e.note.Text)
	}
	if strings.Contains(text, "[voice: narrator]") || strings.Count(text, "[voice: teller]") != 2 {
		t.Fatalf("the voice lines did not follow the rename:\n%s", text)
	}
	s, err := book.ParseScript(text)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Check(nil)
	if err != nil || c["teller"].Voice != "v1" || c["hero"].Voice != "v2" || len(c) != 2 {
		t.Fatalf("cast after the rename %+v %v\n%s", c, err, text)
	}
}
