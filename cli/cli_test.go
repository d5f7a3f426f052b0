package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chorus/audio"
	"chorus/core"
	"chorus/internal/scripted"
	"chorus/player"
	"chorus/providers"
	_ "chorus/providers/local"
)

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	sink := player.NewMemorySink(player.DeviceFormat)
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" },
		Engine: &core.Engine{OpenSink: func() (player.Sink, error) { return sink, nil }, Getenv: func(string) string { return "" }}}
	code := Run(context.Background(), env, args)
	return result{code, out.String(), errb.String()}
}

func TestSpeakFlagsAnywhereAndStats(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "cli-s"})
	r := run(t, "", "speak", "--provider", "cli-s", "Hello there", "--speed", "1.5", "--stats", "--voice", "v2")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	req := p.Requests()[0]
	if req.Text != "Hello there" || req.Speed != 1.5 || req.Voice != "v2" {
		t.Errorf("request %+v", req)
	}
	var st map[string]float64
	line := strings.TrimSpace(r.stderr)
	if err := json.Unmarshal([]byte(line), &st); err != nil {
		t.Fatalf("stats line %q: %v", line, err)
	}
	for _, k := range []string{"ttfb_ms", "first_audio_ms", "total_ms", "audio_seconds", "bytes", "requests"} {
		if _, ok := st[k]; !ok {
			t.Errorf("stats lack %s: %s", k, line)
		}
	}
	if st["audio_seconds"] < 0.49 || st["requests"] != 1 {
		t.Errorf("stats %v", st)
	}
}

func TestSpeakTextSources(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "cli-src"})
	if r := run(t, "from stdin\n", "speak", "--provider", "cli-src", "-"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	f := filepath.Join(t.TempDir(), "t.txt")
	os.WriteFile(f, []byte("from a file"), 0o644)
	if r := run(t, "", "speak", "--provider", "cli-src", "--file", f); r.code != 0 {
		t.Fatal(r.stderr)
	}
	reqs := p.Requests()
	if reqs[0].Text != "from stdin\n" || reqs[1].Text != "from a file" {
		t.Errorf("texts %q %q", reqs[0].Text, reqs[1].Text)
	}
}

func TestExitCodes(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "cli-x"})
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		if req.Voice == "cut" {
			body := append(scripted.WAVHeader(24000, 0xFFFFFFFF), 1, 2, 3)
			return &providers.Audio{Body: io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{})), Encoding: audio.WAV}, nil
		}
		return nil, &providers.Error{Provider: "cli-x", Kind: providers.KindAuth, Status: 401, Message: "bad key", Hint: "check the key"}
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"speak", "--provider", "cli-x"}, 2, "no text"},
		{[]string{"speak", "--provider", "cli-x", ""}, 2, "empty"},
		{[]string{"speak", "--provider", "nope", "hi"}, 2, "unknown provider"},
		{[]string{"speak", "--provider", "cli-x", "--speed", "7", "hi"}, 2, "0.5 to 2"},
		{[]string{"speak", "--provider", "cli-x", "--format", "ogg", "hi"}, 2, "allowed: wav, pcm"},
		{[]string{"speak", "--provider", "cli-x", "--bogus", "hi"}, 2, "flag provided but not defined"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"speak", "--provider", "cli-x", "hi"}, 1, "HTTP 401"},
		{[]string{"speak", "--provider", "cli-x", "--voice", "cut", "hi"}, 1, "stream cut"},
		{[]string{"speak", "--provider", "local", "--voice", "zz-none", "hi"}, 2, "zz-none"},
	}
	for _, c := range cases {
		r := run(t, "", c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d containing %q", c.args, r.code, r.stderr, c.code, c.want)
		}
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestOutRefusesOverwrite(t *testing.T) {
	scripted.Register(t, &scripted.Provider{ID: "cli-o"})
	out := filepath.Join(t.TempDir(), "a.wav")
	if r := run(t, "", "speak", "--provider", "cli-o", "hi", "--out", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := run(t, "", "speak", "--provider", "cli-o", "hi", "--out", out)
	if r.code != 2 || !strings.Contains(r.stderr, "--force") {
		t.Errorf("second write: exit %d %q", r.code, r.stderr)
	}
	if r := run(t, "", "speak", "--provider", "cli-o", "hi", "--out", out, "--force"); r.code != 0 {
		t.Errorf("--force: %s", r.stderr)
	}
}

func TestVoicesAndModels(t *testing.T) {
	r := run(t, "", "voices", "--provider", "local", "--json")
	var voices []providers.Voice
	if err := json.Unmarshal([]byte(r.stdout), &voices); err != nil || r.code != 0 {
		t.Fatalf("voices --json: %v %s", err, r.stderr)
	}
	if len(voices) < 50 {
		t.Errorf("%d voices", len(voices))
	}
	r = run(t, "", "voices", "--provider", "local", "--search", "english")
	if r.code != 0 || !strings.Contains(r.stdout, "en-us") || strings.Contains(r.stdout, "Afrikaans") {
		t.Errorf("voices --search english:\n%s", r.stdout)
	}
	r = run(t, "", "models", "--provider", "local")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "espeak-ng" {
		t.Errorf("models: %q", r.stdout)
	}
	r = run(t, "", "providers")
	if r.code != 0 || !strings.Contains(r.stdout, "local") {
		t.Errorf("providers: %q", r.stdout)
	}
}

func TestSpeakStripsControlCharactersAndSaysSo(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "cli-ctl"})
	r := run(t, "", "speak", "--provider", "cli-ctl", "Hel\x00lo\x07 there")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if got := p.Requests()[0].Text; got != "Hello there" {
		t.Errorf("sent %q", got)
	}
	if !strings.Contains(r.stderr, "removed 2 control characters") {
		t.Errorf("stderr %q does not say how many control characters were removed", r.stderr)
	}
}

