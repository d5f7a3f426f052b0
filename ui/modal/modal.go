// Package modal lets Escape close the dialog on top of a window, as it does
// in desktop apps. Fyne's dialogs do not listen for Escape, and a dialog
// cannot be found again from the overlay it shows, so the window's dialogs
// are shown through Show, which keeps a stack per window; the window's
// Escape handler calls DismissTop first.
package modal

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

var (
	mu   sync.Mutex
	open = map[fyne.Canvas][]dialog.Dialog{}
)

// Show shows d over w; Escape then dismisses it, which answers it the way
// its Cancel, No or Close button would.
func Show(d dialog.Dialog, w fyne.Window) {
	c := w.Canvas()
	mu.Lock()
	open[c] = append(without(open[c], d), d)
	mu.Unlock()
	d.SetOnClosed(func() { forget(c, d) })
	d.Show()
}

// DismissTop dismisses the last dialog Show put over the window whose
// canvas is c, and reports whether there was one.
func DismissTop(c fyne.Canvas) bool {
	mu.Lock()
	stack := open[c]
	var top dialog.Dialog
	if n := len(stack); n > 0 {
		top = stack[n-1]
	}
	mu.Unlock()
	if top == nil {
		return false
	}
	top.Dismiss()
	forget(c, top) // also when a dialog's closed callback does not run (a file dialog that was never shown)
	return true
}

// EscapeCloses makes Escape close the window's top dialog, and otherwise
// run orElse (which may be nil), for windows other than the main one.
func EscapeCloses(w fyne.Window, orElse func()) {
	c := w.Canvas()
	previous := c.OnTypedKey()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			if !DismissTop(c) && orElse != nil {
				orElse()
			}
			return
		}
		if previous != nil {
			previous(ev)
		}
	})
}

func forget(c fyne.Canvas, d dialog.Dialog) {
	mu.Lock()
	defer mu.Unlock()
	if rest := without(open[c], d); len(rest) > 0 {
		open[c] = rest
	} else {
		delete(open, c)
	}
}

func without(stack []dialog.Dialog, d dialog.Dialog) []dialog.Dialog {
	out := stack[:0:0]
	for _, x := range stack {
		if x != d {
			out = append(out, x)
		}
	}
	return out
}

// ShowConfirm is dialog.ShowConfirm, closed by Escape (answering No).
func ShowConfirm(title, message string, answer func(bool), w fyne.Window) {
	Show(dialog.NewConfirm(title, message, answer, w), w)
}

// ShowForm is dialog.ShowForm, closed by Escape (as Cancel).
func ShowForm(title, confirm, dismiss string, items []*widget.FormItem, answer func(bool), w fyne.Window) {
	Show(dialog.NewForm(title, confirm, dismiss, items, answer, w), w)
}

// ShowError is dialog.ShowError, closed by Escape.
func ShowError(err error, w fyne.Window) { Show(dialog.NewError(err, w), w) }

// ShowFolderOpen is dialog.ShowFolderOpen, closed by Escape (as Cancel).
func ShowFolderOpen(chosen func(fyne.ListableURI, error), w fyne.Window) {
	Show(dialog.NewFolderOpen(chosen, w), w)
}
