package settingswin

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"chorus/settings"
	"chorus/settings/keys"
)

// Chunk size and parallel requests are edited per provider, checked as
// typed against the provider's own limits, kept in the preferences, shown
// again in a new Settings, and Reset returns to the default.
func TestLimitsAreEditableValidatedAndKept(t *testing.T) {
	app := test.NewTempApp(t)
	st := settings.New(app.Preferences())
	opts := Options{
		Limits:    func(id string) (int, int) { return st.ChunkChars(id), st.Parallel(id) },
		SetLimits: func(id string, c, n int) { st.SetChunkChars(id, c); st.SetParallel(id, n) },
	}
	store := keys.New(keys.Options{Getenv: fakeEnv{}.get})
	w := test.NewTempWindow(t, nil)
	p := New(w, store, opts)
	p.wait()
	w.SetContent(p.Content())
	w.Resize(fyne.NewSize(700, 1200))
	r := rowOf(t, p, "openai")
	maxChars, _ := providerLimits(r.reg)
	if maxChars != 4096 {
		t.Fatalf("OpenAI's limit is %d", maxChars)
	}
	r.chunk.SetText("5000") // over OpenAI's 4,096
	if !r.limNote.Visible() || !strings.Contains(r.limNote.Text, "from 1 to 4,096 characters") || st.ChunkChars("openai") != 0 {
		t.Errorf("5000 characters: note %q, saved %d", r.limNote.Text, st.ChunkChars("openai"))
	}
	r.chunk.SetText("1200")
	r.par.SetText("x")
	if !r.limNote.Visible() || !strings.Contains(r.limNote.Text, "Parallel requests") || st.Parallel("openai") != 0 {
		t.Errorf("parallel x: note %q, saved %d", r.limNote.Text, st.Parallel("openai"))
	}
	r.par.SetText("2")
	if r.limNote.Visible() || st.ChunkChars("openai") != 1200 || st.Parallel("openai") != 2 {
		t.Errorf("valid limits: note shown %v %q, saved %d and %d", r.limNote.Visible(), r.limNote.Text, st.ChunkChars("openai"), st.Parallel("openai"))
	}
	// A new Settings shows what was saved.
	p2 := New(w, store, opts)
	p2.wait()
	if r2 := rowOf(t, p2, "openai"); r2.chunk.Text != "1200" || r2.par.Text != "2" {
		t.Errorf("reopened: %q and %q", r2.chunk.Text, r2.par.Text)
	}
	test.Tap(findButton(t, r.box, "Reset to default"))
	if st.ChunkChars("openai") != 0 || st.Parallel("openai") != 0 || r.chunk.Text != "" || r.par.Text != "" {
		t.Errorf("after Reset: saved %d and %d, shown %q and %q", st.ChunkChars("openai"), st.Parallel("openai"), r.chunk.Text, r.par.Text)
	}
}

// findButton is the button labelled text inside o.
func findButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var walk func(o fyne.CanvasObject) *widget.Button
	walk = func(o fyne.CanvasObject) *widget.Button {
		switch v := o.(type) {
		case *widget.Button:
			if v.Text == text {
				return v
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				if b := walk(c); b != nil {
					return b
				}
			}
		}
		return nil
	}
	if b := walk(o); b != nil {
		return b
	}
	t.Fatalf("no %q button", text)
	return nil
}
