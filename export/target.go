package export

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"chorus/audio/codec"
)

// ErrBadTarget marks an output path refused before any work: a folder, a
// name without an audio extension, the input file itself, or a missing
// folder. Front ends report it as a usage error (CLI exit code 2).
var ErrBadTarget = errors.New("unusable output file")

// targetError is a refusal that wraps ErrBadTarget (or ErrExists).
type targetError struct {
	msg  string
	kind error
}

func (e *targetError) Error() string        { return e.msg }
func (e *targetError) Is(target error) bool { return target == e.kind || target == ErrBadTarget }

func refuse(format string, args ...any) error {
	return &targetError{msg: fmt.Sprintf(format, args...), kind: ErrBadTarget}
}

// CheckTarget checks an output path before any request is sent, so no
// synthesis is wasted on a file that cannot be written. It refuses a path
// that is a folder, a name whose extension no audio format has (naming the
// allowed ones), an existing file unless force is set, a path that is one of
// inputs (the text file being read), and a folder that does not exist. An
// empty path (no output) is fine. Every refusal matches ErrBadTarget.
func CheckTarget(path string, force bool, inputs ...string) error {
	if path == "" {
		return nil
	}
	st, statErr := os.Stat(path)
	if statErr == nil && st.IsDir() {
		return refuse("%s is a folder: name a file inside it, such as %s", path, filepath.Join(path, "speech.wav"))
	}
	for _, in := range inputs {
		if in != "" && samePath(path, in) {
			return refuse("%s is also the input file: writing audio there would destroy the text; choose another output name", path)
		}
	}
	if _, ok := codec.ByExtension(path); !ok {
		ext := filepath.Ext(path)
		if ext == "" {
			return refuse("%s has no extension, so Chorus cannot tell which format to write: end it with %s", filepath.Base(path), extList())
		}
		return refuse("%s: no audio format uses the extension %q; use %s", filepath.Base(path), ext, extList())
	}
	if _, err := os.Lstat(path); err == nil && !force {
		return &targetError{msg: fmt.Sprintf("%s: %v; choose another name or allow replacing it (--force)", path, ErrExists), kind: ErrExists}
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return refuse("cannot write %s: folder %s does not exist", path, dir)
	}
	return nil
}

// extList names the preferred extension of every export format.
func extList() string {
	exts := codec.ExportExtensions()
	if len(exts) < 2 {
		return strings.Join(exts, "")
	}
	return strings.Join(exts[:len(exts)-1], ", ") + " or " + exts[len(exts)-1]
}

// samePath reports whether a and b name the same file: the same inode when
// both exist, else the same absolute, cleaned path.
func samePath(a, b string) bool {
	sa, ea := os.Stat(a)
	sb, eb := os.Stat(b)
	if ea == nil && eb == nil {
		return os.SameFile(sa, sb)
	}
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == ab
}
