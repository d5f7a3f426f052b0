package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"chorus/ui/voicepicker"
)

// Esc stops wherever the focus is. Fyne gives a key without a modifier to
// the focused widget only (a canvas-level handler sees it when nothing has
// the focus), so the window's focusable pickers are thin wrappers that
// hand Escape to the window and everything else to the widget. Ctrl+Enter
// and the other accelerators are main-menu shortcuts, which Fyne runs
// before the focused widget sees them.

// keyHook receives the window-level keys a focused widget passes on.
type keyHook struct{ onEsc, onF10 func() }

func (h keyHook) handled(ev *fyne.KeyEvent) bool {
	if ev.Name == fyne.KeyEscape && h.onEsc != nil {
		h.onEsc()
		return true
	}
	if ev.Name == fyne.KeyF10 && h.onF10 != nil { // opens the menu (menu.go)
		h.onF10()
		return true
	}
	return false
}

// KeySelect is a Select that passes Escape to the window.
type KeySelect struct {
	widget.Select
	hook keyHook
}

func newKeySelect(h keyHook, options []string, changed func(string)) *KeySelect {
	s := &KeySelect{hook: h}
	s.Options, s.OnChanged, s.PlaceHolder = options, changed, "(Select one)"
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey hands Escape to the window.
func (s *KeySelect) TypedKey(ev *fyne.KeyEvent) {
	if !s.hook.handled(ev) {
		s.Select.TypedKey(ev)
	}
}

// KeySelectEntry is a SelectEntry that passes Escape to the window (the
// voice picker's field, shared with the other pickers).
type KeySelectEntry = voicepicker.KeySelectEntry

func newKeySelectEntry(h keyHook) *KeySelectEntry { return voicepicker.NewKeySelectEntry(h.handled) }

// KeyEntry is an Entry that passes Escape to the window.
type KeyEntry struct {
	widget.Entry
	hook keyHook
}

func newKeyEntry(h keyHook, multiLine bool) *KeyEntry {
	e := &KeyEntry{hook: h}
	e.MultiLine = multiLine
	if multiLine {
		e.Wrapping = fyne.TextWrapWord
	}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey hands Escape to the window.
func (e *KeyEntry) TypedKey(ev *fyne.KeyEvent) {
	if !e.hook.handled(ev) {
		e.Entry.TypedKey(ev)
	}
}

// KeySlider is a Slider that passes Escape and Space to the window.
type KeySlider struct {
	widget.Slider
	hook    keyHook
	onSpace func()
}

func newKeySlider(h keyHook, lo, hi float64, onSpace func()) *KeySlider {
	s := &KeySlider{hook: h, onSpace: onSpace}
	s.Min, s.Max, s.Step = lo, hi, 1
	s.Value = lo
	s.Orientation = widget.Horizontal
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey hands Escape to the window.
func (s *KeySlider) TypedKey(ev *fyne.KeyEvent) {
	switch {
	case s.hook.handled(ev):
	case ev.Name == fyne.KeySpace && s.onSpace != nil:
		s.onSpace()
	default:
		s.Slider.TypedKey(ev)
	}
}

// KeyCheck is a Check that passes Escape to the window.
type KeyCheck struct {
	widget.Check
	hook keyHook
}

func newKeyCheck(h keyHook, label string) *KeyCheck {
	c := &KeyCheck{hook: h}
	c.Text = label
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey hands Escape to the window.
func (c *KeyCheck) TypedKey(ev *fyne.KeyEvent) {
	if !c.hook.handled(ev) {
		c.Check.TypedKey(ev)
	}
}

// KeyButton is a Button that passes Escape to the window.
type KeyButton struct {
	widget.Button
	hook keyHook
}

func newKeyButton(h keyHook, label string, tapped func()) *KeyButton {
	b := &KeyButton{hook: h}
	b.Text, b.OnTapped = label, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey hands Escape to the window.
func (b *KeyButton) TypedKey(ev *fyne.KeyEvent) {
	if !b.hook.handled(ev) {
		b.Button.TypedKey(ev)
	}
}
