package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chorus/internal/scripted"
	"chorus/providers"
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

func TestLexiconPhonemesFromTheCommandLine(t *testing.T) {
	path, _ := globalLexiconPath()
	t.Cleanup(func() { os.Remove(path) })
	if r := run(t, "", "lexicon", "add", "tomato"); r.code != ExitUsage || !strings.Contains(r.stderr, "--ipa") {
		t.Fatalf("a word alone: %d %q", r.code, r.stderr)
	}
	if r := run(t, "", "lexicon", "add", "tomato", "tuh-MAH-toe", "--ipa", "təˈmɑːtoʊ"); r.code != 0 {
		t.Fatalf("add: %d %s", r.code, r.stderr)
	}
	if r := run(t, "", "lexicon", "add", "basil", "--ipa", "ˈbæzəl", "--espeak", "b'az@l"); r.code != 0 || !strings.Contains(r.stderr, "add a respelling") {
		t.Fatalf("add without a respelling: %d %s", r.code, r.stderr)
	}
	r := run(t, "", "lexicon", "list")
	if want := "tomato = /təˈmɑːtoʊ/ tuh-MAH-toe\nbasil = /ˈbæzəl/ [[b'az@l]]\n"; r.code != 0 || r.stdout != want {
		t.Fatalf("list: %d %q, want %q", r.code, r.stdout, want)
	}
	ph := scripted.Register(t, &scripted.Provider{ID: "cli-ph", Caps: providers.Capabilities{
		Models: []providers.Model{{ID: "m1"}}, Formats: []string{"wav"}, Phonemes: []string{providers.PhonemesIPA}}})
	plain := scripted.Register(t, &scripted.Provider{ID: "cli-noph"})
	doc := filepath.Join(t.TempDir(), "b.md")
	os.WriteFile(doc, []byte("# One\n\nTomato & basil.\n"), 0o644)
	if r := run(t, "", "speak", "--provider", "cli-ph", "--file", doc, "--out", filepath.Join(t.TempDir(), "b.m4b")); r.code != 0 {
		t.Fatalf("render: %d %s", r.code, r.stderr)
	}
	var sent []string
	for _, q := range ph.Requests() {
		sent = append(sent, q.Text)
	}
	want := `<phoneme alphabet="ipa" ph="təˈmɑːtoʊ">Tomato</phoneme> &amp; <phoneme alphabet="ipa" ph="ˈbæzəl">basil</phoneme>.`
	if got := strings.Join(sent, " "); !strings.Contains(got, want) {
		t.Errorf("the render sent %q, want %q in it", got, want)
	}
	// basil has no respelling: a voice without phonemes is refused before anything is sent.
	r = run(t, "", "speak", "--provider", "cli-noph", "--file", doc, "--out", filepath.Join(t.TempDir(), "c.m4b"))
	if r.code != ExitUsage || !strings.Contains(r.stderr, `"basil"`) || !strings.Contains(r.stderr, "basil = /ˈbæzəl/ [[b'az@l]] respelling") {
		t.Fatalf("no respelling: %d %q", r.code, r.stderr)
	}
	if n := len(plain.Requests()); n != 0 {
		t.Fatalf("%d requests sent before the lexicon was checked", n)
	}
}
