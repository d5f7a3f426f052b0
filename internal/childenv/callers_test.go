package childenv

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryChildGetsTheCleanEnvironment reads Chorus's own source: a file
// that starts a program must give it Environ(), so no key ever reaches a
// child. Test helpers (they start recorders and displays, never with a
// user's key) are left out.
func TestEveryChildGetsTheCleanEnvironment(t *testing.T) {
	root := filepath.Join("..", "..")
	helpers := map[string]bool{"internal/audiotest": true, "internal/screentext/xcliptest": true}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") || helpers[filepath.ToSlash(rel)] {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(b)
		if strings.Contains(src, "exec.Command") && !strings.Contains(src, "childenv.Environ()") && !strings.HasSuffix(rel, "childenv.go") {
			t.Errorf("%s starts a program without childenv.Environ(): a key in the environment would reach it", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
