// Package tip gives icon-only buttons a tooltip: a short label that appears
// under the pointer after it rests on the button, and goes when it leaves.
// Fyne has no tooltips of its own.
package tip

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Delay is how long the pointer rests before the tip shows.
var Delay = 600 * time.Millisecond

// do runs f on the UI goroutine; tests replace it.
var do = fyne.Do

// Button is a button whose Tip shows on hover.
type Button struct {
	widget.Button
	Tip string

	timer *time.Timer
	popup *widget.PopUp
	at    fyne.Position
}

// NewIconButton is an icon-only button with a tooltip.
func NewIconButton(icon fyne.Resource, tip string, tapped func()) *Button {
	b := &Button{Tip: tip}
	b.Icon, b.OnTapped = icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// MouseIn starts the wait for the tip.
func (b *Button) MouseIn(e *desktop.MouseEvent) {
	b.Button.MouseIn(e)
	b.at = e.AbsolutePosition
	b.stop()
	b.timer = time.AfterFunc(Delay, func() { do(b.show) })
}

// MouseMoved keeps the tip's place under the pointer.
func (b *Button) MouseMoved(e *desktop.MouseEvent) {
	b.Button.MouseMoved(e)
	b.at = e.AbsolutePosition
}

// MouseOut hides the tip.
func (b *Button) MouseOut() {
	b.Button.MouseOut()
	b.stop()
	b.hide()
}

// Tapped hides the tip and taps the button.
func (b *Button) Tapped(e *fyne.PointEvent) {
	b.stop()
	b.hide()
	b.Button.Tapped(e)
}

// Showing reports whether the tip is on screen (tests).
func (b *Button) Showing() bool { return b.popup != nil && b.popup.Visible() }

func (b *Button) show() {
	if b.Tip == "" || b.timer == nil {
		return
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(b)
	if c == nil {
		return
	}
	b.hide()
	b.popup = widget.NewPopUp(widget.NewLabel(b.Tip), c)
	b.popup.ShowAtPosition(b.at.Add(fyne.NewPos(12, 18)))
}

func (b *Button) hide() {
	if b.popup != nil {
		b.popup.Hide()
		b.popup = nil
	}
}

func (b *Button) stop() {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
}
