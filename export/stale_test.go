package export

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCreateRemovesStaleTemporaries(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "x.wav")

	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	live := exec.Command("sleep", "60")
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { live.Process.Kill(); live.Wait() }()

	name := func(mid string) string { return ".x.wav." + mid + ".part" }
	files := map[string]bool{ // name → should survive
		name(strconv.Itoa(dead.Process.Pid) + "-123"):          false,
		name(strconv.Itoa(live.Process.Pid) + "-456"):          true,
		name(strconv.Itoa(os.Getpid()) + "-789"):               true,
		name("2749102"):                                        false, // older naming, two hours old
		name("8812"):                                           true,  // older naming, fresh
		".y.wav." + strconv.Itoa(dead.Process.Pid) + "-1.part": true,
		".x.wav.notes":                                         true,
	}
	for n := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(filepath.Join(dir, name("2749102")), old, old)

	var said []string
	orig := Notify
	Notify = func(msg string) { said = append(said, msg) }
	defer func() { Notify = orig }()

	f, err := Create(target, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(filepath.Base(f.Name()), "."+strconv.Itoa(os.Getpid())+"-") {
		t.Errorf("temporary %s does not carry the PID", f.Name())
	}
	f.Abort()
	left := entries(t, dir)
	for n, keep := range files {
		if slices.Contains(left, n) != keep {
			t.Errorf("%s: kept=%v, want %v", n, !keep, keep)
		}
	}
	if len(said) != 1 || !strings.Contains(said[0], "removed 2 temporary files") || !strings.Contains(said[0], "x.wav") {
		t.Errorf("notices %q", said)
	}
	// Nothing stale the second time: nothing said.
	said = nil
	f, _ = Create(target, false)
	f.Abort()
	if len(said) != 0 {
		t.Errorf("second Create said %q", said)
	}
}
