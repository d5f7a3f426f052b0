package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chorus/internal/scripted"
)

// Tests never read or write the user's own lexicon.
func init() {
	dir, err := os.MkdirTemp("", "chorus-lexicon-test")
	if err != nil {
		panic(err)
	}
	globalLexiconPath = func() (string, error) { return filepath.Join(dir, "lexicon.txt"), nil }
}

func TestLexiconCommandAndBookRender(t *testing.T) {
	path, _ := globalLexiconPath()
	t.Cleanup(func() { os.Remove(path) })
	if r := run(t, "", "lexicon"); r.code != 0 || !strings.Contains(r.stderr, "no pronunciations yet") {
		t.Fatalf("empty list: %d %q", r.code, r.stderr)
	}
	if r := run(t, "", "lexicon", "add", "Nguyen", "win"); r.code != 0 {
		t.Fatalf("add: %d %s", r.code, r.stderr)
	}
	if r := run(t, "", "lexicon", "add", "SQL", "sequel", "--exact"); r.code != 0 {
		t.Fatalf("add exact: %d %s", r.code, r.stderr)
	}
	if r := run(t, "", "lexicon", "add", "nguyen", "nwin"); r.code != 0 { // replaces, whatever the case
		t.Fatalf("replace: %d %s", r.code, r.stderr)
	}
	r := run(t, "", "lexicon", "list")
	if r.code != 0 || r.stdout != "SQL == sequel\nnguyen = nwin\n" {
		t.Fatalf("list: %d %q", r.code, r.stdout)
	}
	// A book render applies it.
	p := scripted.Register(t, &scripted.Provider{ID: "cli-lex"})
	doc := filepath.Join(t.TempDir(), "b.md")
	os.WriteFile(doc, []byte("# One\n\nAsk Nguyen about SQL and sql.\n"), 0o644)
	if r := run(t, "", "speak", "--provider", "cli-lex", "--file", doc, "--out", filepath.Join(t.TempDir(), "b.m4b")); r.code != 0 {
		t.Fatalf("render: %d %s", r.code, r.stderr)
	}
	var sent []string
	for _, q := range p.Requests() {
		sent = append(sent, q.Text)
	}
	if got := strings.Join(sent, " "); !strings.Contains(got, "Ask nwin about sequel and sql.") {
		t.Errorf("the render sent %q", got)
	}
	if r := run(t, "", "lexicon", "remove", "Nguyen"); r.code != 0 {
		t.Fatalf("remove: %d %s", r.code, r.stderr)
	}
	if r := run(t, "", "lexicon", "remove", "Nguyen"); r.code != ExitUsage {
		t.Errorf("remove twice: %d", r.code)
	}
	// A damaged file is named, and kept.
	os.WriteFile(path, []byte("no separator here\n"), 0o600)
	if r := run(t, "", "lexicon", "add", "a", "b"); r.code != ExitUsage || !strings.Contains(r.stderr, "line 1") {
		t.Errorf("damaged file: %d %q", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(path); string(b) != "no separator here\n" {
		t.Errorf("the damaged file was overwritten: %q", b)
	}
}
