//go:build linux || freebsd || openbsd || netbsd || dragonfly

package tray

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// quietXGB silences xgb's logger once: it is a package variable that the
// connections of earlier grabs read.
var quietXGB sync.Once

// grab binds sc through the desktop's global-shortcuts portal where the
// session offers one, else grabs it on the X11 root window. Without
// either, or when another app holds the key, it returns ErrNoShortcut.
func grab(ctx context.Context, sc Shortcut, pressed func()) error {
	err := portalGrab(ctx, sc, pressed)
	if err == nil || !errors.Is(err, errNoPortal) {
		return err
	}
	return x11Grab(ctx, sc, pressed)
}

// x11Grab grabs sc on the X11 root window.
func x11Grab(ctx context.Context, sc Shortcut, pressed func()) error {
	keysym, ok := keysymOf(sc.Key)
	if !ok {
		return fmt.Errorf("%w: %s has no key Chorus knows", ErrNoShortcut, sc)
	}
	if os.Getenv("DISPLAY") == "" {
		return fmt.Errorf("%w: there is no X11 display", ErrNoShortcut)
	}
	quietXGB.Do(func() { xgb.Logger = log.New(io.Discard, "", 0) }) // it reports a missing .Xauthority that does not matter
	// A fresh connection is sometimes closed by the server at once (EOF),
	// e.g. right after an earlier one went away: try a few times.
	var conn *xgb.Conn
	var setup *xproto.SetupInfo
	var code xproto.Keycode
	var err error
	for try := 0; try < 3; try++ {
		if try > 0 {
			time.Sleep(100 * time.Millisecond)
		}
		if conn, err = xgb.NewConn(); err != nil {
			err = fmt.Errorf("%w: %v", ErrNoShortcut, err)
			continue
		}
		setup = xproto.Setup(conn)
		if code, err = keycodeFor(conn, setup, xproto.Keysym(keysym), sc.Key); err != nil {
			conn.Close()
			continue
		}
		break
	}
	if err != nil {
		return err
	}
	root := setup.DefaultScreen(conn).Root
	var mods uint16
	for _, m := range []struct {
		on   bool
		mask uint16
	}{{sc.Ctrl, xproto.ModMaskControl}, {sc.Alt, xproto.ModMask1}, {sc.Shift, xproto.ModMaskShift}, {sc.Super, xproto.ModMask4}} {
		if m.on {
			mods |= m.mask
		}
	}
	// Grab with and without Caps Lock (Lock) and Num Lock (Mod2), which X
	// counts as modifiers.
	for _, extra := range []uint16{0, xproto.ModMaskLock, xproto.ModMask2, xproto.ModMaskLock | xproto.ModMask2} {
		if err := xproto.GrabKeyChecked(conn, true, root, mods|extra, code,
			xproto.GrabModeAsync, xproto.GrabModeAsync).Check(); err != nil {
			conn.Close()
			return fmt.Errorf("%w: another application holds %s", ErrNoShortcut, sc)
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
func keycodeFor(conn *xgb.Conn, setup *xproto.SetupInfo, keysym xproto.Keysym, name string) (xproto.Keycode, error) {
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
	return 0, fmt.Errorf("%w: the keyboard has no %s key", ErrNoShortcut, name)
}
