package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// editor is the text box. It adds Ctrl+Enter (speak) and Escape (stop),
// which a plain Entry would keep to itself while it has the focus.
type editor struct {
	widget.Entry
	onSpeak, onStop func()
	onSpeakFrom     func() // Ctrl+Shift+Enter: speak from the cursor's sentence (long.go)
	onF10           func() // F10: open the menu (menu.go)
}

func newEditor(onSpeak, onStop func()) *editor {
	e := &editor{onSpeak: onSpeak, onStop: onStop}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	return e
}

// AcceptsTab is false, so Tab and Shift+Tab move the focus out of the
// editor to the next control, as in any form; Ctrl+Tab types a tab.
func (e *editor) AcceptsTab() bool { return false }

// TypedShortcut speaks on Ctrl+Enter, types a tab on Ctrl+Tab and passes
// everything else on.
func (e *editor) TypedShortcut(s fyne.Shortcut) {
	if c, ok := s.(*desktop.CustomShortcut); ok && c.KeyName == fyne.KeyTab && c.Modifier == fyne.KeyModifierControl {
		e.TypedRune('\t')
		return
	}
	if c, ok := s.(*desktop.CustomShortcut); ok && isEnter(c.KeyName) && c.Modifier == fyne.KeyModifierShortcutDefault {
		e.onSpeak()
		return
	}
	if c, ok := s.(*desktop.CustomShortcut); ok && isEnter(c.KeyName) && c.Modifier == fyne.KeyModifierShortcutDefault|fyne.KeyModifierShift && e.onSpeakFrom != nil {
		e.onSpeakFrom()
		return
	}
	e.Entry.TypedShortcut(s)
}

// TypedKey stops on Escape and opens the menu on F10.
func (e *editor) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		e.onStop()
		return
	}
	if k.Name == fyne.KeyF10 && e.onF10 != nil {
		e.onF10()
		return
	}
	e.Entry.TypedKey(k)
}

func isEnter(k fyne.KeyName) bool { return k == fyne.KeyReturn || k == fyne.KeyEnter }
