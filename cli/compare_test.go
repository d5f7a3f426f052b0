package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chorus/audio"
	"chorus/compare"
	"chorus/core"
	"chorus/internal/scripted"
	"chorus/player"
	"chorus/providers"
)

// compareFake answers after a short delay; voice "broken" fails.
func compareFake(t *testing.T, id string) *scripted.Provider {
	p := scripted.Register(t, &scripted.Provider{ID: id})
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		if req.Voice == "broken" {
			return nil, &providers.Error{Provider: id, Kind: providers.KindServer, Message: "the server fell over", Hint: "try again later"}
		}
		time.Sleep(10 * time.Millisecond)
		return &providers.Audio{Body: io.NopCloser(bytes.NewReader(scripted.ToneWAV(24000, 0.5, 440))), Encoding: audio.WAV, Requests: 1}, nil
	}
	return p
}

func TestCompareTable(t *testing.T) {
	compareFake(t, "cc-a")
	compareFake(t, "cc-b")
	r := run(t, "", "compare", "Hello there.", "--voice", "cc-a::v1", "--voice", "cc-b:m2:v2")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("table:\n%s", r.stdout)
	}
	for _, h := range []string{"VOICE", "TTFB", "FIRST AUDIO", "TOTAL", "AUDIO", "RTF", "SIZE", "COST"} {
		if !strings.Contains(lines[0], h) {
			t.Errorf("header lacks %s: %s", h, lines[0])
		}
	}
	if !strings.Contains(lines[1], "cc-a · m1 · v1") || !strings.Contains(lines[1], "0.50 s") || !strings.Contains(lines[1], "24.0 KB") || !strings.HasSuffix(lines[1], "ok") {
		t.Errorf("row 1: %q", lines[1])
	}
	if !strings.Contains(lines[2], "cc-b · m2 · v2") {
		t.Errorf("row 2: %q", lines[2])
	}
}

func TestCompareJSONAndVoiceWithColons(t *testing.T) {
	p := compareFake(t, "cc-j")
	r := run(t, "", "compare", "--json", "Hi.", "--voice", "cc-j::v1", "--voice", "cc-j:m2:ns:voice:7", "--speed", "1.5")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rep compare.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if rep.Text != "Hi." || len(rep.Entries) != 2 {
		t.Fatalf("report %+v", rep)
	}
	e := rep.Entries[1]
	if e.Model != "m2" || e.Voice != "ns:voice:7" || e.Speed != 1.5 || e.AudioSeconds < 0.49 || e.TTFBMs <= 0 || e.RTF <= 0 || e.Bytes != 24044 || e.Requests != 1 {
		t.Errorf("entry %+v", e)
	}
	var voices []string
	for _, req := range p.Requests() {
		voices = append(voices, req.Voice)
	}
	if !strings.Contains(strings.Join(voices, ","), "ns:voice:7") {
		t.Errorf("requests %v", voices)
	}
}

