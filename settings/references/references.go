// Package references keeps saved voice references for instant voice
// cloning: a short recording of a voice plus its exact transcript, stored
// under a name so it can be reused (Fish Audio's "references"). The store is
// a JSON index and a copy of each audio file in one folder
// (os.UserConfigDir()/chorus/references), every file written atomically.
package references

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/export"
)

// The recommended length of a reference recording.
const (
	MinDuration = 10 * time.Second
	MaxDuration = 30 * time.Second
)

// maxFileBytes bounds a reference file; 30 s of 48 kHz stereo WAV is ~11 MB.
const maxFileBytes = 32 << 20

// Reference is one saved reference.
type Reference struct {
	Name       string        `json:"name"`
	File       string        `json:"file"`       // the stored copy, inside the store's folder
	Transcript string        `json:"transcript"` // exactly what is said in the recording
	Encoding   string        `json:"encoding"`   // wav, mp3 or flac
	Duration   time.Duration `json:"duration"`
	Saved      time.Time     `json:"saved"`
}

// Store is a folder of saved references. It is safe for concurrent use by
// one process.
type Store struct {
	Dir string
	mu  sync.Mutex
}

// Default is the store in the user's config folder
// (~/.config/chorus/references on Linux).
func Default() *Store {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = os.TempDir()
	}
	return &Store{Dir: filepath.Join(dir, "chorus", "references")}
}

func (s *Store) index() string { return filepath.Join(s.Dir, "index.json") }

// List returns the saved references, sorted by name.
func (s *Store) List() ([]Reference, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.read()
}

func (s *Store) read() ([]Reference, error) {
	b, err := os.ReadFile(s.index())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Reference
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s is damaged (%v); fix or delete it", s.index(), err)
	}
	for i := range out {
		out[i].File = filepath.Join(s.Dir, filepath.Base(out[i].File))
	}
	return out, nil
}

func (s *Store) write(list []Reference) error {
	slices.SortFunc(list, func(a, b Reference) int { return strings.Compare(a.Name, b.Name) })
	stored := make([]Reference, len(list))
	for i, r := range list {
		r.File = filepath.Base(r.File) // relative, so the folder can move
		stored[i] = r
	}
	b, err := json.MarshalIndent(stored, "", "  ")
	if err != nil {
		return err
	}
	return export.WriteFile(s.index(), append(b, '\n'), true)
}

// Get returns the reference saved under name.
func (s *Store) Get(name string) (Reference, error) {
	list, err := s.List()
	if err != nil {
		return Reference{}, err
	}
	for _, r := range list {
		if r.Name == name {
			return r, nil
		}
	}
	var names []string
	for _, r := range list {
		names = append(names, r.Name)
	}
	if len(names) == 0 {
		return Reference{}, fmt.Errorf("no saved reference %q; there are none yet (save one with `chorus references add NAME FILE --text TRANSCRIPT`)", name)
	}
	return Reference{}, fmt.Errorf("no saved reference %q; saved: %s", name, strings.Join(names, ", "))
}

// Audio reads the stored recording of a reference.
func (r Reference) Audio() ([]byte, error) {
	b, err := os.ReadFile(r.File)
	if err != nil {
		return nil, fmt.Errorf("the audio of reference %q cannot be read (%v); delete it and save it again", r.Name, err)
	}
	return b, nil
}

// CheckName says what is wrong with a name, or returns nil.
func CheckName(name string) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("the reference needs a name")
	}
	if len(name) > 64 {
		return errors.New("the reference name is longer than 64 characters")
	}
	for _, c := range name {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && !strings.ContainsRune(" -_.", c) {
			return fmt.Errorf("the reference name %q may only hold letters, digits, spaces, '-', '_' and '.'", name)
		}
	}
	return nil
}

