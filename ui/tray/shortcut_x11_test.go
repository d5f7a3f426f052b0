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
	if err := GrabShortcut(ctx, func() { pressed <- struct{}{} }); err != nil {
		t.Fatalf("GrabShortcut: %v", err)
	}
	// A second client cannot grab the same key: that says so.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	if err := GrabShortcut(ctx2, func() {}); !errors.Is(err, ErrNoShortcut) {
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
	if err := GrabShortcut(context.Background(), func() {}); !errors.Is(err, ErrNoShortcut) {
		t.Errorf("no display: %v", err)
	}
}
