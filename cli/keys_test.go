package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"chorus/core"
	"chorus/providers"
	"chorus/settings/keys"
	"chorus/settings/keys/keystest"
)

// keysRun runs one command line against the mock keychain and returns the
// exit code and both streams. getenv may be nil.
type keysRun struct {
	t      *testing.T
	env    map[string]string
	stdin  string
	tty    string // when not "", stdin is a terminal and this is what is typed
	secret []string
}

func (r *keysRun) run(args ...string) (int, string, string) {
	r.t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return r.env[k] }
	env := &Env{
		Stdin: strings.NewReader(r.stdin), Stdout: &out, Stderr: &errOut, Getenv: getenv,
		Engine:          &core.Engine{Getenv: getenv},
		StdinIsTerminal: func() bool { return r.tty != "" },
		ReadSecret:      func() (string, error) { return r.tty, nil },
	}
	code := Run(context.Background(), env, args)
	for _, s := range r.secret {
		if strings.Contains(out.String()+errOut.String(), s) {
			r.t.Fatalf("%v printed the key:\nstdout: %s\nstderr: %s", args, out.String(), errOut.String())
		}
	}
	return code, out.String(), errOut.String()
}

func mockKeys(t *testing.T) {
	t.Helper()
	keyring.MockInit()
	old := KeyStore
	KeyStore = func(env *Env) *keys.Store { return keys.New(keys.Options{Getenv: env.Getenv}) }
	t.Cleanup(func() { KeyStore = old })
}

func TestKeysSetFromPipeListTestDelete(t *testing.T) {
	mockKeys(t)
	const key = "sk-cli-pipe-4242"
	fake := keystest.New(t, "fakecli", key, false)
	r := &keysRun{t: t, env: map[string]string{}, stdin: key + "\n", secret: []string{key}}

	code, out, errOut := r.run("keys", "set", "fakecli")
	if code != ExitOK || !strings.Contains(out, "Saved the API key for Fake fakecli") {
		t.Fatalf("set: %d %q %q", code, out, errOut)
	}
	if v, _ := keyring.Get(keys.Service, "fakecli"); v != key {
		t.Fatal("set did not store the trimmed key under service chorus")
	}

	code, out, _ = r.run("keys", "list")
	if code != ExitOK || !strings.Contains(out, "fakecli") || !strings.Contains(out, "in keychain") {
		t.Fatalf("list: %d %q", code, out)
	}
	code, out, _ = r.run("keys", "list", "--json")
	var rows []struct{ ID, Status string }
	if code != ExitOK || json.Unmarshal([]byte(out), &rows) != nil {
		t.Fatalf("list --json: %d %q", code, out)
	}
	found := false
	for _, row := range rows {
		found = found || row.ID == "fakecli" && row.Status == "keychain"
	}
	if !found {
		t.Fatalf("list --json lacks fakecli in keychain: %s", out)
	}

	code, out, errOut = r.run("keys", "test", "fakecli")
	if code != ExitOK || !strings.Contains(out, "The key works") || fake.Accepted() != 1 {
		t.Fatalf("test: %d %q %q", code, out, errOut)
	}

	code, out, _ = r.run("keys", "delete", "fakecli")
	if code != ExitOK || !strings.Contains(out, "Removed the API key") {
		t.Fatalf("delete: %d %q", code, out)
	}
	if _, err := keyring.Get(keys.Service, "fakecli"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatal("delete left the key in the keychain")
	}
	code, out, _ = r.run("keys", "delete", "fakecli")
	if code != ExitOK || !strings.Contains(out, "nothing to remove") {
		t.Fatalf("second delete: %d %q", code, out)
	}
	code, out, errOut = r.run("keys", "test", "fakecli")
	if code != ExitFailure || !strings.Contains(errOut, "no API key") {
		t.Fatalf("test without a key: %d %q %q", code, out, errOut)
	}
}

func TestKeysSetFromTerminal(t *testing.T) {
	mockKeys(t)
	const key = "sk-typed-at-terminal-77"
	keystest.New(t, "faketty", key, true)
	r := &keysRun{t: t, tty: "  " + key + " ", stdin: "must not be read", secret: []string{key}}
	code, out, errOut := r.run("keys", "set", "faketty")
	if code != ExitOK || !strings.Contains(errOut, "input hidden") {
		t.Fatalf("set: %d %q %q", code, out, errOut)
	}
	if v, _ := keyring.Get(keys.Service, "faketty"); v != key {
		t.Fatal("the typed key was not stored")
	}
	code, out, _ = r.run("keys", "test", "faketty")
	if code != ExitOK || !strings.Contains(out, "The key works: Fake faketty accepted it.") {
		t.Fatalf("test with CheckKey: %d %q", code, out)
	}
}

func TestKeysWrongKeyFailsTest(t *testing.T) {
	mockKeys(t)
	keystest.New(t, "fakewrong", "sk-right-1111", false)
	r := &keysRun{t: t, stdin: "sk-wrong-2222", secret: []string{"sk-wrong-2222", "sk-right-1111"}}
	if code, _, _ := r.run("keys", "set", "fakewrong"); code != ExitOK {
		t.Fatal("set failed")
	}
	code, _, errOut := r.run("keys", "test", "fakewrong")
	if code != ExitFailure || !strings.Contains(errOut, "The key was rejected") {
		t.Fatalf("test: %d %q", code, errOut)
	}
}

