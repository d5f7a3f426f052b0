package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"chorus/internal/audiotest"
	"chorus/internal/screentext/xcliptest"
	"chorus/ui/tray"
)

// Settings → General changes the global shortcut for real (an X11 grab on
// a private Xvfb): a bad one is refused in words with the old one kept, a
// good one is grabbed, remembered and announced.
func TestGeneralPageChangesTheShortcut(t *testing.T) {
	audiotest.RequireReal(t)
	xcliptest.PrivateDisplay(t)
	s, _ := newTestStudio(t)
	s.Hotkey = tray.NewHotkey("", func() {})
	defer s.Hotkey.Close()
	changed := 0
	s.OnShortcutChanged = func() { changed++ }
	page := s.GeneralPage(s.Window)
	w := test.NewWindow(page)
	defer w.Close()
	w.Resize(fyne.NewSize(700, 500))

	entry, apply, state := shortcutWidgets(t, page)
	if entry.Text != tray.DefaultShortcut || !strings.Contains(state.Text, "in any application") {
		t.Fatalf("shortcut row shows %q / %q", entry.Text, state.Text)
	}
	entry.SetText("Shift+S")
	test.Tap(apply)
	if !strings.Contains(state.Text, "Ctrl, Alt or Super") || !strings.HasPrefix(state.Text, "\"") && !startsUpper(state.Text) {
		t.Errorf("a bad shortcut says %q", state.Text)
	}
	if sc, _ := s.Hotkey.Current(); sc.String() != tray.DefaultShortcut || changed != 0 {
		t.Errorf("a refused shortcut changed the hotkey to %s (%d changes)", sc, changed)
	}

	entry.SetText("ctrl+alt+f7")
	test.Tap(apply)
	if sc, err := s.Hotkey.Current(); err != nil || sc.String() != "Ctrl+Alt+F7" {
		t.Fatalf("after Apply: %s, %v (row says %q)", sc, err, state.Text)
	}
	if got := s.App.Preferences().String(ShortcutKey); got != "Ctrl+Alt+F7" || changed != 1 {
		t.Errorf("preference %q, %d change notices", got, changed)
	}
	if entry.Text != "Ctrl+Alt+F7" || !strings.Contains(state.Text, "Press Ctrl+Alt+F7") {
		t.Errorf("row shows %q / %q", entry.Text, state.Text)
	}
}

// Without a way to grab keys, the row says so and what to do instead.
func TestGeneralPageSaysWhenNoShortcutIsPossible(t *testing.T) {
	t.Setenv("DISPLAY", "")
	s, _ := newTestStudio(t)
	s.Hotkey = tray.NewHotkey("", func() {})
	page := s.GeneralPage(s.Window)
	_, _, state := shortcutWidgets(t, page)
	if state.Text != tray.NoShortcutAdvice {
		t.Errorf("no display: row says %q", state.Text)
	}
}

func startsUpper(s string) bool { return s != "" && strings.ToUpper(s[:1]) == s[:1] }

func shortcutWidgets(t *testing.T, page fyne.CanvasObject) (*widget.Entry, *widget.Button, *widget.Label) {
	t.Helper()
	var entry *widget.Entry
	var apply *widget.Button
	var state *widget.Label
	for _, o := range test.LaidOutObjects(page) {
		switch x := o.(type) {
		case *widget.Entry:
			if x.PlaceHolder == tray.DefaultShortcut {
				entry = x
			}
		case *widget.Button:
			if x.Text == "Apply" {
				apply = x
			}
		case *widget.Label:
			if strings.Contains(x.Text, "application") || strings.Contains(x.Text, "shortcut") {
				state = x
			}
		}
	}
	if entry == nil || apply == nil || state == nil {
		t.Fatalf("General has no shortcut row (entry %v, apply %v, state %v)", entry != nil, apply != nil, state != nil)
	}
	return entry, apply, state
}
