package voices

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The files of an installed voice, in its folder Dir()/<id>.
const (
	ModelFile  = "model.onnx"      // the Piper model with sherpa-onnx metadata appended
	ConfigFile = "model.onnx.json" // Piper's configuration, as published
	TokensFile = "tokens.txt"      // phoneme symbols and IDs, derived from the configuration
	EntryFile  = "voice.json"      // the catalog entry the voice was installed from
)

// Installed is a voice on this machine.
type Installed struct {
	Voice
	Dir      string   // its folder
	Speaker  []string // speaker names of a multi-speaker voice, by speaker ID
	Language string   // the language as Piper names it (e.g. English)
}

// Path is the path of one of the voice's files.
func (i Installed) Path(name string) string { return filepath.Join(i.Dir, name) }

// Options tunes Install.
type Options struct {
	Client   *http.Client   // nil for http.DefaultClient
	Progress func(Progress) // called at most every 100 ms, and at each file's end
}

// ErrNotInstalled reports a voice that is not installed.
var ErrNotInstalled = errors.New("voice not installed")

// Install downloads v into dir and makes it ready for the engine. The voice
// appears in dir only when every file is whole and checked: a cut, a wrong
// checksum, a full disk or a cancelled ctx leave nothing behind.
func Install(ctx context.Context, dir string, v Voice, opt Options) (Installed, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Installed{}, fmt.Errorf("voices folder: %w", err)
	}
	final := filepath.Join(dir, v.ID)
	if _, err := os.Stat(filepath.Join(final, ModelFile)); err == nil {
		return Open(dir, v.ID)
	}
	stage, err := os.MkdirTemp(dir, ".install-"+v.ID+"-")
	if err != nil {
		return Installed{}, fmt.Errorf("voices folder: %w", err)
	}
	defer os.RemoveAll(stage) // a no-op once renamed into place
	f := &fetcher{client: opt.Client, voiceID: v.ID, total: v.Size(), started: time.Now(), progress: opt.Progress}
	// The small configuration first: a bad one fails before 60 MB are fetched.
	files := append([]File(nil), v.Files...)
	sort.SliceStable(files, func(i, j int) bool { return files[i].Size < files[j].Size })
	for _, file := range files {
		if err := f.fetch(ctx, file, filepath.Join(stage, file.Name)); err != nil {
			return Installed{}, err
		}
	}
	if err := prepare(stage, v); err != nil {
		return Installed{}, err
	}
	if err := os.Rename(stage, final); err != nil {
		return Installed{}, fmt.Errorf("install %s: %w", v.ID, err)
	}
	return Open(dir, v.ID)
}

// piperConfig is the part of Piper's model.onnx.json the engine needs.
type piperConfig struct {
	Audio struct {
		SampleRate int `json:"sample_rate"`
	} `json:"audio"`
	Espeak struct {
		Voice string `json:"voice"`
	} `json:"espeak"`
	Language struct {
		Code        string `json:"code"`
		NameEnglish string `json:"name_english"`
	} `json:"language"`
	NumSpeakers  int              `json:"num_speakers"`
	SpeakerIDMap map[string]int   `json:"speaker_id_map"`
	PhonemeIDMap map[string][]int `json:"phoneme_id_map"`
}

func readConfig(path string) (piperConfig, error) {
	var c piperConfig
	data, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("%s is not a Piper voice configuration: %w", filepath.Base(path), err)
	}
	if len(c.PhonemeIDMap) == 0 || c.Audio.SampleRate <= 0 {
		return c, fmt.Errorf("%s has no phoneme_id_map or sample rate: not a Piper voice", filepath.Base(path))
	}
	if c.NumSpeakers < 1 {
		c.NumSpeakers = 1
	}
	return c, nil
}

// prepare derives tokens.txt from the configuration, appends the metadata
// sherpa-onnx reads to the model, and records the catalog entry.
func prepare(stage string, v Voice) error {
	cfg, err := readConfig(filepath.Join(stage, ConfigFile))
	if err != nil {
		return fmt.Errorf("install %s: %w", v.ID, err)
	}
	if err := os.WriteFile(filepath.Join(stage, TokensFile), Tokens(cfg.PhonemeIDMap), 0o644); err != nil {
		return fmt.Errorf("install %s: %w", v.ID, err)
	}
	model := filepath.Join(stage, ModelFile)
	if err := checkONNX(model); err != nil {
		return fmt.Errorf("install %s: %w", v.ID, err)
	}
	meta := [][2]string{
		{"model_type", "vits"},
		{"comment", "piper"},
		{"language", cfg.Language.NameEnglish},
		{"voice", cfg.Espeak.Voice},
		{"has_espeak", "1"},
		{"n_speakers", strconv.Itoa(cfg.NumSpeakers)},
		{"sample_rate", strconv.Itoa(cfg.Audio.SampleRate)},
	}
	mf, err := os.OpenFile(model, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("install %s: %w", v.ID, err)
	}
	if _, err := mf.Write(MetadataProps(meta)); err != nil {
		mf.Close()
		return fmt.Errorf("install %s: %w (is the disk full?)", v.ID, err)
	}
	if err := mf.Close(); err != nil {
		return fmt.Errorf("install %s: %w", v.ID, err)
	}
	entry, _ := json.MarshalIndent(v, "", "  ")
	return os.WriteFile(filepath.Join(stage, EntryFile), entry, 0o644)
}

