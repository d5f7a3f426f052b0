package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"chorus/cache"
	"chorus/core"
	"chorus/internal/scripted"
	"chorus/player"
)

func runWith(t *testing.T, e *core.Engine, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Engine: e}
	code := Run(context.Background(), env, args)
	return result{code, out.String(), errb.String()}
}

func longEngine(t *testing.T) *core.Engine {
	st, err := cache.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	sink := player.NewMemorySink(player.DeviceFormat)
	return &core.Engine{OpenSink: func() (player.Sink, error) { return sink, nil }, Getenv: func(string) string { return "" }, Cache: st}
}

func TestSpeakLongFileWithSubtitlesAndStats(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "cli-long"})
	p.Caps.MaxChars = 100
	dir := t.TempDir()
	var text strings.Builder
	for i := range 30 {
		fmt.Fprintf(&text, "This is sentence %d of the book. ", i)
	}
	book := filepath.Join(dir, "book.txt")
	os.WriteFile(book, []byte(text.String()), 0o644)
	e := longEngine(t)
	args := []string{"speak", "--provider", "cli-long", "--file", book, "--out", filepath.Join(dir, "book.wav"),
		"--subtitles", filepath.Join(dir, "book.vtt"), "--sidecar", "--per-chunk-dir", filepath.Join(dir, "parts"),
		"--concurrency", "2", "--stats"}
	r := runWith(t, e, args...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var st map[string]float64
	if err := json.Unmarshal([]byte(strings.SplitN(r.stderr, "\n", 2)[0]), &st); err != nil {
		t.Fatalf("stats: %q", r.stderr)
	}
	chunks := st["chunks"]
	if chunks < 10 || st["cache_hits"] != 0 || st["requests"] != chunks || int(chunks) != len(p.Requests()) {
		t.Errorf("stats %v after %d requests", st, len(p.Requests()))
	}
	vtt, _ := os.ReadFile(filepath.Join(dir, "book.vtt"))
	if !strings.HasPrefix(string(vtt), "WEBVTT\n\n00:00:00.000 --> ") {
		t.Errorf("vtt %q", vtt)
	}
	for _, f := range []string{"book.wav", "book.wav.json", "parts/chunk-0001.wav"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// The same run again comes from the cache.
	args[8] = filepath.Join(dir, "again.vtt")
	r = runWith(t, e, append(args, "--force")...)
	json.Unmarshal([]byte(strings.SplitN(r.stderr, "\n", 2)[0]), &st)
	if r.code != 0 || st["requests"] != 0 || st["cache_hits"] != chunks {
		t.Fatalf("replay: exit %d, %s", r.code, r.stderr)
	}
	// --chunk-chars over the provider's limit is a usage error, before any request.
	n := len(p.Requests())
	r = runWith(t, e, "speak", "--provider", "cli-long", "--chunk-chars", "500", "--no-cache", "Hello.")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "100") || len(p.Requests()) != n {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	r = runWith(t, e, "speak", "--provider", "cli-long", "--subtitles", filepath.Join(dir, "x.txt"), "Hello.")
	if r.code != ExitUsage || !strings.Contains(r.stderr, ".srt, .vtt or .lrc") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

func TestHistoryCommands(t *testing.T) {
	scripted.Register(t, &scripted.Provider{ID: "cli-hist"})
	e := longEngine(t)
	if r := runWith(t, e, "speak", "--provider", "cli-hist", "--voice", "v1", "Remember this one."); r.code != 0 {
		t.Fatalf("speak: %s", r.stderr)
	}
	r := runWith(t, e, "history", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "Remember this one.") || !strings.Contains(r.stdout, "cli-hist") {
		t.Fatalf("list: %d %q %q", r.code, r.stdout, r.stderr)
	}
	clips, _ := e.Cache.Clips()
	id := fmt.Sprint(clips[0].ID)
	out := filepath.Join(t.TempDir(), "clip.mp3")
	if r := runWith(t, e, "history", "export", id, out); r.code != 0 {
		t.Fatalf("export: %s", r.stderr)
	}
	if b, _ := os.ReadFile(out); len(b) < 1000 {
		t.Errorf("exported %d bytes", len(b))
	}
	if r := runWith(t, e, "history", "export", id, out); r.code == 0 || !strings.Contains(r.stderr, "--force") {
		t.Errorf("export over an existing file: %d %s", r.code, r.stderr)
	}
	if r := runWith(t, e, "history", "play", id); r.code != 0 {
		t.Errorf("play: %s", r.stderr)
	}
	if r := runWith(t, e, "history", "delete", "nope"); r.code != ExitUsage {
		t.Errorf("bad id: %d", r.code)
	}
	if r := runWith(t, e, "history", "delete", id); r.code != 0 {
		t.Errorf("delete: %s", r.stderr)
	}
	if r := runWith(t, e, "history", "delete", id); r.code != ExitUsage {
		t.Errorf("deleting twice: %d %s", r.code, r.stderr)
	}
	runWith(t, e, "speak", "--provider", "cli-hist", "Another.")
	if r := runWith(t, e, "history", "clear"); r.code != 0 {
		t.Error(r.stderr)
	}
	if r := runWith(t, e, "history", "list"); !strings.Contains(r.stdout, "No clips") {
		t.Errorf("after clear: %q", r.stdout)
	}
}

func TestBarLine(t *testing.T) {
	got := BarLine(core.Progress{Done: 3, Total: 10, Elapsed: 42 * time.Second, Remaining: 70 * time.Second, CacheHits: 2}, 10)
	if got != "[###.......] 3/10 chunks  0:42 elapsed, ~1:10 left, 2 from cache   " {
		t.Errorf("%q", got)
	}
	var b bytes.Buffer
	bar := progressBar(&b)
	bar(core.Progress{Done: 1, Total: 2})
	bar(core.Progress{Done: 2, Total: 2})
	bar(core.Progress{Done: 2, Total: 2})
	if strings.Count(b.String(), "\n") != 1 || !strings.HasPrefix(b.String(), "\r[") {
		t.Errorf("%q", b.String())
	}
}

// --subtitles x.lrc writes synced lyrics: the title of the file read, one
// timed line per sentence, an empty line where the audio ends; an existing
// file is kept unless --force.
func TestSpeakLRCSubtitles(t *testing.T) {
	scripted.Register(t, &scripted.Provider{ID: "cli-lrc"})
	dir := t.TempDir()
	story := filepath.Join(dir, "story.txt")
	os.WriteFile(story, []byte("One little line. And another one."), 0o644)
	lrc := filepath.Join(dir, "story.lrc")
	e := longEngine(t)
	args := []string{"speak", "--provider", "cli-lrc", "--file", story, "--out", filepath.Join(dir, "story.wav"), "--subtitles", lrc}
	if r := runWith(t, e, args...); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(lrc)
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	stamp := regexp.MustCompile(`^\[(\d\d):(\d\d)\.(\d\d)\](.*)$`)
	if len(lines) != 4 || lines[0] != "[ti:story]" {
		t.Fatalf("lrc:\n%s", got)
	}
	var times []int
	for i, want := range []string{"One little line.", "And another one.", ""} {
		m := stamp.FindStringSubmatch(lines[i+1])
		if m == nil || m[4] != want {
			t.Fatalf("line %d is %q, want a time and %q", i+1, lines[i+1], want)
		}
		mm, _ := strconv.Atoi(m[1])
		ss, _ := strconv.Atoi(m[2])
		cs, _ := strconv.Atoi(m[3])
		times = append(times, mm*6000+ss*100+cs)
	}
	if times[0] != 0 || times[1] <= times[0] || times[2] != 50 { // the scripted answer is 0.5 s
		t.Errorf("times %v (hundredths)", times)
	}
	os.WriteFile(lrc, []byte("mine"), 0o644)
	if r := runWith(t, e, append(args[:len(args):len(args)], "--out", filepath.Join(dir, "other.wav"))...); r.code == 0 {
		t.Error("an existing .lrc was replaced without --force")
	}
	if b, _ := os.ReadFile(lrc); string(b) != "mine" {
		t.Errorf("the existing .lrc became %q", b)
	}
	if r := runWith(t, e, append(args, "--force")...); r.code != 0 {
		t.Fatalf("--force: exit %d: %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(lrc); !strings.HasPrefix(string(b), "[ti:story]\n[00:00.00]One little line.\n") {
		t.Errorf("after --force: %q", b)
	}
}
