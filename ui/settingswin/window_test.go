package settingswin

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"chorus/providers"
	_ "chorus/providers/openai" // a real registration for the limits line
	"chorus/settings/keys"
)

// Settings opens in a window of its own, with General, and the pages other
// features add (Voices) as tabs.
func TestSettingsWindowHasItsTabs(t *testing.T) {
	a := test.NewTempApp(t)
	AddPage("Voices", func() fyne.CanvasObject { return widget.NewLabel("voice list") })
	defer func() { pages = nil }()
	// The test driver runs fyne.Do inline: do the status refresh in line too.
	goFunc = func(f func()) { f() }
	t.Cleanup(func() { goFunc = func(f func()) { go f() } })
	store := keys.New(keys.Options{Getenv: fakeEnv{}.get})
	w := ShowWindow(a, store, Options{}, "", func(fyne.Window) fyne.CanvasObject { return widget.NewLabel("general") })
	defer w.Win.Close()
	w.Panel.wait()
	var names []string
	for _, it := range w.Tabs.Items {
		names = append(names, it.Text)
	}
	if len(names) != 3 || names[0] != "API keys" || names[1] != "General" || names[2] != "Voices" {
		t.Fatalf("tabs %v", names)
	}
	if l, ok := w.Tabs.Items[2].Content.(*widget.Label); !ok || l.Text != "voice list" {
		t.Errorf("the Voices page is not the one added")
	}
}

// The key settings are two panes: every provider with its key status on
// the left; choosing one shows its controls, limits and price on the right.
func TestKeysAreTwoPanes(t *testing.T) {
	a := test.NewTempApp(t)
	goFunc = func(f func()) { f() }
	t.Cleanup(func() { goFunc = func(f func()) { go f() } })
	store := keys.New(keys.Options{Getenv: fakeEnv{}.get})
	w := ShowWindow(a, store, Options{}, "", func(fyne.Window) fyne.CanvasObject { return widget.NewLabel("general") })
	defer w.Win.Close()
	w.Panel.wait()
	p := w.Panel
	if p.list == nil || p.list.Length() != len(p.rows) || len(p.rows) < 2 {
		t.Fatalf("provider list: %v, %d rows", p.list != nil, len(p.rows))
	}
	if len(p.detail.Objects) != 1 || p.detail.Objects[0] != p.rows[0].box {
		t.Fatal("the first provider is not shown at first")
	}
	last := p.rows[len(p.rows)-1]
	if !p.Focus(last.reg.ID) || p.detail.Objects[0] != last.box {
		t.Fatalf("Focus(%s) did not show its controls", last.reg.ID)
	}
	if w.Win.Canvas().Focused() != last.entry {
		t.Error("Focus did not put the cursor in the key entry")
	}
}

func TestLimitsText(t *testing.T) {
	reg, ok := providers.Lookup("openai")
	if !ok {
		t.Fatal("openai is not registered")
	}
	got := limitsText(reg)
	if !strings.Contains(got, "4,096 characters per request") || !strings.Contains(got, "per million characters") {
		t.Errorf("OpenAI limits: %q", got)
	}
}
