package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"chorus/audio"
	"chorus/providers/providertest"
)

// The real binary speaks to any server that follows OpenAI's contract, with
// the key from the environment, and maps its errors to exit codes.
func TestBinaryAgainstOpenAICompatibleServer(t *testing.T) {
	const key = "sk-e2e-0123456789abcdef"
	var seen []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/speech" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+key {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"message":"Incorrect API key provided: ` + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") + `","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`))
			return
		}
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		seen = append(seen, body)
		w.Header().Set("Content-Type", "audio/wav")
		w.Write(providertest.Fixture(audio.WAV))
	}))
	defer srv.Close()

	out := filepath.Join(t.TempDir(), "remote.wav")
	cmd := exec.Command(binary, "speak", "--provider", "openai", "--base-url", srv.URL+"/v1", "--model", "tts-1",
		"--voice", "nova", "--speed", "1.25", "--out", out, "--no-cache", "Hello from the contract.")
	cmd.Env = append(os.Environ(), "OPENAI_API_KEY="+key)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	got, _ := os.ReadFile(out)
	if string(got) != string(providertest.Fixture(audio.WAV)) {
		t.Error("the saved file is not the server's bytes")
	}
	if len(seen) != 1 || seen[0]["input"] != "Hello from the contract." || seen[0]["voice"] != "nova" ||
		seen[0]["response_format"] != "wav" || seen[0]["speed"] != 1.25 || seen[0]["model"] != "tts-1" {
		t.Errorf("request body %v", seen)
	}

	// A wrong key: exit 1, a clear message, and the key never echoed.
	bad := "sk-wrong-key-that-must-not-show"
	cmd = exec.Command(binary, "speak", "--provider", "openai", "--base-url", srv.URL+"/v1", "--out", filepath.Join(t.TempDir(), "x.wav"), "--no-cache", "Hi")
	cmd.Env = append(os.Environ(), "OPENAI_API_KEY="+bad)
	b, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(b), "401") || strings.Contains(string(b), bad) {
		t.Errorf("wrong key: exit %d, output %q", cmd.ProcessState.ExitCode(), b)
	}
}
