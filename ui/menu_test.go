package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"chorus/internal/scripted"
)

// menuItem finds an item by menu and label prefix.
func menuItem(t *testing.T, s *Studio, menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, m := range s.Menu.Items {
		if m.Label != menu {
			continue
		}
		for _, it := range m.Items {
			if strings.HasPrefix(it.Label, label) {
				return it
			}
		}
	}
	t.Fatalf("no %s → %s", menu, label)
	return nil
}

func TestMenusHaveTheirItemsAndAccelerators(t *testing.T) {
	s, _ := newTestStudio(t)
	s.InstallMenu()
	want := map[string][]string{
		"File":   {"New", "Open…", "Open recent", "Export…", "Quit"},
		"Edit":   {"Undo", "Redo", "Cut", "Copy", "Paste", "Select all", "Find…"},
		"Speech": {"Speak", "Speak from here", "Pause", "Stop", "Speak clipboard"},
		"Help":   {"Keyboard shortcuts", "About"},
	}
	for menu, labels := range want {
		for _, l := range labels {
			menuItem(t, s, menu, l)
		}
	}
	for _, l := range []string{"New", "Open…", "Export…", "Quit"} {
		if menuItem(t, s, "File", l).Shortcut == nil {
			t.Errorf("File → %s shows no accelerator", l)
		}
	}
	if menuItem(t, s, "Speech", "Speak").Shortcut == nil || menuItem(t, s, "Edit", "Find…").Shortcut == nil {
		t.Error("Speak or Find shows no accelerator")
	}
	if !strings.Contains(AboutText(), "GPL-3.0-or-later") || !strings.Contains(AboutText(), "fyne.io/fyne/v2") {
		t.Errorf("About says %q", AboutText())
	}
}

func TestEditMenuActsOnTheEditor(t *testing.T) {
	s, _ := newTestStudio(t)
	s.InstallMenu()
	test.Type(s.Text, "Copy these words")
	menuItem(t, s, "Edit", "Select all").Action()
	menuItem(t, s, "Edit", "Copy").Action()
	if got := s.App.Clipboard().Content(); got != "Copy these words" {
		t.Errorf("clipboard %q after Select all and Copy", got)
	}
	s.Text.SetText("one two one")
	s.Text.CursorRow, s.Text.CursorColumn = 0, 0
	if at := s.FindNext("ONE"); at != 0 {
		t.Errorf("found at %d", at)
	}
	if at := s.FindNext("one"); at != 8 {
		t.Errorf("next found at %d, want 8", at)
	}
}

func TestSpeakClipboardKeepsTheEditor(t *testing.T) {
	s, _ := newTestStudio(t)
	s.InstallMenu()
	p := scripted.Register(t, &scripted.Provider{ID: "ui-clip"})
	s.RefreshProviders()
	s.selectProvider("ui-clip")
	test.Type(s.Text, "Editor text")
	s.App.Clipboard().SetContent("Clipboard words")
	menuItem(t, s, "Speech", "Speak clipboard").Action()
	eventually(t, "request", func() bool { return !s.Busy() && len(p.Requests()) == 1 })
	if got := p.Requests()[0].Text; got != "Clipboard words" || s.Text.Text != "Editor text" {
		t.Errorf("spoke %q, editor %q", got, s.Text.Text)
	}
}

func TestOpenRecentRemembersOpenedFiles(t *testing.T) {
	s, _ := newTestStudio(t)
	s.InstallMenu()
	f := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(f, []byte("Remember me."), 0o600)
	s.OpenTextFile(f)
	items := menuItem(t, s, "File", "Open recent").ChildMenu.Items
	if len(items) == 0 || !strings.HasPrefix(items[0].Label, "notes.txt") {
		t.Fatalf("recent: %v", items)
	}
	s.NewText()
	if s.Text.Text != "" {
		t.Fatalf("New kept %q (the text was in a file: no question needed)", s.Text.Text)
	}
	items[0].Action()
	if s.Text.Text != "Remember me." {
		t.Errorf("Open recent loaded %q", s.Text.Text)
	}
}

// Tab and Shift+Tab leave the editor (keyboard-only use); Ctrl+Tab types
// a tab into it.
func TestTabMovesFocusOutOfTheEditor(t *testing.T) {
	s, _ := newTestStudio(t)
	var tabbable fyne.Tabbable = s.Text
	if tabbable.AcceptsTab() {
		t.Fatal("the editor keeps Tab to itself: focus can never leave it by keyboard")
	}
	c := s.Window.Canvas()
	c.Focus(s.Text)
	test.Type(s.Text, "a")
	s.Text.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: fyne.KeyModifierControl})
	test.Type(s.Text, "b")
	if s.Text.Text != "a\tb" {
		t.Errorf("Ctrl+Tab typed %q, want a tab between a and b", s.Text.Text)
	}
	c.FocusNext()
	if f := c.Focused(); f == nil || f == fyne.Focusable(s.Text) {
		t.Errorf("the next focus after the editor is %T", f)
	}
	c.FocusPrevious()
	if c.Focused() != fyne.Focusable(s.Text) {
		t.Errorf("Shift+Tab from the next control lands on %T, not the editor", c.Focused())
	}
}

// F10 reaches the menu from the editor, from a picker and with nothing
// focused, and types nothing.
func TestF10OpensTheMenu(t *testing.T) {
	s, _ := newTestStudio(t)
	s.InstallMenu()
	s.Text.SetText("Keep me.")
	before := menuToggled
	c := s.Window.Canvas()
	c.Focus(s.Text)
	pressKey(c, fyne.KeyF10)
	c.Focus(s.Format)
	pressKey(c, fyne.KeyF10)
	c.Unfocus()
	pressKey(c, fyne.KeyF10)
	if n := menuToggled - before; n != 3 {
		t.Errorf("F10 reached the menu %d times of 3", n)
	}
	if s.Text.Text != "Keep me." {
		t.Errorf("F10 changed the text: %q", s.Text.Text)
	}
}

// pressKey delivers a key as the driver does: to the focused widget, else
// to the canvas.
func pressKey(c fyne.Canvas, k fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: k}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	c.OnTypedKey()(ev)
}
