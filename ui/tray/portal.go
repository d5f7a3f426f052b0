//go:build linux || freebsd || openbsd || netbsd || dragonfly

package tray

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/godbus/dbus/v5"
)

// The XDG desktop portal's global shortcuts, as desktops that do not let
// applications grab keys (Wayland) offer them: the desktop asks the user
// to confirm the shortcut and tells Chorus when it is pressed.
const (
	portalBus       = "org.freedesktop.portal.Desktop"
	portalPath      = dbus.ObjectPath("/org/freedesktop/portal/desktop")
	portalShortcuts = "org.freedesktop.portal.GlobalShortcuts"
	portalRequest   = "org.freedesktop.portal.Request"
	portalSession   = "org.freedesktop.portal.Session"
	// ShortcutID is the name Chorus's shortcut has in the desktop's settings.
	ShortcutID = "speak-selection"
)

// errNoPortal means the session has no global-shortcuts portal.
var errNoPortal = errors.New("no global-shortcuts portal")

// portalTimeout bounds each portal call; the user's confirmation of a new
// shortcut can take longer, see portalAnswer.
var portalTimeout = 3 * time.Second

// portalAnswer bounds the wait for the portal's answer, which may wait for
// the user to confirm the shortcut in a desktop dialog.
var portalAnswer = 2 * time.Minute

var tokens atomic.Int64

// portalGrab binds sc through the portal and calls pressed on each press
// until ctx ends. It returns errNoPortal (wrapped) when the session has no
// such portal, so the caller can grab the key another way.
func portalGrab(ctx context.Context, sc Shortcut, pressed func()) error {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return fmt.Errorf("%w: no session bus", errNoPortal)
	}
	conn, err := dbus.SessionBusPrivate()
	if err == nil {
		if err = conn.Auth(nil); err == nil {
			err = conn.Hello()
		}
	}
	if err != nil {
		if conn != nil {
			conn.Close()
		}
		return fmt.Errorf("%w: %v", errNoPortal, err)
	}
	ok := false
	defer func() {
		if !ok {
			conn.Close()
		}
	}()
	if err := hasPortal(ctx, conn); err != nil {
		return err
	}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	if err := conn.AddMatchSignal(dbus.WithMatchInterface(portalRequest), dbus.WithMatchMember("Response")); err != nil {
		return fmt.Errorf("%w: %v", errNoPortal, err)
	}
	if err := conn.AddMatchSignal(dbus.WithMatchInterface(portalShortcuts), dbus.WithMatchMember("Activated")); err != nil {
		return fmt.Errorf("%w: %v", errNoPortal, err)
	}
	obj := conn.Object(portalBus, portalPath)
	token := fmt.Sprintf("chorus%d_%d", os.Getpid(), tokens.Add(1))

	res, err := portalCall(ctx, obj, signals, "CreateSession",
		map[string]dbus.Variant{"handle_token": dbus.MakeVariant(token + "a"), "session_handle_token": dbus.MakeVariant(token)})
	if err != nil {
		return err
	}
	var session dbus.ObjectPath
	switch v := res["session_handle"].Value().(type) {
	case string:
		session = dbus.ObjectPath(v)
	case dbus.ObjectPath:
		session = v
	}
	if !session.IsValid() {
		return fmt.Errorf("%w: the portal opened no session", ErrNoShortcut)
	}
	shortcuts := []struct {
		ID    string
		Props map[string]dbus.Variant
	}{{ShortcutID, map[string]dbus.Variant{
		"description":       dbus.MakeVariant("Speak the selected text"),
		"preferred_trigger": dbus.MakeVariant(portalTrigger(sc)),
	}}}
	if _, err := portalCall(ctx, obj, signals, "BindShortcuts", session, shortcuts, "",
		map[string]dbus.Variant{"handle_token": dbus.MakeVariant(token + "b")}); err != nil {
		conn.Object(portalBus, session).Call(portalSession+".Close", 0)
		return err
	}
	ok = true
	go func() {
		for {
			select {
			case <-ctx.Done():
				conn.Object(portalBus, session).Call(portalSession+".Close", 0)
				conn.Close()
				return
			case s, open := <-signals:
				if !open {
					return
				}
				if s.Name == portalShortcuts+".Activated" && len(s.Body) >= 2 && s.Body[0] == session && s.Body[1] == ShortcutID {
					pressed()
				}
			}
		}
	}()
	return nil
}

// hasPortal checks that the portal offers global shortcuts.
func hasPortal(ctx context.Context, conn *dbus.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, portalTimeout)
	defer cancel()
	var v dbus.Variant
	err := conn.Object(portalBus, portalPath).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0,
		portalShortcuts, "version").Store(&v)
	if err != nil {
		return fmt.Errorf("%w: %v", errNoPortal, err)
	}
	return nil
}

// portalCall calls a portal method that answers through a Request object
// and waits for that Response: its results, or an error when the user
// (or the desktop) declined.
func portalCall(ctx context.Context, obj dbus.BusObject, signals <-chan *dbus.Signal, method string, args ...any) (map[string]dbus.Variant, error) {
	cctx, cancel := context.WithTimeout(ctx, portalTimeout)
	defer cancel()
	var request dbus.ObjectPath
	if err := obj.CallWithContext(cctx, portalShortcuts+"."+method, 0, args...).Store(&request); err != nil {
		return nil, fmt.Errorf("%w: the portal refused %s: %v", ErrNoShortcut, method, err)
	}
	wait := time.NewTimer(portalAnswer)
	defer wait.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wait.C:
			return nil, fmt.Errorf("%w: the desktop did not answer", ErrNoShortcut)
		case s := <-signals:
			if s.Path != request || s.Name != portalRequest+".Response" || len(s.Body) < 2 {
				continue
			}
			code, _ := s.Body[0].(uint32)
			results, _ := s.Body[1].(map[string]dbus.Variant)
			if code != 0 {
				return nil, fmt.Errorf("%w: the shortcut was not accepted on this desktop", ErrNoShortcut)
			}
			return results, nil
		}
	}
}

// portalTrigger writes sc as the shortcuts specification spells triggers:
// "CTRL+ALT+s".
func portalTrigger(sc Shortcut) string {
	var parts []string
	for _, m := range []struct {
		on   bool
		name string
	}{{sc.Ctrl, "CTRL"}, {sc.Alt, "ALT"}, {sc.Shift, "SHIFT"}, {sc.Super, "LOGO"}} {
		if m.on {
			parts = append(parts, m.name)
		}
	}
	key := sc.Key
	if len(key) == 1 {
		key = strings.ToLower(key)
	}
	return strings.Join(append(parts, key), "+")
}
