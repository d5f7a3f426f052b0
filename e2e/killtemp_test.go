package e2e

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"chorus/audio"
	"chorus/providers/providertest"
)

// A CLI export killed with SIGKILL leaves its temporary file; the next save
// of the same target removes it, says so, and leaves only the finished file.
func TestKilledExportTemporaryIsCleanedUp(t *testing.T) {
	const key = "sk-e2e-killtemp-0123456789"
	wav := providertest.Fixture(audio.WAV)
	var calls atomic.Int32
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "audio/wav")
		if calls.Add(1) == 1 {
			// The first run gets half the audio, then the server stalls.
			w.Write(wav[:len(wav)/2])
			w.(http.Flusher).Flush()
			started <- struct{}{}
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.Write(wav)
	}))
	defer srv.Close()
	defer close(release)

	dir := t.TempDir()
	out := filepath.Join(dir, "speech.wav")
	env := append(os.Environ(), "OPENAI_API_KEY="+key, "XDG_CACHE_HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
	args := []string{"speak", "--provider", "openai", "--base-url", srv.URL + "/v1", "--model", "tts-1", "--voice", "nova", "--out", out, "--no-cache", "Hello, killed export."}

	first := exec.Command(binary, args...)
	first.Env = env
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(60 * time.Second):
		first.Process.Kill()
		t.Fatal("the first run never reached the server")
	}
	var parts []string
	for range 200 {
		parts, _ = filepath.Glob(filepath.Join(dir, ".speech.wav.*.part"))
		if len(parts) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := first.Process.Kill(); err != nil { // SIGKILL: no cleanup can run
		t.Fatal(err)
	}
	first.Wait()
	parts, _ = filepath.Glob(filepath.Join(dir, ".speech.wav.*.part"))
	if len(parts) != 1 {
		t.Fatalf("after kill -9: temporaries %v; want the one the killed run left", parts)
	}
	if !strings.Contains(filepath.Base(parts[0]), ".speech.wav."+strconv.Itoa(first.Process.Pid)+"-") {
		t.Errorf("temporary %s does not carry the killed run's PID %d", parts[0], first.Process.Pid)
	}

	second := exec.Command(binary, args...)
	second.Env = env
	b, err := second.CombinedOutput()
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, b)
	}
	if !strings.Contains(string(b), "removed 1 temporary file") {
		t.Errorf("second run did not say it cleaned up: %s", b)
	}
	names, _ := os.ReadDir(dir)
	if len(names) != 1 || names[0].Name() != "speech.wav" {
		var got []string
		for _, n := range names {
			got = append(got, n.Name())
		}
		t.Fatalf("folder holds %v; want only speech.wav", got)
	}
	if got, _ := os.ReadFile(out); string(got) != string(wav) {
		t.Error("speech.wav is not the server's audio")
	}
}
