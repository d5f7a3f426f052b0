// Package tray puts Chorus in the desktop's system tray (status area) and
// registers the global shortcut that speaks the selection from any app.
package tray

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// Actions are what the tray menu's items do; each runs on the UI goroutine.
type Actions struct {
	SpeakClipboard, SpeakSelection, TogglePause, Stop, Show, Quit func()
	// KeepInTray reports the "keep running in the tray" setting, and
	// SetKeepInTray changes it.
	KeepInTray    func() bool
	SetKeepInTray func(bool)
}

// Menu builds the tray menu. The Quit item is Fyne's own quit item
// (IsQuit), so the driver does not add a second one.
func Menu(a Actions) *fyne.Menu {
	keep := fyne.NewMenuItem("Keep running in the tray when the window closes", nil)
	keep.Checked = a.KeepInTray()
	keep.Action = func() {
		keep.Checked = !keep.Checked
		a.SetKeepInTray(keep.Checked)
	}
	quit := fyne.NewMenuItem("Quit", a.Quit)
	quit.IsQuit = true
	return fyne.NewMenu("Chorus",
		fyne.NewMenuItem("Speak clipboard", a.SpeakClipboard),
		fyne.NewMenuItem("Speak selection", a.SpeakSelection),
		fyne.NewMenuItem("Pause/Resume", a.TogglePause),
		fyne.NewMenuItem("Stop", a.Stop),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Show Chorus", a.Show),
		keep,
		fyne.NewMenuItemSeparator(),
		quit,
	)
}

// Install sets the tray icon and menu when the driver has a tray, and
// reports whether it did.
func Install(app fyne.App, icon fyne.Resource, a Actions) bool {
	d, ok := app.(desktop.App)
	if !ok {
		return false
	}
	d.SetSystemTrayIcon(icon)
	d.SetSystemTrayMenu(Menu(a))
	return true
}

// KeepOnClose makes closing w hide it instead (Chorus stays in the tray)
// while keep() is true; the first time, told() is false and notify says so
// once, after which markTold records it.
func KeepOnClose(w fyne.Window, keep func() bool, told func() bool, markTold func(), notify func(string)) {
	w.SetCloseIntercept(func() {
		if !keep() {
			w.Close()
			return
		}
		w.Hide()
		if !told() {
			notify("Chorus is still running in the tray. Choose Quit there to leave it.")
			markTold()
		}
	})
}
