package ui

import (
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// draftDelay is how long typing must pause before the draft is written.
const draftDelay = 400 * time.Millisecond

// draftSaver keeps the editor's text on disk as it is typed, so a crash or
// kill -9 loses at most the last fraction of a second. Writes are debounced
// and atomic (a temporary file renamed over the draft), so the draft on
// disk is always one whole version of the text.
type draftSaver struct {
	path string

	mu      sync.Mutex
	pending *string
	timer   *time.Timer
	err     error
}

func newDraftSaver(path string) *draftSaver { return &draftSaver{path: path} }

// Load returns the saved draft and whether there is one.
func (d *draftSaver) Load() (string, bool) {
	b, err := os.ReadFile(d.path)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// Changed schedules text to be written once typing pauses.
func (d *draftSaver) Changed(text string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending = &text
	if d.timer == nil {
		d.timer = time.AfterFunc(draftDelay, func() { d.Flush() })
	} else {
		d.timer.Reset(draftDelay)
	}
}

// Stop cancels a pending write.
func (d *draftSaver) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil {
		d.timer.Stop()
	}
	d.pending = nil
}

// Flush writes the pending text now (on quit, and when the timer fires).
func (d *draftSaver) Flush() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.pending == nil {
		return d.err
	}
	text := *d.pending
	d.pending = nil
	d.err = writeAtomic(d.path, []byte(text))
	return d.err
}

// writeAtomic replaces path with data in one step.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".draft-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// draftPath is where the app keeps the draft ("" when it has no storage).
func (s *Studio) draftPath() string { return draftFile(s.App) }

// draftFile is the draft's place in the app's storage folder (tests give
// each test a folder of its own).
var draftFile = func(a fyne.App) string {
	if a == nil || a.Storage() == nil || a.Storage().RootURI() == nil {
		return ""
	}
	return filepath.Join(a.Storage().RootURI().Path(), "draft.txt")
}

// restoreText is the text the window starts with: the draft saved as it was
// typed (it survives a crash), else the text kept at the last quit.
func (s *Studio) restoreText() string {
	if p := s.draftPath(); p != "" {
		s.draft = newDraftSaver(p)
		if t, ok := s.draft.Load(); ok {
			return t
		}
	}
	return s.Settings.Text()
}

// textChanged runs on every edit: the draft is saved (debounced).
func (s *Studio) textChanged(text string) {
	if s.draft != nil {
		s.draft.Changed(text)
	}
}

// FlushDraft writes the draft now; the window calls it when it closes.
func (s *Studio) FlushDraft() error {
	if s.draft == nil {
		return nil
	}
	return s.draft.Flush()
}

// Unsaved reports whether the editor holds text that is in no file: typed,
// or changed since it was opened.
func (s *Studio) Unsaved() bool {
	return s.Text.Text != "" && s.Text.Text != s.opened
}
