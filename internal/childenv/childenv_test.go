package childenv

import (
	"os/exec"
	"strings"
	"testing"
)

func TestEnvironDropsSecrets(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-test-leak")
	t.Setenv("FISH_API_KEY", "fish-leak")
	t.Setenv("GITHUB_TOKEN", "ghp-leak")
	t.Setenv("CHORUS_KEEP_ME", "kept")
	env := Environ()
	joined := strings.Join(env, "\n")
	for _, leak := range []string{"sk-test-leak", "fish-leak", "ghp-leak"} {
		if strings.Contains(joined, leak) {
			t.Errorf("Environ() still holds %q", leak)
		}
	}
	if !strings.Contains(joined, "CHORUS_KEEP_ME=kept") {
		t.Errorf("Environ() dropped an ordinary variable")
	}
	if !strings.Contains(joined, "PATH=") {
		t.Errorf("Environ() dropped PATH")
	}
}

// A real child process sees no key.
func TestChildSeesNoKey(t *testing.T) {
	t.Setenv("ELEVENLABS_API_KEY", "xi-leak")
	cmd := exec.Command("env")
	cmd.Env = Environ()
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "xi-leak") || strings.Contains(string(out), "ELEVENLABS_API_KEY") {
		t.Fatalf("child environment holds the key:\n%s", out)
	}
	if !strings.Contains(string(out), "PATH=") {
		t.Fatalf("child environment lost PATH:\n%s", out)
	}
}
