package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := Run(t.Context(), env, args)
	return out.String() + errb.String(), code
}

func TestHelpListsEveryCommand(t *testing.T) {
	out, code := runCLI(t, "--help")
	if code != ExitOK {
		t.Fatalf("--help exit %d", code)
	}
	for name := range commands {
		if !strings.Contains(out, "  "+name+" ") {
			t.Errorf("--help does not list %q:\n%s", name, out)
		}
	}
}

func TestVersionNamesChorusGoAndFyne(t *testing.T) {
	Version = "9.8.7"
	out, code := runCLI(t, "--version")
	if code != ExitOK || !strings.HasPrefix(out, "chorus 9.8.7\n") ||
		!strings.Contains(out, "\ncommit: ") || !strings.Contains(out, "\ngo: go1.") || !strings.Contains(out, "\nfyne: ") {
		t.Fatalf("--version = %d %q", code, out)
	}
}

func TestCompletionUnknownShellIsUsageError(t *testing.T) {
	if out, code := runCLI(t, "completion", "tcsh"); code != ExitUsage || !strings.Contains(out, "bash, zsh or fish") {
		t.Fatalf("completion tcsh = %d %q", code, out)
	}
}

// TestBashCompletionCompletes sources the generated script in a real bash
// and asks it to complete a command and one of speak's flags.
func TestBashCompletionCompletes(t *testing.T) {
	script, code := runCLI(t, "completion", "bash")
	if code != ExitOK {
		t.Fatalf("completion bash exit %d", code)
	}
	path := filepath.Join(t.TempDir(), "chorus.bash")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	complete := func(words ...string) string {
		t.Helper()
		prog := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); _chorus; printf '%s\n' "${COMPREPLY[@]}"`
		out, err := exec.Command("bash", append([]string{"-c", prog, "bash", path}, words...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		return string(out)
	}
	if got := complete("chorus", "spe"); got != "speak\n" {
		t.Errorf("chorus spe<TAB> = %q, want speak", got)
	}
	if got := complete("chorus", "speak", "--provi"); got != "--provider\n" {
		t.Errorf("chorus speak --provi<TAB> = %q, want --provider", got)
	}
}

// TestZshAndFishCompletionsParse checks the other shells' scripts with the
// shells themselves when they are installed, and their content always.
func TestZshAndFishCompletionsParse(t *testing.T) {
	for _, sh := range []string{"zsh", "fish"} {
		script, code := runCLI(t, "completion", sh)
		if code != ExitOK || !strings.Contains(script, "speak") || !strings.Contains(script, "provider") {
			t.Fatalf("completion %s = %d %q", sh, code, script)
		}
		if _, err := exec.LookPath(sh); err != nil {
			t.Logf("%s is not installed; its script's syntax is not checked", sh)
			continue
		}
		path := filepath.Join(t.TempDir(), "c."+sh)
		os.WriteFile(path, []byte(script), 0o644)
		if out, err := exec.Command(sh, "-n", path).CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", sh, err, out)
		}
	}
}

// TestManPageRendersEveryCommand renders the page with groff and checks that
// every command and one of speak's flags are in it, with no roff warnings.
func TestManPageRendersEveryCommand(t *testing.T) {
	page, code := runCLI(t, "man")
	if code != ExitOK {
		t.Fatalf("man exit %d", code)
	}
	if _, err := exec.LookPath("groff"); err != nil {
		t.Fatal("groff is needed to check the man page (Debian package groff-base)")
	}
	cmd := exec.Command("groff", "-man", "-Tutf8", "-ww")
	cmd.Stdin = strings.NewReader(page)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	text, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("groff: %v\n%s", err, stderr.String())
	}
	plain := strings.NewReplacer("‐", "-", "−", "-").Replace(stripOverstrike(string(text)))
	for name := range commands {
		if !strings.Contains(plain, name) {
			t.Errorf("man page lacks %q", name)
		}
	}
	if !strings.Contains(plain, "--provider") {
		t.Errorf("man page lacks speak's --provider:\n%s", plain)
	}
}

// stripOverstrike removes groff's bold/underline backspace sequences.
func stripOverstrike(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i := 0; i < len(r); i++ {
		if i+1 < len(r) && r[i+1] == '\b' {
			i++
			continue
		}
		b.WriteRune(r[i])
	}
	return b.String()
}

func TestSpeakHelpNamesTheAudiobookFlags(t *testing.T) {
	out, code := runCLI(t, "speak", "--help")
	if code != ExitOK {
		t.Fatalf("speak --help exit %d:\n%s", code, out)
	}
	for _, want := range []string{"-voice NAME", "--chapters --out-dir", "chorus speak --chapters --help"} {
		if !strings.Contains(out, want) {
			t.Errorf("speak --help lacks %q:\n%s", want, out)
		}
	}
	book, code := runCLI(t, "speak", "--chapters", "--help")
	if code != ExitOK || !strings.Contains(book, "-loudness") || !strings.Contains(book, "-cast") {
		t.Errorf("speak --chapters --help (exit %d) does not list the book flags:\n%s", code, book)
	}
}