// Save copies file into the store under name with its transcript, after
// checking it is a WAV, MP3 or FLAC recording that holds audio. Any
// length is kept (the 10 to 30 seconds voices clone best from are a
// recommendation: see Reference.Advice). A reference of the same name is
// replaced.
func (s *Store) Save(name, file, transcript string) (Reference, error) {
	if err := CheckName(name); err != nil {
		return Reference{}, err
	}
	if strings.TrimSpace(transcript) == "" {
		return Reference{}, errors.New("the reference needs the exact transcript of its recording")
	}
	data, enc, dur, err := Read(file)
	if err != nil {
		return Reference{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := s.read()
	if err != nil {
		return Reference{}, err
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return Reference{}, err
	}
	ref := Reference{Name: name, Transcript: strings.TrimSpace(transcript), Encoding: string(enc), Duration: dur,
		Saved: time.Now().UTC().Truncate(time.Second),
		File:  filepath.Join(s.Dir, fmt.Sprintf("%s-%d%s", fileStem(name), time.Now().UnixNano(), enc.Extension()))}
	if err := export.WriteFile(ref.File, data, false); err != nil {
		return Reference{}, err
	}
	var old []string
	keep := list[:0]
	for _, r := range list {
		if r.Name == name {
			old = append(old, r.File)
			continue
		}
		keep = append(keep, r)
	}
	if err := s.write(append(keep, ref)); err != nil {
		os.Remove(ref.File)
		return Reference{}, err
	}
	for _, f := range old {
		os.Remove(f)
	}
	return ref, nil
}

// Delete forgets a reference and removes its audio.
func (s *Store) Delete(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := s.read()
	if err != nil {
		return err
	}
	var keep []Reference
	var gone *Reference
	for _, r := range list {
		if r.Name == name {
			gone = &r
			continue
		}
		keep = append(keep, r)
	}
	if gone == nil {
		return fmt.Errorf("no saved reference %q", name)
	}
	if keep == nil {
		keep = []Reference{}
	}
	if err := s.write(keep); err != nil {
		return err
	}
	os.Remove(gone.File)
	return nil
}

func fileStem(name string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(name) {
		if unicode.IsLetter(c) && c < 128 || unicode.IsDigit(c) {
			b.WriteRune(c)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// Advice is a warning for a recording of d outside the recommended 10 to
// 30 seconds (cloning still works, less well), or "".
func Advice(file string, d time.Duration) string {
	if d >= MinDuration && d <= MaxDuration {
		return ""
	}
	return fmt.Sprintf("The reference audio %s is %.1f s long; voices clone best from %d to %d seconds of clean speech",
		filepath.Base(file), d.Seconds(), int(MinDuration.Seconds()), int(MaxDuration.Seconds()))
}

// Advice is a warning when the recording is outside the recommended
// length, or "".
func (r Reference) Advice() string { return Advice(r.Name, r.Duration) }

// Read reads a reference recording and checks it is a WAV, MP3 or FLAC
// file that decodes and holds some audio, whatever its length (see Advice).
func Read(file string) ([]byte, audio.Encoding, time.Duration, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, "", 0, fmt.Errorf("cannot read the reference audio: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, "", 0, fmt.Errorf("cannot read the reference audio %s: %v", file, err)
	}
	if len(data) > maxFileBytes {
		return nil, "", 0, fmt.Errorf("the reference audio %s is larger than %d MB; use a 10–30 s recording", filepath.Base(file), maxFileBytes>>20)
	}
	enc, ok := codec.Sniff(data[:min(len(data), 64)])
	if !ok || (enc != audio.WAV && enc != audio.MP3 && enc != audio.FLAC) {
		return nil, "", 0, fmt.Errorf("the reference audio %s is not a WAV, MP3 or FLAC file", filepath.Base(file))
	}
	dur, err := Duration(data, enc)
	if err != nil {
		return nil, "", 0, fmt.Errorf("the reference audio %s cannot be decoded: %v", filepath.Base(file), err)
	}
	if dur <= 0 {
		return nil, "", 0, fmt.Errorf("the reference audio %s holds no audio", filepath.Base(file))
	}
	return data, enc, dur, nil
}

// Duration decodes data as enc and returns how long it plays.
func Duration(data []byte, enc audio.Encoding) (time.Duration, error) {
	src, err := codec.NewDecoder(bytes.NewReader(data), enc, audio.Format{})
	if err != nil {
		return 0, err
	}
	f := src.Format()
	if !f.Valid() {
		return 0, fmt.Errorf("unusable format %v", f)
	}
	buf := make([]float32, 8192*f.Channels)
	var samples int64
	for {
		n, err := src.Read(buf)
		samples += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	frames := samples / int64(f.Channels)
	return time.Duration(frames) * time.Second / time.Duration(f.SampleRate), nil
}
