package settingswin

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/zalando/go-keyring"

	"chorus/cli"
	"chorus/core"
	"chorus/settings/keys"
	"chorus/settings/keys/keystest"
)

// lockedBuffer is a log sink safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestNoKeyLeaks runs a full set-use-remove flow through the Settings panel
// and the CLI with a recognisable key, then looks for it in every file under
// the temporary home and config folders (including the app's preferences),
// in everything logged, in the CLI's output and in the rendered window.
func TestNoKeyLeaks(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "TMPDIR"} {
		dir := filepath.Join(root, strings.ToLower(v))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		t.Setenv(v, dir)
	}
	logs := &lockedBuffer{}
	log.SetOutput(logs)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })

	nonce := make([]byte, 12)
	rand.Read(nonce)
	canary := hex.EncodeToString(nonce)
	key := "sk-LEAKCANARY-" + canary
	needles := []string{key, canary}

	keyring.MockInit()
	fake := keystest.New(t, "fakeleak", key, true)
	environ := map[string]string{}
	getenv := func(k string) string { return environ[k] }
	store := keys.New(keys.Options{Getenv: getenv})
	engine := &core.Engine{Getenv: getenv, Keys: store.Key}

	a := test.NewTempApp(t)
	prefs := a.Preferences()
	w := test.NewTempWindow(t, widget.NewLabel(""))
	p := New(w, store, Options{
		Engine:     engine,
		BaseURL:    func(id string) string { return prefs.String("provider." + id + ".baseURL") },
		SetBaseURL: func(id, u string) { prefs.SetString("provider."+id+".baseURL", u) },
	})
	p.wait()
	w.SetContent(p.Content())
	w.Resize(fyne.NewSize(700, 1200))
	r := rowOf(t, p, "fakeleak")
	markups := []string{}
	snapshot := func() { markups = append(markups, test.RenderToMarkup(w.Canvas())) }

	// GUI: a key pasted by mistake into the base URL box is not saved.
	r.baseURL.SetText(key)
	r.baseURL.SetText(fake.URL)
	// Save, test, fail a test, use it through the core, remove.
	test.Type(r.entry, key)
	snapshot()
	do(p, r.save)
	snapshot()
	do(p, r.test)
	if !strings.HasPrefix(r.message.Text, "The key works") {
		t.Fatalf("test: %q", r.message.Text)
	}
	fake.SetWant("sk-some-other-key")
	do(p, r.test)
	snapshot()
	fake.SetWant(key)
	if _, err := engine.Voices(context.Background(), "fakeleak", prefs.String("provider.fakeleak.baseURL"), ""); err != nil {
		t.Fatalf("using the key through the core: %v", err)
	}
	remove(t, p, r)
	snapshot()

	// CLI: set from a pipe, list, test, delete; then the environment path.
	var outputs []string
	runCLI := func(stdin string, args ...string) int {
		var out, errOut bytes.Buffer
		env := &cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, Getenv: getenv,
			Engine: engine, StdinIsTerminal: func() bool { return false }}
		code := cli.Run(context.Background(), env, args)
		outputs = append(outputs, out.String(), errOut.String())
		return code
	}
	oldStore := cli.KeyStore
	cli.KeyStore = func(*cli.Env) *keys.Store { return store }
	t.Cleanup(func() { cli.KeyStore = oldStore })
	for _, c := range []struct {
		stdin string
		args  []string
	}{
		{key + "\n", []string{"keys", "set", "fakeleak"}},
		{"", []string{"keys", "list"}},
		{"", []string{"keys", "list", "--json"}},
		{"", []string{"keys", "test", "fakeleak"}},
		{"", []string{"keys", "delete", "fakeleak"}},
	} {
		if code := runCLI(c.stdin, c.args...); code != cli.ExitOK {
			t.Fatalf("%v exited %d: %v", c.args, code, outputs[len(outputs)-2:])
		}
	}
	if code := runCLI("", "keys", "set", "fakeleak", key); code != cli.ExitUsage {
		t.Fatalf("key on the command line: exit %d", code)
	}
	environ["FAKELEAK_API_KEY"] = key
	for _, args := range [][]string{{"keys", "list"}, {"keys", "test", "fakeleak"}} {
		if code := runCLI("", args...); code != cli.ExitOK {
			t.Fatalf("%v with the environment key exited %d", args, code)
		}
	}
	p.Refresh()
	p.wait()
	snapshot()
	if r.status.Text != "from environment (FAKELEAK_API_KEY)" {
		t.Fatalf("status %q", r.status.Text)
	}
	if _, err := keyring.Get(keys.Service, "fakeleak"); err != keyring.ErrNotFound {
		t.Fatal("the key is still in the keychain, or the environment key was copied into it")
	}

	// Persist the app's preferences the way the real app would, then scan.
	type valueReader interface{ ReadValues(func(map[string]any)) }
	vr, ok := prefs.(valueReader)
	if !ok {
		t.Fatal("cannot read the test app's preferences")
	}
	var prefsJSON []byte
	vr.ReadValues(func(m map[string]any) { prefsJSON, _ = json.Marshal(m) })
	prefsFile := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "fyne", "chorus-test", "preferences.json")
	os.MkdirAll(filepath.Dir(prefsFile), 0o700)
	if err := os.WriteFile(prefsFile, prefsJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(prefsJSON), fake.URL) {
		t.Fatalf("the base URL was not saved in preferences: %s", prefsJSON)
	}

	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, n := range needles {
			if bytes.Contains(b, []byte(n)) {
				t.Errorf("the key is in %s", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("scanned no files")
	}
	check := func(what, text string) {
		for _, n := range needles {
			if strings.Contains(text, n) {
				t.Errorf("the key is in %s:\n%s", what, text)
			}
		}
	}
	check("the log", logs.String())
	check("the CLI output", strings.Join(outputs, "\n"))
	check("the preferences", string(prefsJSON))
	for i, m := range markups {
		check("window snapshot "+string(rune('0'+i)), m)
	}
	if fake.Accepted() < 4 {
		t.Fatalf("the flow made only %d authenticated requests", fake.Accepted())
	}
}
