package ui

import "fyne.io/fyne/v2"

// OnStart, when set, runs once the window is built and before it shows: the
// desktop integration (tray, global shortcut, single instance) hooks in here
// without the window's code knowing about it.
var OnStart func(a fyne.App, w fyne.Window, s *Studio)
