//go:build linux || freebsd || openbsd || netbsd || dragonfly

package tray

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// keysymS is the X keysym of the letter s.
const keysymS = 0x73

// grab grabs Ctrl+Alt+S on the X11 root window. Under Wayland without
// XWayland, or when another app holds the key, it returns ErrNoShortcut.
func grab(ctx context.Context, pressed func()) error {
	if os.Getenv("DISPLAY") == "" {
		return fmt.Errorf("%w: there is no X11 display", ErrNoShortcut)
	}
	xgb.Logger = log.New(io.Discard, "", 0) // it reports a missing .Xauthority that does not matter
	conn, err := xgb.NewConn()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoShortcut, err)
	}
	setup := xproto.Setup(conn)
	root := setup.DefaultScreen(conn).Root
	code, err := keycodeFor(conn, setup, keysymS)
	if err != nil {
		conn.Close()
		return err
	}
	mods := uint16(xproto.ModMaskControl | xproto.ModMask1)
	// Grab with and without Caps Lock (Lock) and Num Lock (Mod2), which X
	// counts as modifiers.
	for _, extra := range []uint16{0, xproto.ModMaskLock, xproto.ModMask2, xproto.ModMaskLock | xproto.ModMask2} {
		if err := xproto.GrabKeyChecked(conn, true, root, mods|extra, code,
			xproto.GrabModeAsync, xproto.GrabModeAsync).Check(); err != nil {
			conn.Close()
			return fmt.Errorf("%w: another application holds %s", ErrNoShortcut, DefaultShortcut)
		}
	}
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	go func() {
		for {
			ev, err := conn.WaitForEvent()
			if ev == nil && err == nil {
				return // connection closed
			}
			if kp, ok := ev.(xproto.KeyPressEvent); ok && kp.Detail == code {
				pressed()
			}
		}
	}()
	return nil
}

// keycodeFor finds the keycode that produces keysym.
func keycodeFor(conn *xgb.Conn, setup *xproto.SetupInfo, keysym xproto.Keysym) (xproto.Keycode, error) {
	first, last := setup.MinKeycode, setup.MaxKeycode
	m, err := xproto.GetKeyboardMapping(conn, first, byte(last-first+1)).Reply()
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNoShortcut, err)
	}
	per := int(m.KeysymsPerKeycode)
	for i := 0; i*per < len(m.Keysyms); i++ {
		for j := 0; j < per; j++ {
			if m.Keysyms[i*per+j] == keysym {
				return first + xproto.Keycode(i), nil
			}
		}
	}
	return 0, fmt.Errorf("%w: the keyboard has no S key", ErrNoShortcut)
}
