package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"chorus/export"
	"chorus/providers/openai"
)

// ProfileStore keeps custom OpenAI-compatible endpoints (never their keys) in
// one JSON file that the GUI and the CLI share, written atomically.
type ProfileStore struct {
	Path string
	mu   sync.Mutex
}

// DefaultProfiles is the store in the user's config folder
// (~/.config/chorus/profiles.json on Linux).
func DefaultProfiles() *ProfileStore {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = os.TempDir()
	}
	return &ProfileStore{Path: filepath.Join(dir, "chorus", "profiles.json")}
}

// List returns the saved profiles.
func (s *ProfileStore) List() ([]openai.Profile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.read()
}

func (s *ProfileStore) read() ([]openai.Profile, error) {
	b, err := os.ReadFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []openai.Profile
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s is damaged (%v); fix or delete it", s.Path, err)
	}
	return out, nil
}

// Save adds or replaces a profile by ID, registers it, and stores it.
func (s *ProfileStore) Save(p openai.Profile) error {
	if err := openai.RegisterProfile(p); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := s.read()
	if err != nil {
		return err
	}
	replaced := false
	for i := range list {
		if list[i].ID == p.ID {
			list[i], replaced = p, true
		}
	}
	if !replaced {
		list = append(list, p)
	}
	return s.write(list)
}

// Delete unregisters and forgets a profile.
func (s *ProfileStore) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := s.read()
	if err != nil {
		return err
	}
	var keep []openai.Profile
	for _, p := range list {
		if p.ID != id {
			keep = append(keep, p)
		}
	}
	if len(keep) == len(list) {
		return fmt.Errorf("no custom endpoint %q", id)
	}
	openai.UnregisterProfile(id)
	return s.write(keep)
}

func (s *ProfileStore) write(list []openai.Profile) error {
	if list == nil {
		list = []openai.Profile{}
	}
	b, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
		return err
	}
	return export.WriteFile(s.Path, append(b, '\n'), true)
}

// RegisterAll registers every saved profile so its ID works like a built-in
// provider; a broken one is reported and skipped.
func (s *ProfileStore) RegisterAll(report func(string)) {
	list, err := s.List()
	if err != nil {
		if report != nil {
			report(err.Error())
		}
		return
	}
	for _, p := range list {
		if err := openai.RegisterProfile(p); err != nil && report != nil {
			report(fmt.Sprintf("custom endpoint %q ignored: %v", p.ID, err))
		}
	}
}