func TestKeysEnvironment(t *testing.T) {
	mockKeys(t)
	keystest.New(t, "fakeenv", "sk-env-3333", false)
	r := &keysRun{t: t, env: map[string]string{"FAKEENV_API_KEY": "sk-env-3333"}, secret: []string{"sk-env-3333"}}
	code, out, _ := r.run("keys", "list")
	if code != ExitOK || !strings.Contains(out, "from environment (FAKEENV_API_KEY)") {
		t.Fatalf("list: %d %q", code, out)
	}
	if _, err := keyring.Get(keys.Service, "fakeenv"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatal("the environment key was copied into the keychain")
	}
	if code, out, _ := r.run("keys", "test", "fakeenv"); code != ExitOK {
		t.Fatalf("test with the environment key: %d %q", code, out)
	}
	code, out, errOut := r.run("keys", "set", "fakeenv", "--from-env")
	if code != ExitOK || !strings.Contains(out, "Saved") || !strings.Contains(errOut, "FAKEENV_API_KEY is set") {
		t.Fatalf("set --from-env: %d %q %q", code, out, errOut)
	}
	if v, _ := keyring.Get(keys.Service, "fakeenv"); v != "sk-env-3333" {
		t.Fatal("--from-env did not store the key")
	}
}

func TestKeysUsageErrors(t *testing.T) {
	mockKeys(t)
	keystest.New(t, "fakeuse", "sk-x", false)
	providers.Register(providers.Registration{Info: providers.Info{ID: "nokeyprov", Name: "No key"},
		New: func(providers.Config) (providers.Provider, error) { return nil, errors.New("unused") }})
	t.Cleanup(func() { providers.Unregister("nokeyprov") })
	const argvKey = "sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	r := &keysRun{t: t, stdin: "", secret: []string{argvKey}}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"keys"}, ExitUsage, "Usage:"},
		{[]string{"keys", "--help"}, ExitOK, "chorus keys set ID"},
		{[]string{"keys", "set", "--help"}, ExitOK, "Reads the API key from stdin"},
		{[]string{"keys", argvKey}, ExitUsage, "unknown keys command"},
		{[]string{"keys", "set"}, ExitUsage, "needs a provider ID"},
		{[]string{"keys", "set", "fakeuse", argvKey}, ExitUsage, "never from the command line"},
		{[]string{"keys", "set", "fakeuse", "--key=" + argvKey}, ExitUsage, "never from the command line"},
		{[]string{"keys", "set", argvKey}, ExitUsage, "unknown provider;"},
		{[]string{"keys", "set", "nosuch"}, ExitUsage, `unknown provider "nosuch"; providers that take an API key:`},
		{[]string{"keys", "set", "nokeyprov"}, ExitUsage, "needs no API key"},
		{[]string{"keys", "set", "fakeuse"}, ExitUsage, "no key on stdin"},
		{[]string{"keys", "delete", "nosuch"}, ExitUsage, "fakeuse"},
		{[]string{"keys", "test", "nosuch"}, ExitUsage, "fakeuse"},
		{[]string{"keys", "list", "extra"}, ExitUsage, "no arguments"},
		{[]string{"keys", "test", "--bogus"}, ExitUsage, "flag provided but not defined"},
	}
	for _, c := range cases {
		code, out, errOut := r.run(c.args...)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Errorf("%v: exit %d (want %d), output %q %q lacks %q", c.args, code, c.code, out, errOut, c.want)
		}
	}
	for _, bad := range []string{"sk-line\nbreak", "sk-\x00nul", "   \n"} {
		r := &keysRun{t: t, stdin: bad}
		if code, _, errOut := r.run("keys", "set", "fakeuse"); code != ExitUsage {
			t.Errorf("bad key %q: exit %d %q", bad, code, errOut)
		}
	}
	if _, err := keyring.Get(keys.Service, "fakeuse"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatal("a refused key was stored")
	}
}

func TestKeysUnavailableKeychain(t *testing.T) {
	mockKeys(t)
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	keystest.New(t, "fakedown", "sk-down-5555", false)
	r := &keysRun{t: t, stdin: "sk-down-5555", secret: []string{"sk-down-5555"}}
	code, _, errOut := r.run("keys", "set", "fakedown")
	if code != ExitFailure || !strings.Contains(errOut, "no Secret Service is running") || !strings.Contains(errOut, "FAKEDOWN_API_KEY") {
		t.Fatalf("set: %d %q", code, errOut)
	}
	code, out, errOut := r.run("keys", "list")
	if code != ExitFailure || !strings.Contains(out, "keychain unavailable") || !strings.Contains(errOut, "gnome-keyring") {
		t.Fatalf("list: %d %q %q", code, out, errOut)
	}
	code, _, errOut = r.run("keys", "test", "fakedown")
	if code != ExitFailure || !strings.Contains(errOut, "keychain unavailable") {
		t.Fatalf("test: %d %q", code, errOut)
	}
}
