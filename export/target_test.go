package export

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckTarget(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("text"), 0o644)
	existing := filepath.Join(dir, "old.wav")
	os.WriteFile(existing, []byte("x"), 0o644)
	link := filepath.Join(dir, "link.mp3")
	os.WriteFile(filepath.Join(dir, "in.mp3"), []byte("x"), 0o644)
	os.Symlink(filepath.Join(dir, "in.mp3"), link)

	bad := []struct {
		path   string
		force  bool
		inputs []string
		want   string
		is     error
	}{
		{dir, true, nil, "is a folder", ErrBadTarget},
		{dir, false, nil, "is a folder", ErrBadTarget},
		{notes, true, []string{notes}, "also the input file", ErrBadTarget},
		{notes, true, nil, "no audio format uses the extension \".txt\"", ErrBadTarget},
		{filepath.Join(dir, "noext"), false, nil, "has no extension", ErrBadTarget},
		{existing, false, nil, "--force", ErrExists},
		{existing, true, []string{existing}, "also the input file", ErrBadTarget},
		{link, true, []string{filepath.Join(dir, "in.mp3")}, "also the input file", ErrBadTarget},
		{filepath.Join(dir, "missing", "x.wav"), false, nil, "does not exist", ErrBadTarget},
	}
	for _, c := range bad {
		err := CheckTarget(c.path, c.force, c.inputs...)
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, c.is) {
			t.Errorf("CheckTarget(%s, force=%v) = %v; want %q", c.path, c.force, err, c.want)
		}
	}
	if err := CheckTarget(notes+".x", false); err == nil || !strings.Contains(err.Error(), ".wav, .mp3") {
		t.Errorf("allowed extensions not named: %v", err)
	}
	for _, ok := range []struct {
		path  string
		force bool
	}{{"", false}, {filepath.Join(dir, "new.flac"), false}, {existing, true}, {filepath.Join(dir, "NEW.MP3"), false}} {
		if err := CheckTarget(ok.path, ok.force, notes); err != nil {
			t.Errorf("CheckTarget(%s) = %v", ok.path, err)
		}
	}
}