// checkONNX makes sure the file starts like an ONNX ModelProto (field 1,
// ir_version, as a varint).
func checkONNX(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var b [1]byte
	if _, err := io.ReadFull(f, b[:]); err != nil || b[0] != 0x08 {
		return fmt.Errorf("%s is not an ONNX model", filepath.Base(path))
	}
	return nil
}

// Tokens renders Piper's phoneme_id_map as sherpa-onnx's tokens.txt: one
// "symbol id" line per phoneme, by ID.
func Tokens(m map[string][]int) []byte {
	type tok struct {
		sym string
		id  int
	}
	var ts []tok
	for s, ids := range m {
		if len(ids) > 0 {
			ts = append(ts, tok{s, ids[0]})
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].id < ts[j].id })
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "%s %d\n", t.sym, t.id)
	}
	return []byte(b.String())
}

// MetadataProps encodes key/value pairs as ONNX ModelProto metadata_props
// entries (field 14, each a StringStringEntryProto of key = 1, value = 2).
// Protobuf merges repeated fields, so these bytes appended to a serialized
// model add the entries to it.
func MetadataProps(kv [][2]string) []byte {
	var out []byte
	for _, p := range kv {
		var e []byte
		e = appendBytesField(e, 1, p[0])
		e = appendBytesField(e, 2, p[1])
		out = appendBytesField(out, 14, string(e))
	}
	return out
}

func appendBytesField(b []byte, field int, s string) []byte {
	b = binary.AppendUvarint(b, uint64(field<<3|2))
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Open reads an installed voice.
func Open(dir, id string) (Installed, error) {
	vd := filepath.Join(dir, id)
	data, err := os.ReadFile(filepath.Join(vd, EntryFile))
	if errors.Is(err, os.ErrNotExist) {
		return Installed{}, fmt.Errorf("%w: %s", ErrNotInstalled, id)
	}
	if err != nil {
		return Installed{}, err
	}
	inst := Installed{Dir: vd}
	if err := json.Unmarshal(data, &inst.Voice); err != nil {
		return Installed{}, fmt.Errorf("voice %s is damaged (%v): remove it and install it again", id, err)
	}
	for _, name := range []string{ModelFile, TokensFile} {
		if _, err := os.Stat(filepath.Join(vd, name)); err != nil {
			return Installed{}, fmt.Errorf("voice %s is damaged (no %s): remove it and install it again", id, name)
		}
	}
	cfg, err := readConfig(filepath.Join(vd, ConfigFile))
	if err != nil {
		return Installed{}, fmt.Errorf("voice %s is damaged (%v): remove it and install it again", id, err)
	}
	inst.Language = cfg.Language.NameEnglish
	inst.SampleRate = cfg.Audio.SampleRate
	inst.Speakers = cfg.NumSpeakers
	if cfg.NumSpeakers > 1 {
		inst.Speaker = make([]string, cfg.NumSpeakers)
		for name, sid := range cfg.SpeakerIDMap {
			if sid >= 0 && sid < len(inst.Speaker) {
				inst.Speaker[sid] = name
			}
		}
		for i, n := range inst.Speaker {
			if n == "" {
				inst.Speaker[i] = strconv.Itoa(i)
			}
		}
	}
	return inst, nil
}

// List returns the voices installed in dir, by ID. Half-finished installs
// (hidden folders) are not voices.
func List(dir string) ([]Installed, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Installed
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if v, err := Open(dir, e.Name()); err == nil {
			out = append(out, v)
		}
	}
	return out, nil
}

// Remove deletes an installed voice. It is first renamed away, so a reader
// never sees half a voice.
func Remove(dir, id string) error {
	vd := filepath.Join(dir, id)
	if id == "" || strings.ContainsAny(id, `/\`) || strings.HasPrefix(id, ".") {
		return fmt.Errorf("%q is not a voice ID", id)
	}
	if _, err := os.Stat(vd); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrNotInstalled, id)
	}
	tmp, err := os.MkdirTemp(dir, ".remove-"+id+"-")
	if err != nil {
		return err
	}
	gone := filepath.Join(tmp, id)
	if err := os.Rename(vd, gone); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("remove %s: %w", id, err)
	}
	return os.RemoveAll(tmp)
}
