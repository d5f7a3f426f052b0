package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"chorus/internal/scripted"
	"chorus/longtext"
)

func TestChaptersCommandListsInOrder(t *testing.T) {
	p := filepath.Join(t.TempDir(), "b.md")
	os.WriteFile(p, []byte("# First\n\nOne.\n\n# Second\n\nTwo.\n"), 0o644)
	r := run(t, "", "chapters", p)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	i, j := strings.Index(r.stdout, "First"), strings.Index(r.stdout, "Second")
	if i < 0 || j < i {
		t.Fatalf("chapters output %q", r.stdout)
	}
	if r := run(t, "", "chapters", filepath.Join(t.TempDir(), "x.xyz")); r.code != 2 {
		t.Fatalf("unknown format exit %d", r.code)
	}
}

func TestSpeakBookToChaptersAndM4B(t *testing.T) {
	a := scripted.Register(t, &scripted.Provider{ID: "cli-book-a"})
	b := scripted.Register(t, &scripted.Provider{ID: "cli-book-b"})
	dir := t.TempDir()
	doc := filepath.Join(dir, "story.md")
	os.WriteFile(doc, []byte("# Opening\n\nThe narrator speaks of Xyzzy.\n\n# Dialogue\n\n[voice: hero]\n\nHello, Xyzzy!\n"), 0o644)
	cast := filepath.Join(dir, "cast.json")
	os.WriteFile(cast, []byte(`{"Hero": {"provider": "cli-book-b", "voice": "v2"}}`), 0o644)
	lex := filepath.Join(dir, "words.txt")
	os.WriteFile(lex, []byte("xyzzy = ziz-ee\n"), 0o644)
	outDir := filepath.Join(dir, "book")
	m4b := filepath.Join(dir, "book.m4b")
	r := run(t, "", "speak", "--provider", "cli-book-a", "--file", doc, "--chapters", "--out-dir", outDir, "--out", m4b,
		"--cast", cast, "--lexicon", lex, "--loudness", "-18", "--title", "Story", "--author", "Me")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if ra, rb := a.Requests(), b.Requests(); len(ra) != 2 || len(rb) != 1 || ra[0].Text != "Opening.\n\nThe narrator speaks of ziz-ee." || ra[1].Text != "Dialogue." || rb[0].Text != "Hello, ziz-ee!" {
		t.Fatalf("requests a %+v b %+v", ra, rb)
	}
	for _, f := range []string{"01 - Opening.mp3", "02 - Dialogue.mp3"} {
		if _, err := os.Stat(filepath.Join(outDir, f)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(r.stderr, "Total") || !strings.Contains(r.stderr, "LUFS") {
		t.Errorf("no estimate or loudness report: %s", r.stderr)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_chapters", m4b).Output()
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Chapters []struct{ Tags map[string]string }
	}
	json.Unmarshal(out, &m)
	if len(m.Chapters) != 2 || m.Chapters[1].Tags["title"] != "Dialogue" {
		t.Fatalf("m4b chapters %+v", m.Chapters)
	}
	// An unknown cast name fails before anything is sent, exit 2.
	os.WriteFile(doc, []byte("[voice: villain]\nBoo.\n"), 0o644)
	n := len(a.Requests())
	if r := run(t, "", "speak", "--provider", "cli-book-a", "--file", doc, "--out", filepath.Join(dir, "x.m4b")); r.code != 2 || !strings.Contains(r.stderr, "villain") || len(a.Requests()) != n {
		t.Fatalf("unknown voice: exit %d %s", r.code, r.stderr)
	}
}

func TestSpeakLargeBookNeedsYes(t *testing.T) {
	a := scripted.Register(t, &scripted.Provider{ID: "cli-book-large"})
	dir := t.TempDir()
	doc := filepath.Join(dir, "big.md")
	os.WriteFile(doc, []byte("# One\n\n"+strings.Repeat("A short sentence here. ", 5000)+"\n"), 0o644)
	r := run(t, "", "speak", "--provider", "cli-book-large", "--file", doc, "--out", filepath.Join(dir, "big.m4b"))
	if r.code != ExitUsage || !strings.Contains(r.stderr, "add --yes to go ahead") || !strings.Contains(r.stderr, "Total") {
		t.Fatalf("without --yes: exit %d: %s", r.code, r.stderr)
	}
	if n := len(a.Requests()); n != 0 {
		t.Errorf("%d requests were sent without --yes", n)
	}
}

// speak --file notes.md speaks the words of the Markdown, the text the
// GUI's editor shows for the same file (longtext.SpeakableMarkdown), not
// its markup.
func TestSpeakMarkdownFile(t *testing.T) {
	md := "# Notes\n\nSome **bold** and _italic_ words, a [link](https://example.com/x).\n\n" +
		"```sh\nls -l\n```\n\n## Next\n\nThe end.\n"
	file := filepath.Join(t.TempDir(), "notes.md")
	if err := os.WriteFile(file, []byte(md), 0o600); err != nil {
		t.Fatal(err)
	}
	p := scripted.Register(t, &scripted.Provider{ID: "cli-md"})
	if r := run(t, "", "speak", "--provider", "cli-md", "--file", file); r.code != 0 {
		t.Fatalf("speak: %d %s", r.code, r.stderr)
	}
	var sent []string
	for _, q := range p.Requests() {
		sent = append(sent, q.Text)
	}
	got := strings.Join(sent, " ")
	if want := longtext.SpeakableMarkdown(md); strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(want), " ") {
		t.Errorf("spoke %q, want %q", got, want)
	}
	for _, markup := range []string{"#", "**", "_italic", "](", "https://", "```"} {
		if strings.Contains(got, markup) {
			t.Errorf("spoke %q, markup %q included", got, markup)
		}
	}
}

// The estimate shows the render time and marks a default guess.
func TestSpeakBookEstimateShowsRenderTime(t *testing.T) {
	scripted.Register(t, &scripted.Provider{ID: "cli-book-time"})
	doc := filepath.Join(t.TempDir(), "b.md")
	os.WriteFile(doc, []byte("# One\n\n"+strings.Repeat("A sentence of words. ", 100)+"\n"), 0o644)
	r := run(t, "", "speak", "--provider", "cli-book-time", "--file", doc, "--estimate")
	if r.code != 0 || !strings.Contains(r.stderr, "render time") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// 2,100 characters (and the heading) at the local guess, 25 ms each: 53 s.
	if !strings.Contains(r.stderr, "53s *") || !strings.Contains(r.stderr, "* a default guess") {
		t.Errorf("no guessed render time: %s", r.stderr)
	}
}
