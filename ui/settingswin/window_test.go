package settingswin

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

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
