package tray

import (
	"context"
	"errors"
)

// DefaultShortcut is the global shortcut that speaks the selection.
const DefaultShortcut = "Ctrl+Alt+S"

// ErrNoShortcut means this desktop offers Chorus no global shortcut.
var ErrNoShortcut = errors.New("this desktop does not let Chorus register a global shortcut")

// NoShortcutAdvice is what Settings shows when the shortcut is unavailable.
const NoShortcutAdvice = "This desktop does not let Chorus register a global shortcut. " +
	"Bind the command chorus speak --selection to a key in the desktop's own keyboard settings instead."

// GrabShortcut calls pressed each time Ctrl+Alt+S is pressed anywhere on the
// desktop, until ctx ends. It returns ErrNoShortcut (wrapped) when the
// desktop offers no way to grab it.
func GrabShortcut(ctx context.Context, pressed func()) error { return grab(ctx, pressed) }
