package local

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"chorus/providers/providertest"
)

// The local engine passes the contract every provider does, with the real
// espeak-ng. A stand-in on PATH logs each synthesis and hands over to the
// real program, so the suite can see that refused requests start none.
func TestContract(t *testing.T) {
	real, err := exec.LookPath("espeak-ng")
	if err != nil {
		t.Fatalf("the contract runs the real espeak-ng, which is not installed: %v", err)
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "runs")
	script := filepath.Join(dir, "espeak-ng")
	body := "#!/bin/sh\ncase \" $* \" in *\" --stdin \"*) echo run >> '" + log + "';; esac\nexec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	old := Program
	Program = script
	defer func() { Program = old }()
	runs := func() int {
		b, _ := os.ReadFile(log)
		return strings.Count(string(b), "run\n")
	}
	providertest.Contract(t, providertest.ContractHarness{Provider: &Engine{}, Voice: "en-us", Work: runs})
	if runs() == 0 {
		t.Error("no synthesis went through the stand-in, so the Validation checks saw nothing")
	}
}
