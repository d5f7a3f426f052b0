//go:build linux

package tray

import (
	"context"
	"errors"
	"os/exec"
	"testing"
	"time"

	"chorus/internal/audiotest"
	"chorus/internal/screentext/xcliptest"
)

// TestShortcutFiresOnCtrlAltS grabs the shortcut on a private Xvfb and
// presses it with xdotool, as a user would in another app.
func TestShortcutFiresOnCtrlAltS(t *testing.T) {
	audiotest.RequireReal(t)
	xcliptest.PrivateDisplay(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pressed := make(chan struct{}, 4)
	def, _ := ParseShortcut(DefaultShortcut)
	if err := GrabShortcut(ctx, def, func() { pressed <- struct{}{} }); err != nil {
		t.Fatalf("GrabShortcut: %v", err)
	}
	// A second client cannot grab the same key: that says so.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	if err := GrabShortcut(ctx2, def, func() {}); !errors.Is(err, ErrNoShortcut) {
		t.Errorf("a second grab = %v, want ErrNoShortcut", err)
	}
	if out, err := exec.Command("xdotool", "key", "ctrl+alt+s").CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v %s", err, out)
	}
	select {
	case <-pressed:
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl+Alt+S did not reach the grab")
	}
	if out, err := exec.Command("xdotool", "key", "ctrl+s").CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v %s", err, out)
	}
	if out, err := exec.Command("xdotool", "key", "ctrl+alt+s").CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v %s", err, out)
	}
	select {
	case <-pressed:
	case <-time.After(10 * time.Second):
		t.Fatal("the second Ctrl+Alt+S did not reach the grab")
	}
	if len(pressed) != 0 {
		t.Errorf("Ctrl+S alone fired the shortcut")
	}
}

func TestNoDisplayNoShortcut(t *testing.T) {
	t.Setenv("DISPLAY", "")
	def, _ := ParseShortcut(DefaultShortcut)
	if err := GrabShortcut(context.Background(), def, func() {}); !errors.Is(err, ErrNoShortcut) {
		t.Errorf("no display: %v", err)
	}
}

// TestHotkeyCanBeChanged moves the shortcut from Ctrl+Alt+S to
// Ctrl+Shift+F8 while it runs: the new one fires, the old one no longer
// does; a shortcut another application holds is refused and the current
// one keeps working.
func TestHotkeyCanBeChanged(t *testing.T) {
	audiotest.RequireReal(t)
	xcliptest.PrivateDisplay(t)
	pressed := make(chan struct{}, 8)
	h := NewHotkey("", func() { pressed <- struct{}{} })
	defer h.Close()
	if sc, err := h.Current(); err != nil || sc.String() != DefaultShortcut {
		t.Fatalf("new hotkey: %v, %v", sc, err)
	}
	if err := h.Set("ctrl+shift+f8"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	press := func(keys string) {
		t.Helper()
		if out, err := exec.Command("xdotool", "key", keys).CombinedOutput(); err != nil {
			t.Fatalf("xdotool %s: %v %s", keys, err, out)
		}
	}
	press("ctrl+alt+s")
	press("ctrl+shift+F8")
	select {
	case <-pressed:
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl+Shift+F8 did not fire after the change")
	}
	time.Sleep(200 * time.Millisecond)
	if len(pressed) != 0 {
		t.Error("the old Ctrl+Alt+S still fires after the change")
	}

	// Another client holds Ctrl+Alt+F9: Set refuses it, Ctrl+Shift+F8 stays.
	held, _ := ParseShortcut("Ctrl+Alt+F9")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := GrabShortcut(ctx, held, func() {}); err != nil {
		t.Fatal(err)
	}
	if err := h.Set("Ctrl+Alt+F9"); !errors.Is(err, ErrNoShortcut) {
		t.Fatalf("Set to a held shortcut = %v, want ErrNoShortcut", err)
	}
	if sc, err := h.Current(); err != nil || sc.String() != "Ctrl+Shift+F8" {
		t.Fatalf("after a refused change: %v, %v", sc, err)
	}
	press("ctrl+shift+F8")
	select {
	case <-pressed:
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl+Shift+F8 stopped working after a refused change")
	}
}