func TestCompareOutDirAndPartialFailure(t *testing.T) {
	compareFake(t, "cc-o")
	dir := t.TempDir()
	r := run(t, "", "compare", "Hi.", "--voice", "cc-o::v1", "--voice", "cc-o::broken", "--voice", "cc-o:m2:v2",
		"--out-dir", dir, "--format", "flac")
	if r.code != ExitFailure {
		t.Fatalf("exit %d; want 1 for a partial failure: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "the server fell over") || !strings.Contains(r.stderr, "#2") {
		t.Errorf("stderr does not name the failure: %s", r.stderr)
	}
	if !strings.Contains(r.stdout, "failed") {
		t.Errorf("table does not show the failure:\n%s", r.stdout)
	}
	for _, name := range []string{"cc-o-m1-v1.flac", "cc-o-m2-v2.flac", compare.CSVFile, compare.ReportFile} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 4 {
		t.Errorf("%d files in the folder; want 4", len(ents))
	}
	b, _ := os.ReadFile(filepath.Join(dir, compare.ReportFile))
	var rep compare.Report
	json.Unmarshal(b, &rep)
	if len(rep.Entries) != 3 || rep.Entries[0].File != "cc-o-m1-v1.flac" || rep.Entries[1].Error == "" || rep.Format != "flac" {
		t.Errorf("report %s", b)
	}
	csv, _ := os.ReadFile(filepath.Join(dir, compare.CSVFile))
	if strings.Count(string(csv), "\n") != 4 {
		t.Errorf("csv:\n%s", csv)
	}
	// Again without --force: nothing is replaced, exit 1; with --force it works.
	if r := run(t, "", "compare", "Hi.", "--voice", "cc-o::v1", "--out-dir", dir); r.code != ExitFailure || !strings.Contains(r.stderr, "--force") {
		t.Errorf("existing files: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, "", "compare", "Hi.", "--voice", "cc-o::v1", "--out-dir", dir, "--force"); r.code != ExitOK {
		t.Errorf("--force: exit %d %s", r.code, r.stderr)
	}
}

func TestCompareUsageErrors(t *testing.T) {
	compareFake(t, "cc-u")
	file := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(file, []byte("x"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"compare", "Hi."}, "no voices"},
		{[]string{"compare", "--voice", "cc-u::v1"}, "no text"},
		{[]string{"compare", "Hi.", "--voice", "cc-u:v1"}, "PROVIDER:MODEL:VOICE"},
		{[]string{"compare", "Hi.", "--voice", "nope::v1"}, "unknown provider"},
		{[]string{"compare", "Hi.", "--voice", "cc-u::v1", "--speed", "9"}, "speed"},
		{[]string{"compare", "Hi.", "--voice", "cc-u::v1", "--format", "xyz"}, "cannot write"},
		{[]string{"compare", "Hi.", "--voice", "cc-u::v1", "--out-dir", file}, "is a file, not a folder"},
		{[]string{"compare", "a", "b", "--voice", "cc-u::v1"}, "one argument"},
	} {
		r := run(t, "", c.args...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

func TestComparePlay(t *testing.T) {
	compareFake(t, "cc-p")
	sink := player.NewMemorySink(player.DeviceFormat)
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" },
		Engine: &core.Engine{OpenSink: func() (player.Sink, error) { return sink, nil }, Getenv: func(string) string { return "" }}}
	code := Run(context.Background(), env, []string{"compare", "Hi.", "--voice", "cc-p::v1", "--voice", "cc-p::v2", "--play", "--gap", "20ms"})
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if strings.Count(errb.String(), "playing #") != 2 {
		t.Errorf("stderr: %s", errb.String())
	}
	// Two half-second clips at the device's 48 kHz stereo.
	if n := len(sink.Samples()); n < 2*48000 || n > 2*48000+4000 {
		t.Errorf("played %d samples", n)
	}
}

func TestCompareRefusesSpeedZero(t *testing.T) {
	p := compareFake(t, "cc-speed0")
	r := run(t, "", "compare", "Hello there.", "--voice", "cc-speed0::v1", "--speed", "0")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "0.5 to 2") {
		t.Errorf("--speed 0: exit %d, %q; want 2 naming the range", r.code, r.stderr)
	}
	if n := len(p.Requests()); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

func TestCompareOutDirIsCreatedWithItsParents(t *testing.T) {
	compareFake(t, "cc-mk")
	dir := filepath.Join(t.TempDir(), "new", "nested", "out")
	r := run(t, "", "compare", "Hi.", "--voice", "cc-mk::v1", "--out-dir", dir)
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, name := range []string{"cc-mk-m1-v1.wav", compare.CSVFile, compare.ReportFile} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCompareJSONCountsTheRequestOfAFailedEntry(t *testing.T) {
	compareFake(t, "cc-fr")
	r := run(t, "", "compare", "--json", "Hi.", "--voice", "cc-fr::v1", "--voice", "cc-fr::broken")
	if r.code != ExitFailure {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rep compare.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if len(rep.Entries) != 2 || rep.Entries[1].Error == "" || rep.Entries[1].Requests != 1 {
		t.Errorf("failed entry %+v; want the error and 1 request", rep.Entries[1])
	}
}
