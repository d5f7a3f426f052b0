package settingswin

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/zalando/go-keyring"

	"chorus/core"
	"chorus/settings/keys"
	"chorus/settings/keys/keystest"
)

type fakeEnv map[string]string

func (e fakeEnv) get(k string) string { return e[k] }

// open builds the panel in a headless window and waits for the statuses.
func open(t *testing.T, store *keys.Store, opts Options) (*Panel, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	p := New(w, store, opts)
	// The test driver runs fyne.Do on the calling goroutine, so let the
	// status refresh finish before touching the UI from the test.
	p.wait()
	w.SetContent(p.Content())
	w.Resize(fyne.NewSize(700, 1200))
	return p, w
}

func rowOf(t *testing.T, p *Panel, id string) *row {
	t.Helper()
	r, ok := p.byID[id]
	if !ok {
		t.Fatalf("no row for %s", id)
	}
	return r
}

// do taps a button and waits for the background work it starts.
func do(p *Panel, b *widget.Button) {
	test.Tap(b)
	p.wait()
}

// remove taps Remove and answers its confirmation with yes, failing when
// no confirmation was asked.
func remove(t *testing.T, p *Panel, r *row) {
	t.Helper()
	asked := 0
	p.confirm = func(_, _ string, answer func(bool)) { asked++; answer(true) }
	do(p, r.remove)
	if asked != 1 {
		t.Fatalf("Remove asked %d confirmations, want 1", asked)
	}
}

