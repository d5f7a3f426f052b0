package local

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chorus/providers"
)

// espeak-ng never sees an API key of the parent: a stand-in program records
// the environment it was started with, for --voices and for synthesis.
func TestEspeakGetsNoKeys(t *testing.T) {
	dir := t.TempDir()
	dump := filepath.Join(dir, "env")
	script := filepath.Join(dir, "espeak-ng")
	body := `#!/bin/sh
env >> "$CHORUS_TEST_ENV_DUMP"
if [ "$1" = "--voices" ]; then
  echo "Pty Language       Age/Gender VoiceName          File                 Other Languages"
  echo " 5  en-us           --/M      English_(America)  gmw/en-US"
  exit 0
fi
cat >/dev/null
printf 'RIFF\044\000\000\000WAVEfmt \020\000\000\000\001\000\001\000\042\126\000\000\104\254\000\000\002\000\020\000data\000\000\000\000'
`
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	old := Program
	Program = script
	defer func() { Program = old }()
	t.Setenv("CHORUS_TEST_ENV_DUMP", dump)
	t.Setenv("OPENAI_API_KEY", "sk-parent-secret")
	t.Setenv("FISHAUDIO_API_KEY", "fish-parent-secret")

	e := &Engine{}
	if _, err := e.Voices(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	a, err := providers.Checked(e).Synthesize(context.Background(), providers.Request{Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, a.Body)
	a.Body.Close()

	got, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(got), "CHORUS_TEST_ENV_DUMP="); n != 2 {
		t.Fatalf("the stand-in ran %d times, want 2", n)
	}
	for _, leak := range []string{"sk-parent-secret", "fish-parent-secret", "_API_KEY="} {
		if strings.Contains(string(got), leak) {
			t.Errorf("espeak-ng saw %q in its environment", leak)
		}
	}
	if !strings.Contains(string(got), "PATH=") {
		t.Error("espeak-ng lost PATH")
	}
}