func TestSpeakRefusesSpeedZero(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "cli-speed0"})
	for _, v := range []string{"0", "-1", "3"} {
		r := run(t, "", "speak", "--provider", "cli-speed0", "--speed", v, "Hello")
		if r.code != 2 || !strings.Contains(r.stderr, "0.5 to 2") {
			t.Errorf("--speed %s: exit %d, %q; want 2 naming the range 0.5 to 2", v, r.code, r.stderr)
		}
	}
	if n := len(p.Requests()); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
	if r := run(t, "", "speak", "--provider", "cli-speed0", "Hello"); r.code != 0 {
		t.Errorf("without --speed: exit %d, %s", r.code, r.stderr)
	}
}

func TestSpeakLargeJobNeedsYes(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "cli-large", Caps: providers.Capabilities{
		Formats: []string{"wav"}, Speed: providers.Range{Min: 0.5, Max: 2, Default: 1}, MaxChars: 4000,
	}})
	text := strings.Repeat("A short sentence here. ", 5000) // 115,000 characters
	file := filepath.Join(t.TempDir(), "big.txt")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "big.wav")
	chunks, err := core.SplitText(text, 4000)
	if err != nil {
		t.Fatal(err)
	}
	requests := fmt.Sprintf("%d requests", len(chunks))
	r := run(t, "", "speak", "--provider", "cli-large", "--file", file, "--out", out)
	if r.code != ExitUsage {
		t.Fatalf("without --yes: exit %d, want 2: %s", r.code, r.stderr)
	}
	for _, want := range []string{"115,000 characters", requests, "cost unknown", "2 h 7 min of speech", "add --yes to go ahead"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, r.stderr)
		}
	}
	if n := len(p.Requests()); n != 0 {
		t.Errorf("%d requests were sent without --yes", n)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a file was written without --yes")
	}
	r = run(t, "", "speak", "--provider", "cli-large", "--file", file, "--out", out, "--yes")
	if r.code != 0 || len(p.Requests()) != len(chunks) {
		t.Errorf("with --yes: exit %d, %d requests: %s", r.code, len(p.Requests()), r.stderr)
	}
	// A small job needs no --yes.
	if r := run(t, "", "speak", "--provider", "cli-large", "Hello there."); r.code != 0 {
		t.Errorf("small job: exit %d: %s", r.code, r.stderr)
	}
}

func TestVoicesPreview(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "cli-prev"})
	r := run(t, "", "voices", "--provider", "cli-prev", "--preview", "v2")
	if r.code != 0 || !strings.Contains(r.stderr, "played a line spoken in v2") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	reqs := p.Requests()
	if len(reqs) != 1 || reqs[0].Voice != "v2" || reqs[0].Text != core.PreviewLine {
		t.Errorf("requests %+v", reqs)
	}
	if r.stdout != "" {
		t.Errorf("a preview also listed voices: %q", r.stdout)
	}
}
