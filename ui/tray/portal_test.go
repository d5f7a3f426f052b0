//go:build linux

package tray

import (
	"bufio"
	"context"
	"errors"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// privateBus starts a D-Bus daemon of the test's own and points the
// session bus at it.
func privateBus(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Fatalf("dbus-daemon is needed (scripts/deps.sh installs it): %v", err)
	}
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", strings.TrimSpace(addr))
}

// fakePortal answers as xdg-desktop-portal's GlobalShortcuts does: every
// call returns a Request path and answers with a Response signal on it.
type fakePortal struct {
	conn    *dbus.Conn
	decline bool

	mu       sync.Mutex
	session  dbus.ObjectPath
	triggers []string
	closed   int
}

func (f *fakePortal) respond(path dbus.ObjectPath, results map[string]dbus.Variant) {
	code := uint32(0)
	if f.decline {
		code = 1
	}
	go func() {
		time.Sleep(20 * time.Millisecond) // after the method's reply, as the real portal does
		f.conn.Emit(path, portalRequest+".Response", code, results)
	}()
}

func (f *fakePortal) CreateSession(opts map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	token, _ := opts["session_handle_token"].Value().(string)
	path := dbus.ObjectPath("/org/freedesktop/portal/desktop/request/test/" + token)
	f.mu.Lock()
	f.session = dbus.ObjectPath("/org/freedesktop/portal/desktop/session/test/" + token)
	s := f.session
	f.mu.Unlock()
	f.respond(path, map[string]dbus.Variant{"session_handle": dbus.MakeVariant(string(s))})
	return path, nil
}

func (f *fakePortal) BindShortcuts(session dbus.ObjectPath, shortcuts []struct {
	ID    string
	Props map[string]dbus.Variant
}, parent string, opts map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	token, _ := opts["handle_token"].Value().(string)
	f.mu.Lock()
	for _, s := range shortcuts {
		trigger, _ := s.Props["preferred_trigger"].Value().(string)
		f.triggers = append(f.triggers, s.ID+"="+trigger)
	}
	f.mu.Unlock()
	path := dbus.ObjectPath("/org/freedesktop/portal/desktop/request/test/" + token)
	f.respond(path, map[string]dbus.Variant{})
	return path, nil
}

type fakeProps struct{}

func (fakeProps) Get(iface, prop string) (dbus.Variant, *dbus.Error) {
	if iface == portalShortcuts && prop == "version" {
		return dbus.MakeVariant(uint32(1)), nil
	}
	return dbus.Variant{}, dbus.MakeFailedError(errors.New("no such property"))
}

type fakeSession struct{ f *fakePortal }

func (s fakeSession) Close() *dbus.Error {
	s.f.mu.Lock()
	s.f.closed++
	s.f.mu.Unlock()
	return nil
}

func startFakePortal(t *testing.T, decline bool) *fakePortal {
	t.Helper()
	conn, err := dbus.SessionBusPrivate()
	if err == nil {
		if err = conn.Auth(nil); err == nil {
			err = conn.Hello()
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	f := &fakePortal{conn: conn, decline: decline}
	conn.Export(f, portalPath, portalShortcuts)
	conn.Export(fakeProps{}, portalPath, "org.freedesktop.DBus.Properties")
	conn.ExportSubtree(fakeSession{f}, "/org/freedesktop/portal/desktop/session", portalSession)
	if reply, err := conn.RequestName(portalBus, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("taking the portal's name: %v %v", reply, err)
	}
	return f
}

// Where the session offers the global-shortcuts portal, the shortcut is
// bound through it (with Chorus's trigger as the preferred one) and a
// press the desktop reports reaches Chorus; ending the grab closes the
// session.
func TestShortcutThroughThePortal(t *testing.T) {
	privateBus(t)
	f := startFakePortal(t, false)
	pressed := make(chan struct{}, 4)
	sc, _ := ParseShortcut("Ctrl+Alt+S")
	ctx, cancel := context.WithCancel(context.Background())
	if err := GrabShortcut(ctx, sc, func() { pressed <- struct{}{} }); err != nil {
		t.Fatalf("GrabShortcut through the portal: %v", err)
	}
	f.mu.Lock()
	triggers, session := f.triggers, f.session
	f.mu.Unlock()
	if len(triggers) != 1 || triggers[0] != ShortcutID+"=CTRL+ALT+s" {
		t.Fatalf("bound %v", triggers)
	}
	f.conn.Emit(portalPath, portalShortcuts+".Activated", dbus.ObjectPath("/other/session"), ShortcutID, uint64(1), map[string]dbus.Variant{})
	f.conn.Emit(portalPath, portalShortcuts+".Activated", session, ShortcutID, uint64(2), map[string]dbus.Variant{})
	select {
	case <-pressed:
	case <-time.After(5 * time.Second):
		t.Fatal("the portal's Activated signal did not reach Chorus")
	}
	time.Sleep(100 * time.Millisecond)
	if len(pressed) != 0 {
		t.Error("another session's shortcut fired Chorus's")
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		f.mu.Lock()
		closed := f.closed
		f.mu.Unlock()
		if closed == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the portal session was not closed when the grab ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A desktop that declines the shortcut says so; a session bus without
// the portal falls back to the X11 grab (here: no display, so no shortcut).
func TestPortalDeclinedAndAbsent(t *testing.T) {
	privateBus(t)
	t.Setenv("DISPLAY", "")
	sc, _ := ParseShortcut("Ctrl+Alt+S")
	err := GrabShortcut(context.Background(), sc, func() {})
	if !errors.Is(err, ErrNoShortcut) || !strings.Contains(err.Error(), "X11") {
		t.Errorf("no portal, no display: %v", err)
	}
	startFakePortal(t, true)
	err = GrabShortcut(context.Background(), sc, func() {})
	if !errors.Is(err, ErrNoShortcut) || !strings.Contains(err.Error(), "not accepted") {
		t.Errorf("declined: %v", err)
	}
}

func TestPortalTrigger(t *testing.T) {
	for in, want := range map[string]string{"Ctrl+Alt+S": "CTRL+ALT+s", "Shift+Super+F8": "SHIFT+LOGO+F8", "Alt+5": "ALT+5"} {
		sc, _ := ParseShortcut(in)
		if got := portalTrigger(sc); got != want {
			t.Errorf("%s → %q, want %q", in, got, want)
		}
	}
}
