//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package tray

import "context"

// grab has no implementation on macOS and Windows yet.
func grab(context.Context, Shortcut, func()) error { return ErrNoShortcut }
