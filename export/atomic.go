// Package export writes audio and its companion files safely: every file is
// written to a temporary file in the target folder, flushed, and only then
// renamed into place, so a cancelled or failed synthesis never leaves a
// partial file, and an existing file is replaced only when asked.
package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"chorus/audio"
)

// ErrExists is returned when the target exists and replacing it was not allowed.
var ErrExists = errors.New("file exists")

// File is a file being written atomically. Write to it, then Commit or Abort.
type File struct {
	*os.File
	target   string
	replace  bool
	done     bool
	hint     audio.Format // shape of headerless audio, for verify
	noVerify bool
	check    *streamCheck // nil when the target is not audio
}

// Create starts writing target. Unless replace is true it fails at once
// with ErrExists when target exists, so no work is wasted. Temporary files
// that an interrupted earlier write of target left behind are removed first,
// and Notify says so.
func Create(target string, replace bool) (*File, error) {
	if target == "" {
		return nil, errors.New("no output file given")
	}
	if !replace {
		if _, err := os.Lstat(target); err == nil {
			return nil, fmt.Errorf("%s: %w; choose another name or allow replacing it (--force)", target, ErrExists)
		}
	}
	dir := filepath.Dir(target)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("cannot write %s: folder %s does not exist", target, dir)
	}
	announceStale(target, removeStale(target))
	f, err := os.CreateTemp(dir, tempPattern(target))
	if err != nil {
		return nil, fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	file := &File{File: f, target: target, replace: replace}
	file.startCheck()
	return file, nil
}

// Target is the final path.
func (f *File) Target() string { return f.target }

// Commit flushes the data to disk, checks that a file with an audio
// extension holds whole, decodable audio of that format (see ErrCorrupt), and
// moves it into place. Without replace, it refuses to clobber a file that
// appeared meanwhile. On any failure the target is untouched and the
// temporary file is gone.
func (f *File) Commit() error {
	if f.done {
		return errors.New("export: file already finished")
	}
	f.done = true
	defer f.check.abandon() // never leave the streaming check waiting
	tmp := f.Name()
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", f.target, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", f.target, err)
	}
	if err := f.verify(); err != nil {
		os.Remove(tmp)
		return err
	}
	_ = os.Chmod(tmp, 0o644)
	if f.replace {
		if err := os.Rename(tmp, f.target); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("saving %s: %w", f.target, err)
		}
	} else {
		// A hard link fails if the target exists, unlike rename.
		err := os.Link(tmp, f.target)
		if errors.Is(err, fs.ErrExist) {
			os.Remove(tmp)
			return fmt.Errorf("%s: %w; choose another name or allow replacing it (--force)", f.target, ErrExists)
		}
		if err != nil {
			// File systems without hard links: fall back to a checked rename.
			if _, serr := os.Lstat(f.target); serr == nil {
				os.Remove(tmp)
				return fmt.Errorf("%s: %w", f.target, ErrExists)
			}
			if rerr := os.Rename(tmp, f.target); rerr != nil {
				os.Remove(tmp)
				return fmt.Errorf("saving %s: %w", f.target, rerr)
			}
			return syncDir(f.target)
		}
		os.Remove(tmp)
	}
	return syncDir(f.target)
}

// Abort discards the temporary file; the target is untouched. It is safe to
// call after Commit (it then does nothing), so `defer f.Abort()` is the idiom.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.check.abandon()
	f.Close()
	os.Remove(f.Name())
}

func syncDir(target string) error {
	d, err := os.Open(filepath.Dir(target))
	if err != nil {
		return nil
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte, replace bool) error {
	f, err := Create(path, replace)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}
