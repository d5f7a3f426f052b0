package compare

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"chorus/export"
)

// Lists holds the user's favourite voices and the current shortlist, saved
// as JSON (atomically) so they survive restarts.
type Lists struct {
	path string

	mu         sync.Mutex
	favourites []Entry
	shortlist  []Entry
}

type listsJSON struct {
	Version    int     `json:"version"`
	Favourites []Entry `json:"favourites"`
	Shortlist  []Entry `json:"shortlist"`
}

// LoadLists reads the lists at path; a missing file gives empty lists. An
// empty path keeps them in memory only.
func LoadLists(path string) (*Lists, error) {
	l := &Lists{path: path}
	if path == "" {
		return l, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("cannot read favourites %s: %w", path, err)
	}
	var f listsJSON
	if err := json.Unmarshal(b, &f); err != nil {
		return l, fmt.Errorf("favourites file %s is damaged (%v); delete it to start again", path, err)
	}
	l.favourites, l.shortlist = f.Favourites, f.Shortlist
	return l, nil
}

// Favourites returns a copy of the favourite voices.
func (l *Lists) Favourites() []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.favourites)
}

// IsFavourite reports whether the voice (by Key) is a favourite.
func (l *Lists) IsFavourite(e Entry) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.find(e) >= 0
}

func (l *Lists) find(e Entry) int {
	return slices.IndexFunc(l.favourites, func(f Entry) bool { return f.Key() == e.Key() })
}

// SetFavourite stars or unstars a voice and saves.
func (l *Lists) SetFavourite(e Entry, on bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := l.find(e)
	switch {
	case on && i < 0:
		l.favourites = append(l.favourites, Entry{Provider: e.Provider, Model: e.Model, Voice: e.Voice})
	case !on && i >= 0:
		l.favourites = slices.Delete(l.favourites, i, i+1)
	default:
		return nil
	}
	return l.save()
}

// Shortlist returns a copy of the shortlist.
func (l *Lists) Shortlist() []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.shortlist)
}

// SetShortlist replaces the shortlist and saves.
func (l *Lists) SetShortlist(entries []Entry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.shortlist = slices.Clone(entries)
	return l.save()
}

func (l *Lists) save() error {
	if l.path == "" {
		return nil
	}
	f := listsJSON{Version: 1, Favourites: l.favourites, Shortlist: l.shortlist}
	if f.Favourites == nil {
		f.Favourites = []Entry{}
	}
	if f.Shortlist == nil {
		f.Shortlist = []Entry{}
	}
	b, _ := json.MarshalIndent(f, "", "  ")
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return fmt.Errorf("cannot save favourites: %w; check that %s is writable", err, filepath.Dir(l.path))
	}
	if err := export.WriteFile(l.path, b, true); err != nil {
		return fmt.Errorf("cannot save favourites: %w", err)
	}
	return nil
}
