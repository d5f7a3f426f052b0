package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/providers/providertest"
)

// outcomeServer is an OpenAI-compatible fake that answers each request with
// the fixture of the requested response_format, or with what mode says.
type outcomeServer struct {
	*httptest.Server
	requests atomic.Int32
	mode     atomic.Value // "", "garbage" (valid start, then garbage), "json" (a 200 JSON body)
}

func newOutcomeServer(t *testing.T) *outcomeServer {
	s := &outcomeServer{}
	s.mode.Store("")
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		var body struct {
			Format string `json:"response_format"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		data := providertest.Fixture(audio.Encoding(body.Format))
		switch s.mode.Load() {
		case "garbage":
			data = append(append([]byte(nil), data[:len(data)/4]...), bytes.Repeat([]byte("garbage!\x13\x99"), 3000)...)
		case "json":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"status":"ok","message":"quota exhausted for today"}`))
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s
}

// run runs the binary against the fake; extraEnv is appended last.
func (s *outcomeServer) run(t *testing.T, extraEnv []string, args ...string) (string, int) {
	t.Helper()
	all := append([]string{"speak", "--provider", "openai", "--base-url", s.URL + "/v1", "--model", "tts-1", "--voice", "nova", "--no-cache"}, args...)
	cmd := exec.Command(binary, all...)
	cmd.Env = append(append(os.Environ(), "OPENAI_API_KEY=sk-e2e-outcomes-0123456789", "XDG_CACHE_HOME="+t.TempDir()), extraEnv...)
	b, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return string(b), cmd.ProcessState.ExitCode()
}

// The saved file is what its extension says: other formats are converted.
func TestOutExtensionNamesTheFormat(t *testing.T) {
	s := newOutcomeServer(t)
	dir := t.TempDir()
	for _, format := range []string{"mp3", "pcm", "flac"} {
		out := filepath.Join(dir, format+".wav")
		if msg, code := s.run(t, nil, "--format", format, "--out", out, "Hello."); code != 0 {
			t.Fatalf("--format %s --out %s: exit %d: %s", format, out, code, msg)
		}
		data, _ := os.ReadFile(out)
		if enc, ok := codec.Sniff(data); !ok || enc != audio.WAV {
			t.Fatalf("--format %s into .wav wrote %q… (% x)", format, enc, data[:min(len(data), 12)])
		}
		if n, err := codec.Verify(bytes.NewReader(data), audio.WAV, audio.Format{}); err != nil || n == 0 {
			t.Fatalf("%s.wav does not play: %d samples, %v", format, n, err)
		}
	}
	out := filepath.Join(dir, "w.mp3")
	if msg, code := s.run(t, nil, "--format", "wav", "--out", out, "Hello."); code != 0 {
		t.Fatalf("wav into .mp3: exit %d: %s", code, msg)
	}
	if data, _ := os.ReadFile(out); !bytes.HasPrefix(data, []byte{0xFF}) && !bytes.HasPrefix(data, []byte("ID3")) {
		t.Fatalf("wav into .mp3 wrote % x", data[:min(len(data), 8)])
	}
}

// Unusable targets are refused with exit 2 before any request.
func TestOutRefusedBeforeAnyRequest(t *testing.T) {
	s := newOutcomeServer(t)
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("Keep this text."), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", dir, "Hello."}, "is a folder"},
		{[]string{"--out", dir, "--force", "Hello."}, "is a folder"},
		{[]string{"--file", notes, "--out", notes, "--force"}, "input file"},
		{[]string{"--out", filepath.Join(dir, "x.txt"), "Hello."}, ".wav"},
		{[]string{"--out", filepath.Join(dir, "nope", "x.wav"), "Hello."}, "does not exist"},
	} {
		msg, code := s.run(t, nil, c.args...)
		if code != 2 || !strings.Contains(msg, c.want) {
			t.Errorf("%v: exit %d %q; want 2 with %q", c.args, code, msg, c.want)
		}
	}
	if n := s.requests.Load(); n != 0 {
		t.Errorf("%d requests were sent for refused targets", n)
	}
	if b, _ := os.ReadFile(notes); string(b) != "Keep this text." {
		t.Errorf("the input file was changed: %q", b)
	}
}

// Corrupt audio and a 200 of JSON are failures that leave nothing behind.
func TestCorruptAudioIsNotSaved(t *testing.T) {
	s := newOutcomeServer(t)
	dir := t.TempDir()
	s.mode.Store("garbage")
	for _, c := range []struct{ format, out string }{{"mp3", "g.mp3"}, {"flac", "g.flac"}, {"mp3", "g.wav"}, {"flac", "h.wav"}} {
		msg, code := s.run(t, nil, "--format", c.format, "--out", filepath.Join(dir, c.out), "Hello.")
		if code != 1 || strings.Contains(msg, "saved") {
			t.Errorf("corrupt %s into %s: exit %d %q; want 1", c.format, c.out, code, msg)
		}
	}
	s.mode.Store("json")
	msg, code := s.run(t, nil, "--format", "pcm", "--out", filepath.Join(dir, "j.pcm"), "Hello.")
	if code != 1 || !strings.Contains(msg, "quota exhausted") {
		t.Errorf("JSON 200 as PCM: exit %d %q", code, msg)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

// AAC without ffmpeg: saved as it came when only exporting; when playing,
// a plain message, never a cut stream.
func TestAACWithoutFFmpeg(t *testing.T) {
	s := newOutcomeServer(t)
	noFFmpeg := []string{"PATH=" + t.TempDir()}
	out := filepath.Join(t.TempDir(), "a.aac")
	if msg, code := s.run(t, noFFmpeg, "--format", "aac", "--out", out, "Hello."); code != 0 {
		t.Fatalf("AAC export without ffmpeg: exit %d: %s", code, msg)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, providertest.Fixture(audio.AAC)) {
		t.Error("the AAC file is not the provider's bytes")
	}
	msg, code := s.run(t, noFFmpeg, "--format", "aac", "--play", "Hello.")
	if code != 1 || strings.Contains(msg, "stream cut") || !strings.Contains(msg, "cannot be played") && !strings.Contains(msg, "no audio output") {
		t.Errorf("AAC playback without ffmpeg: exit %d %q", code, msg)
	}
}

// A damaged cache index is set aside and rebuilt: `history list` works, and
// the user is told once.
func TestHistoryListAfterDamagedIndex(t *testing.T) {
	cacheHome := t.TempDir()
	os.MkdirAll(filepath.Join(cacheHome, "chorus"), 0o700)
	os.WriteFile(filepath.Join(cacheHome, "chorus", "index.db"), bytes.Repeat([]byte("damaged index "), 3000), 0o600)
	env := append(os.Environ(), "XDG_CACHE_HOME="+cacheHome)
	for i, wantNotice := range []bool{true, false} {
		cmd := exec.Command(binary, "history", "list")
		cmd.Env = env
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("run %d: history list: %v\n%s", i+1, err, b)
		}
		if got := strings.Contains(string(b), "set aside"); got != wantNotice {
			t.Errorf("run %d: notice shown=%v: %s", i+1, got, b)
		}
	}
	aside, _ := filepath.Glob(filepath.Join(cacheHome, "chorus", "index.db.damaged-*"))
	if len(aside) != 1 {
		t.Errorf("damaged index kept as %v", aside)
	}
}
