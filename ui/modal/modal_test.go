package modal

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestEscapeDismissesTheTopDialogOnly(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(widget.NewLabel("main"))
	defer w.Close()
	stopped := 0
	EscapeCloses(w, func() { stopped++ })

	var first, second []bool
	Show(dialog.NewConfirm("First?", "one", func(ok bool) { first = append(first, ok) }, w), w)
	Show(dialog.NewConfirm("Second?", "two", func(ok bool) { second = append(second, ok) }, w), w)
	esc := func() { w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape}) }

	esc()
	if len(second) != 1 || second[0] || len(first) != 0 {
		t.Fatalf("first Escape: second answered %v, first %v; want only the second, answered No", second, first)
	}
	esc()
	if len(first) != 1 || first[0] {
		t.Fatalf("second Escape: first answered %v, want No", first)
	}
	if stopped != 0 {
		t.Fatalf("Escape closing a dialog also ran the window's own Escape action")
	}
	if w.Canvas().Overlays().Top() != nil {
		t.Fatalf("a dialog is still shown after both were dismissed")
	}
	esc()
	if stopped != 1 {
		t.Fatalf("Escape with no dialog open did not reach the window (ran %d times)", stopped)
	}
}

func TestAnsweredDialogLeavesTheStack(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(widget.NewLabel("main"))
	defer w.Close()
	d := dialog.NewConfirm("Replace?", "x", func(bool) {}, w)
	Show(d, w)
	d.Hide() // answered by its own button
	if DismissTop(w.Canvas()) {
		t.Fatal("a dialog that was already answered was dismissed again")
	}
	Show(d, w) // shown again (e.g. back to a form after No)
	Show(d, w)
	if !DismissTop(w.Canvas()) || DismissTop(w.Canvas()) {
		t.Fatal("a dialog shown twice should be on the stack once")
	}
}
