package export

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Notify receives one sentence for the user when export cleans up after an
// earlier run (stale temporary files). It prints to standard error unless a
// front end replaces it.
var Notify = func(msg string) { fmt.Fprintln(os.Stderr, "chorus:", msg) }

// legacyStaleAge is how old a temporary file from before the PID was part
// of its name must be to count as stale.
const legacyStaleAge = time.Hour

// tempPattern is the os.CreateTemp pattern for target's temporary file: it
// carries this process's ID, so a later run can tell a live write from one a
// crash or kill -9 left behind.
func tempPattern(target string) string {
	return "." + filepath.Base(target) + "." + strconv.Itoa(os.Getpid()) + "-*.part"
}

// removeStale deletes the temporary files an interrupted write of target left
// beside it: those whose process is gone, and nameless (older) ones more than
// an hour old. Temporaries of live processes are kept. It returns the names
// removed.
func removeStale(target string) []string {
	dir, base := filepath.Dir(target), filepath.Base(target)
	matches, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+".*.part"))
	var removed []string
	for _, m := range matches {
		mid := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), "."+base+"."), ".part")
		if !stale(m, mid) {
			continue
		}
		if err := os.Remove(m); err == nil {
			removed = append(removed, filepath.Base(m))
		}
	}
	return removed
}

// stale decides for one temporary file; mid is the part of its name between
// the target's name and ".part": "PID-random", or digits alone (older runs).
func stale(path, mid string) bool {
	if pidText, _, ok := strings.Cut(mid, "-"); ok {
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 {
			return false // not one of ours
		}
		return !alive(pid)
	}
	if _, err := strconv.ParseUint(mid, 10, 64); err != nil {
		return false
	}
	st, err := os.Lstat(path)
	return err == nil && time.Since(st.ModTime()) > legacyStaleAge
}

// alive reports whether process pid exists.
func alive(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// globEscape quotes the glob metacharacters in a file name.
func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

// announceStale reports removed temporary files in one sentence.
func announceStale(target string, removed []string) {
	if len(removed) == 0 || Notify == nil {
		return
	}
	what := "1 temporary file"
	if len(removed) > 1 {
		what = strconv.Itoa(len(removed)) + " temporary files"
	}
	Notify(fmt.Sprintf("removed %s that an interrupted earlier save of %s left behind", what, filepath.Base(target)))
}