func TestAddTestRemove(t *testing.T) {
	keyring.MockInit()
	const good = "sk-panel-good-0001"
	fake := keystest.New(t, "fakeui", good, false)
	store := keys.New(keys.Options{Getenv: fakeEnv{}.get})
	var mu sync.Mutex
	var changes []string
	p, _ := open(t, store, Options{Engine: &core.Engine{Getenv: fakeEnv{}.get},
		OnChange: func(id string) { mu.Lock(); changes = append(changes, id); mu.Unlock() }})
	r := rowOf(t, p, "fakeui")
	if r.status.Text != "no key" || r.status.Importance != widget.WarningImportance {
		t.Fatalf("initial status %q (%v)", r.status.Text, r.status.Importance)
	}
	if !r.entry.Password {
		t.Fatal("the key entry is not a password entry")
	}
	if p.banner.Visible() || r.session.Visible() {
		t.Fatal("keychain banner or session button shown while the keychain works")
	}

	// Add.
	test.Type(r.entry, "  "+good+" ")
	do(p, r.save)
	if v, _ := keyring.Get(keys.Service, "fakeui"); v != good {
		t.Fatalf("keychain holds %q", v)
	}
	if r.status.Text != "in keychain" || r.entry.Text != "" || r.message.Text != "Saved in the keychain." {
		t.Fatalf("after save: status %q, entry cleared %v, message %q", r.status.Text, r.entry.Text == "", r.message.Text)
	}

	// Test succeeds with the saved key.
	do(p, r.test)
	if !strings.HasPrefix(r.message.Text, "The key works: Fake fakeui accepted it") {
		t.Fatalf("test message %q", r.message.Text)
	}
	// A wrong key typed in the box is tested without being saved.
	test.Type(r.entry, "sk-panel-wrong-0002")
	do(p, r.test)
	if !strings.HasPrefix(r.message.Text, "The key was rejected") || strings.Contains(r.message.Text, "sk-panel-wrong") {
		t.Fatalf("wrong-key message %q", r.message.Text)
	}
	if v, _ := keyring.Get(keys.Service, "fakeui"); v != good {
		t.Fatal("testing a typed key changed the saved one")
	}
	r.entry.SetText("")
	// The server stops accepting the saved key: the test says so.
	fake.SetWant("sk-rotated-0003")
	do(p, r.test)
	if !strings.HasPrefix(r.message.Text, "The key was rejected") {
		t.Fatalf("rotated-key message %q", r.message.Text)
	}

	// Remove.
	remove(t, p, r)
	if _, err := keyring.Get(keys.Service, "fakeui"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatal("Remove left the key in the keychain")
	}
	if r.status.Text != "no key" || r.message.Text != "Removed." {
		t.Fatalf("after remove: %q / %q", r.status.Text, r.message.Text)
	}
	remove(t, p, r)
	if !strings.Contains(r.message.Text, "nothing to remove") {
		t.Fatalf("second remove: %q", r.message.Text)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(changes, ",") != "fakeui,fakeui" {
		t.Fatalf("OnChange calls: %v", changes)
	}
}

func TestRefusedKeyShowsWhy(t *testing.T) {
	keyring.MockInit()
	keystest.New(t, "fakebad", "sk-x", false)
	p, _ := open(t, keys.New(keys.Options{Getenv: fakeEnv{}.get}), Options{})
	r := rowOf(t, p, "fakebad")
	do(p, r.save)
	if r.message.Text != "Paste a key in the box first." {
		t.Fatalf("empty save: %q", r.message.Text)
	}
	r.entry.SetText("sk-one\tsk-two")
	do(p, r.save)
	if !strings.Contains(r.message.Text, "control character") || strings.Contains(r.message.Text, "sk-one") {
		t.Fatalf("bad key: %q", r.message.Text)
	}
}

func TestKeychainUnavailableOffersSessionOnly(t *testing.T) {
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	const key = "sk-session-only-0004"
	fake := keystest.New(t, "fakedown", key, false)
	store := keys.New(keys.Options{Getenv: fakeEnv{}.get})
	p, _ := open(t, store, Options{})
	r := rowOf(t, p, "fakedown")
	if !p.banner.Visible() {
		t.Fatal("no keychain banner")
	}
	for _, want := range []string{"Keychain unavailable", "no Secret Service is running", "gnome-keyring", "the provider's environment variable"} {
		if !strings.Contains(p.bannerText.Text, want) {
			t.Errorf("banner %q lacks %q", p.bannerText.Text, want)
		}
	}
	if strings.Contains(p.bannerText.Text, "<ID>") {
		t.Errorf("banner %q shows a placeholder", p.bannerText.Text)
	}
	if r.status.Text != "keychain unavailable" || r.status.Importance != widget.DangerImportance {
		t.Fatalf("status %q", r.status.Text)
	}
	if !r.session.Visible() {
		t.Fatal("no “Keep for this run only” button")
	}

	test.Type(r.entry, key)
	do(p, r.save)
	if !strings.Contains(r.message.Text, "no Secret Service is running") || !strings.Contains(r.message.Text, "Keep for this run only") {
		t.Fatalf("save message %q", r.message.Text)
	}
	if r.entry.Text != key {
		t.Fatal("a failed save lost the typed key")
	}

	do(p, r.session)
	if r.status.Text != "session only (not saved)" || r.entry.Text != "" || !strings.HasPrefix(r.message.Text, "Kept for this run only") {
		t.Fatalf("after session: %q, entry cleared %v, %q", r.status.Text, r.entry.Text == "", r.message.Text)
	}
	if k, err := store.Key("fakedown"); k != key || err != nil {
		t.Fatalf("store.Key = same %v, %v", k == key, err)
	}
	do(p, r.test)
	if !strings.HasPrefix(r.message.Text, "The key works") || fake.Accepted() != 1 {
		t.Fatalf("test with the session key: %q", r.message.Text)
	}
}

func TestFocusAndEnvironment(t *testing.T) {
	keyring.MockInit()
	keystest.New(t, "fakefocus", "sk-f", false)
	keystest.New(t, "fakeenvui", "sk-e", false)
	store := keys.New(keys.Options{Getenv: fakeEnv{"FAKEENVUI_API_KEY": "sk-from-env-0005"}.get})
	p, w := open(t, store, Options{})
	if !p.Focus("fakefocus") {
		t.Fatal("Focus found no row")
	}
	r := rowOf(t, p, "fakefocus")
	if w.Canvas().Focused() != r.entry {
		t.Fatal("the key entry is not focused")
	}
	if !strings.Contains(r.message.Text, "Paste your Fake fakefocus API key here") {
		t.Fatalf("focus message %q", r.message.Text)
	}
	if p.Focus("no-such-provider") {
		t.Fatal("Focus of an unknown provider reported a row")
	}
	e := rowOf(t, p, "fakeenvui")
	if e.message.Text != "FAKEENVUI_API_KEY is set for this run; Settings cannot override it." {
		t.Errorf("environment key message %q", e.message.Text)
	}
	if e.status.Text != "from environment (FAKEENVUI_API_KEY)" {
		t.Fatalf("environment status %q", e.status.Text)
	}
	if !p.Focus("fakeenvui") || strings.Contains(e.message.Text, "Paste") {
		t.Fatalf("focusing a provider that has a key asked for one: %q", e.message.Text)
	}
}

func TestBaseURL(t *testing.T) {
	keyring.MockInit()
	keystest.New(t, "fakeurl", "sk-u", false)
	saved := map[string]string{"fakeurl": "https://proxy.example/v1"}
	var mu sync.Mutex
	p, _ := open(t, keys.New(keys.Options{Getenv: fakeEnv{}.get}), Options{
		BaseURL:    func(id string) string { mu.Lock(); defer mu.Unlock(); return saved[id] },
		SetBaseURL: func(id, u string) { mu.Lock(); saved[id] = u; mu.Unlock() },
	})
	r := rowOf(t, p, "fakeurl")
	if r.baseURL == nil || r.baseURL.Text != "https://proxy.example/v1" || r.baseURL.PlaceHolder == "" {
		t.Fatal("base URL entry missing or not filled from preferences")
	}
	r.baseURL.SetText("sk-not-a-url-0006")
	if !r.urlNote.Visible() || saved["fakeurl"] != "https://proxy.example/v1" {
		t.Fatalf("an invalid URL was saved: %q", saved["fakeurl"])
	}
	r.baseURL.SetText(" http://127.0.0.1:9/v2 ")
	if r.urlNote.Visible() || saved["fakeurl"] != "http://127.0.0.1:9/v2" {
		t.Fatalf("valid URL not saved: %q", saved["fakeurl"])
	}
	r.baseURL.SetText("")
	if saved["fakeurl"] != "" {
		t.Fatal("clearing the URL did not clear the override")
	}

	// Without SetBaseURL there are no base-URL entries.
	p2, _ := open(t, keys.New(keys.Options{Getenv: fakeEnv{}.get}), Options{})
	if rowOf(t, p2, "fakeurl").baseURL != nil {
		t.Fatal("base URL entry shown without SetBaseURL")
	}
}

func TestShowOpensAtTheRow(t *testing.T) {
	keyring.MockInit()
	keystest.New(t, "fakeshow", "sk-s", false)
	test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel("main window"))
	w.Resize(fyne.NewSize(800, 700))
	// Show builds the panel and shows the dialog in one go; with the test
	// driver the status refresh would touch the UI from its own goroutine
	// meanwhile, so run it in line here.
	goFunc = func(f func()) { f() }
	t.Cleanup(func() { goFunc = func(f func()) { go f() } })
	p := Show(w, keys.New(keys.Options{Getenv: fakeEnv{}.get}), Options{}, "fakeshow")
	p.wait()
	if len(w.Canvas().Overlays().List()) != 1 {
		t.Fatal("Settings dialog not shown")
	}
	r := rowOf(t, p, "fakeshow")
	if w.Canvas().Focused() != r.entry || r.status.Text != "no key" {
		t.Fatalf("focused %v, status %q", w.Canvas().Focused() == r.entry, r.status.Text)
	}
}
