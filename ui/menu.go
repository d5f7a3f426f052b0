package ui

import (
	"fmt"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"chorus/ui/modal"
)

// Version is shown in Help → About; main sets it from the build.
var Version = ""

// License is Chorus's license, shown in Help → About.
const License = "GPL-3.0-or-later"

const recentKey = "recent.files"

func shortcut(k fyne.KeyName, shift bool) fyne.Shortcut {
	m := fyne.KeyModifierShortcutDefault
	if shift {
		m |= fyne.KeyModifierShift
	}
	return &desktop.CustomShortcut{KeyName: k, Modifier: m}
}

func item(label string, sc fyne.Shortcut, action func()) *fyne.MenuItem {
	it := fyne.NewMenuItem(label, action)
	it.Shortcut = sc
	return it
}

// InstallMenu adds the File, Edit, Speech and Help menus. Their
// accelerators are main-menu shortcuts: Fyne runs them wherever the focus is.
func (s *Studio) InstallMenu() {
	recent := fyne.NewMenuItem("Open recent", nil)
	recent.ChildMenu = fyne.NewMenu("")
	s.recentItem = recent
	s.refreshRecent()
	file := fyne.NewMenu("File",
		item("New", shortcut(fyne.KeyN, false), s.NewText),
		item("Open…", shortcut(fyne.KeyO, false), s.ShowOpen),
		recent,
		item("Export…", shortcut(fyne.KeyE, false), s.ShowExport),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Add OpenAI-compatible endpoint…", s.ShowAddEndpoint),
		fyne.NewMenuItem("Remove this endpoint", func() {
			if err := s.RemoveEndpoint(s.ProviderID()); err != nil {
				s.SetStatus(err.Error())
			}
		}),
		fyne.NewMenuItemSeparator(),
		item("Quit", shortcut(fyne.KeyQ, false), func() { s.Window.Close() }),
	)
	file.Items[len(file.Items)-1].IsQuit = true
	edit := fyne.NewMenu("Edit",
		item("Undo", shortcut(fyne.KeyZ, false), func() { s.editorShortcut(&fyne.ShortcutUndo{}) }),
		item("Redo", shortcut(fyne.KeyZ, true), func() { s.editorShortcut(&fyne.ShortcutRedo{}) }),
		fyne.NewMenuItemSeparator(),
		item("Cut", shortcut(fyne.KeyX, false), func() { s.editorShortcut(&fyne.ShortcutCut{Clipboard: s.App.Clipboard()}) }),
		item("Copy", shortcut(fyne.KeyC, false), func() { s.editorShortcut(&fyne.ShortcutCopy{Clipboard: s.App.Clipboard()}) }),
		item("Paste", shortcut(fyne.KeyV, false), func() { s.editorShortcut(&fyne.ShortcutPaste{Clipboard: s.App.Clipboard()}) }),
		item("Select all", shortcut(fyne.KeyA, false), func() { s.editorShortcut(&fyne.ShortcutSelectAll{}) }),
		fyne.NewMenuItemSeparator(),
		item("Find…", shortcut(fyne.KeyF, false), s.ShowFind),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Pronunciations…", func() { s.ShowPronunciations() }),
		fyne.NewMenuItem("Cast…", s.showCast), // book_hook.go
	)
	if s.OpenSettings != nil {
		edit.Items = append(edit.Items, fyne.NewMenuItemSeparator(),
			item("Settings…", &desktop.CustomShortcut{KeyName: fyne.KeyComma, Modifier: fyne.KeyModifierShortcutDefault}, func() { s.OpenSettings("") }))
	}
	edit.Items = append(edit.Items, s.voicesMenuItem()) // voices_hook.go
	speech := fyne.NewMenu("Speech",
		item("Speak", shortcut(fyne.KeyReturn, false), s.Speak),
		item("Speak from here", shortcut(fyne.KeyReturn, true), s.SpeakFromHere),
		item("Pause or resume (Space)", shortcut(fyne.KeyP, false), s.TogglePause),
		fyne.NewMenuItem("Stop (Esc)", s.Stop),
		item("Speak clipboard", shortcut(fyne.KeyV, true), s.SpeakClipboard),
	)
	help := fyne.NewMenu("Help",
		fyne.NewMenuItem("Keyboard shortcuts", s.ShowShortcuts),
		fyne.NewMenuItem("About Chorus", s.ShowAbout),
	)
	s.Menu = fyne.NewMainMenu(file, edit, speech, help)
	s.Window.SetMainMenu(s.Menu)
	s.Text.onF10 = s.ToggleMenu
}

// menuToggler is what a window's canvas offers when its menu bar is drawn
// in the window (Fyne's desktop driver on Linux and Windows). Fyne has no
// public call for it; a native menu bar (macOS) has none.
type menuToggler interface{ ToggleMenu() }

// menuToggled counts F10 presses that reached a canvas without a menu bar
// of its own to open (the test driver's), so tests see the key arrive.
var menuToggled int

// ToggleMenu opens the window's menu bar at its first menu, or closes it
// (F10). Alt alone does the same, handled by Fyne itself.
func (s *Studio) ToggleMenu() {
	if m, ok := s.Window.Canvas().(menuToggler); ok {
		m.ToggleMenu()
		return
	}
	menuToggled++
}

// editorShortcut applies an editing shortcut to the editor.
func (s *Studio) editorShortcut(sc fyne.Shortcut) {
	s.Window.Canvas().Focus(s.Text)
	s.Text.TypedShortcut(sc)
}

