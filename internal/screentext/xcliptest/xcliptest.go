// Package xcliptest puts data on the X11 clipboard or selection for a test,
// with xclip, the way another application would.
package xcliptest

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

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
