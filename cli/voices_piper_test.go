package cli

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A catalog server with one stand-in voice (a tiny file shaped like an ONNX
// model and a Piper configuration).
func voiceCatalog(t *testing.T) {
	model := append([]byte{0x08, 0x07}, make([]byte, 50_000)...)
	cfg := []byte(`{"audio":{"sample_rate":22050},"espeak":{"voice":"en-gb"},"language":{"name_english":"English"},"num_speakers":1,"phoneme_id_map":{"_":[0]}}`)
	sum := func(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/c.json":
			fmt.Fprintf(w, `{"voices":[{"id":"xx_XX-test-low","name":"Test","language":"en-GB","quality":"low","license":"CC0","attribution":"Tester",`+
				`"files":[{"name":"model.onnx","url":"m.onnx","size":%d,"md5":%q},{"name":"model.onnx.json","url":"m.json","size":%d,"md5":%q}]}]}`,
				len(model), sum(model), len(cfg), sum(cfg))
		case "/m.onnx":
			w.Write(model)
		case "/m.json":
			w.Write(cfg)
		}
	}))
	t.Cleanup(srv.Close)
	t.Setenv("CHORUS_VOICE_CATALOG", srv.URL+"/c.json")
	t.Setenv("CHORUS_VOICES_DIR", t.TempDir())
}

func TestVoicesInstallAvailableRemove(t *testing.T) {
	voiceCatalog(t)
	r := run(t, "", "voices", "--available")
	if r.code != 0 || !strings.Contains(r.stdout, "xx_XX-test-low") || strings.Contains(r.stdout, "yes") {
		t.Fatalf("available before install: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = run(t, "", "voices", "install", "xx_XX-test-low")
	if r.code != 0 || !strings.Contains(r.stdout, "credit: Tester") || !strings.Contains(r.stderr, "0.1 MB of 0.1 MB") {
		t.Fatalf("install: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("CHORUS_VOICES_DIR"), "xx_XX-test-low", "tokens.txt")); err != nil {
		t.Error(err)
	}
	r = run(t, "", "voices", "--available")
	if !strings.Contains(r.stdout, "yes") || !strings.Contains(r.stdout, "0.1 MB") {
		t.Errorf("available after install: %q", r.stdout)
	}
	if r = run(t, "", "voices", "install", "nope"); r.code != ExitUsage || !strings.Contains(r.stderr, "xx_XX-test-low") {
		t.Errorf("unknown voice: %d %q", r.code, r.stderr)
	}
	if r = run(t, "", "voices", "remove", "xx_XX-test-low"); r.code != 0 {
		t.Errorf("remove: %d %q", r.code, r.stderr)
	}
	if r = run(t, "", "voices", "remove", "xx_XX-test-low"); r.code != ExitUsage || !strings.Contains(r.stderr, "not installed") {
		t.Errorf("remove again: %d %q", r.code, r.stderr)
	}
	if r = run(t, "", "voices", "install"); r.code != ExitUsage {
		t.Errorf("install nothing: %d", r.code)
	}
}