// NewText empties the editor, asking first when its text is in no file.
func (s *Studio) NewText() {
	s.askBeforeReplacing("Start a new text", func() {
		s.Text.SetText("")
		s.opened = ""
		s.SetStatus("New text.")
	})
}

// SpeakClipboard speaks what is on the clipboard; the editor is untouched.
func (s *Studio) SpeakClipboard() {
	t := strings.TrimSpace(s.App.Clipboard().Content())
	if t == "" {
		s.SetStatus("The clipboard holds no text to speak.")
		return
	}
	s.override = t
	s.Speak()
	s.override = ""
}

// addRecent puts a file first in File → Open recent.
func (s *Studio) addRecent(path string) {
	list := slices.DeleteFunc(s.prefs().StringList(recentKey), func(p string) bool { return p == path })
	list = append([]string{path}, list...)
	if len(list) > 8 {
		list = list[:8]
	}
	s.prefs().SetStringList(recentKey, list)
	s.refreshRecent()
}

func (s *Studio) refreshRecent() {
	if s.recentItem == nil {
		return
	}
	var items []*fyne.MenuItem
	for _, p := range s.prefs().StringList(recentKey) {
		items = append(items, fyne.NewMenuItem(filepath.Base(p)+" — "+filepath.Dir(p), func() { s.OpenTextFile(p) }))
	}
	if len(items) == 0 {
		none := fyne.NewMenuItem("No recent files", nil)
		none.Disabled = true
		items = append(items, none)
	}
	s.recentItem.ChildMenu.Items = items
	if s.Menu != nil {
		s.Menu.Refresh()
	}
}

// ShowFind asks for a word and puts the cursor after its next occurrence.
func (s *Studio) ShowFind() {
	q := widget.NewEntry()
	q.PlaceHolder = "Text to find"
	find := func() {
		if n := s.FindNext(q.Text); n < 0 {
			s.SetStatus("“" + q.Text + "” is not in the text.")
		}
	}
	q.OnSubmitted = func(string) { find() }
	d := dialog.NewCustom("Find", "Close", container.NewBorder(nil, nil, nil, widget.NewButton("Find next", find), q), s.Window)
	modal.Show(d, s.Window)
	s.Window.Canvas().Focus(q)
}

// FindNext moves the cursor to the end of the next occurrence of q after
// the cursor (wrapping around), case-insensitively; it returns the rune
// offset found or -1.
func (s *Studio) FindNext(q string) int {
	if q == "" {
		return -1
	}
	text := []rune(strings.ToLower(s.Text.Text))
	needle := []rune(strings.ToLower(q))
	from := s.Text.CursorTextOffset()
	at := -1
	for _, start := range []int{from, 0} {
		for i := start; i+len(needle) <= len(text); i++ {
			if slices.Equal(text[i:i+len(needle)], needle) {
				at = i
				break
			}
		}
		if at >= 0 {
			break
		}
	}
	if at < 0 {
		return -1
	}
	s.Text.CursorRow, s.Text.CursorColumn = 0, 0
	s.Text.Refresh()
	for range at + len(needle) {
		s.Text.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	}
	s.Window.Canvas().Focus(s.Text)
	return at
}

// shortcutRows are the keys listed in Help → Keyboard shortcuts.
var shortcutRows = [][2]string{
	{"Ctrl+Enter", "Speak"}, {"Ctrl+Shift+Enter", "Speak from the sentence at the cursor"},
	{"Esc", "Stop"}, {"Space (outside the text) or Ctrl+P", "Pause or resume"},
	{"Ctrl+Shift+V", "Speak the clipboard"}, {"Ctrl+N", "New text"}, {"Ctrl+O", "Open a text file"},
	{"Ctrl+E", "Export audio"}, {"Ctrl+F", "Find"}, {"Ctrl+Z / Ctrl+Shift+Z", "Undo / Redo"},
	{"Ctrl+,", "Settings"}, {"Ctrl+Q", "Quit"}, {"F10 or Alt", "Open the menu"},
}

// ShowShortcuts lists the keyboard shortcuts.
func (s *Studio) ShowShortcuts() {
	f := widget.NewForm()
	for _, r := range shortcutRows {
		f.Append(r[0], widget.NewLabel(r[1]))
	}
	modal.Show(dialog.NewCustom("Keyboard shortcuts", "Close", f, s.Window), s.Window)
}

// mainLibraries are the libraries Chorus is built on, for builds that
// carry no module information.
var mainLibraries = []string{"fyne.io/fyne/v2", "github.com/ebitengine/oto/v3", "github.com/zalando/go-keyring",
	"github.com/coder/websocket", "github.com/vmihailenco/msgpack/v5", "go.etcd.io/bbolt", "github.com/braheezy/shine-mp3"}

// AboutText is what Help → About says: version, license, libraries.
func AboutText() string {
	v := Version
	var libs []string
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, d := range bi.Deps {
			libs = append(libs, d.Path+" "+d.Version)
		}
	}
	if v == "" {
		v = "development build"
	}
	if len(libs) == 0 { // a build without module information
		libs = mainLibraries
	}
	out := fmt.Sprintf("Chorus %s\nA text-to-speech studio.\nLicense: %s.\n", v, License)
	if len(libs) > 0 {
		out += "\nLibraries used:\n" + strings.Join(libs, "\n")
	}
	return out
}

// ShowAbout shows the version, the license and the libraries used.
func (s *Studio) ShowAbout() {
	l := widget.NewLabel(AboutText())
	sc := container.NewVScroll(l)
	sc.SetMinSize(fyne.NewSize(420, 300))
	modal.Show(dialog.NewCustom("About Chorus", "Close", sc, s.Window), s.Window)
}
