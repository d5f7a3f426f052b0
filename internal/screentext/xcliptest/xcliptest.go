// Package xcliptest puts data on the X11 clipboard or selection for a test,
// with xclip, the way another application would.
package xcliptest

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// PrivateDisplay starts an Xvfb of the test's own and points DISPLAY at it
// until the test ends, so that tests in other packages owning the shared
// display's clipboard at the same time cannot change what this one reads.
func PrivateDisplay(t testing.TB) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "320x240x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatalf("Xvfb: %v (scripts/deps.sh test installs xvfb)", err)
	}
	w.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if err != nil {
		t.Fatalf("Xvfb did not start: %v", err)
	}
	t.Setenv("DISPLAY", ":"+strings.TrimSpace(line))
}

// Own makes xclip own the X11 selection ("clipboard" or "primary") with data
// of the given target type (e.g. "UTF8_STRING", "image/png") until the test
// ends. It fails the test when there is no display or no xclip.
func Own(t testing.TB, selection, target string, data []byte) {
	t.Helper()
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("no DISPLAY: run under scripts/test.sh (Xvfb)")
	}
	cmd := exec.Command("xclip", "-quiet", "-selection", selection, "-t", target, "-i")
	cmd.Stdin = bytes.NewReader(data)
	if err := cmd.Start(); err != nil {
		t.Fatalf("xclip: %v (scripts/deps.sh test installs it)", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// xclip takes the selection after reading its input; wait until the
	// server lists our target.
	for i := 0; i < 200; i++ {
		out, _ := exec.Command("xclip", "-selection", selection, "-o", "-t", "TARGETS").Output()
		if strings.Contains(string(out), target) {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("xclip did not take the %s selection", selection)
}
