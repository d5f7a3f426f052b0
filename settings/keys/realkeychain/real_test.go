package realkeychain

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"chorus/core"
	"chorus/providers"
	"chorus/settings/keys"
	"chorus/settings/keys/keystest"
)

// TestRealKeychain saves a key in the real Secret Service, reads it back,
// uses it for a request, sees it with secret-tool, removes it and reads back
// not-found. With CHORUS_TEST_REAL=1 an unreachable keychain fails the test.
func TestRealKeychain(t *testing.T) {
	if os.Getenv("CHORUS_TEST_REAL") != "1" {
		t.Skip("set CHORUS_TEST_REAL=1 inside dbus-run-session with an unlocked gnome-keyring-daemon to run")
	}
	id := fmt.Sprintf("chorus-itest-%d", os.Getpid())
	key := fmt.Sprintf("sk-itest-%d-%d", os.Getpid(), time.Now().UnixNano())
	fake := keystest.New(t, id, key, false)
	noEnv := func(string) string { return "" }
	store := keys.New(keys.Options{Getenv: noEnv, CheckBus: keys.FindSessionBus, Timeout: 30 * time.Second})

	if err := store.Set(id, key+"\n"); err != nil {
		t.Fatalf("CHORUS_TEST_REAL=1 but the real keychain is not usable: %v", err)
	}
	t.Cleanup(func() { store.Delete(id) })

	if st := store.Status(id); st.State != keys.Keychain || !st.Saved {
		t.Fatalf("status after Set = %q (%v)", st, st.Err)
	}
	got, err := store.Key(id)
	if err != nil || got != key {
		t.Fatalf("read back: err=%v, same key=%v", err, got == key)
	}

	// secret-tool sees it under service "chorus", user = provider ID.
	out := secretTool(t, key, "search", "--all", "service", keys.Service)
	if !strings.Contains(out, "username = "+id) || !strings.Contains(out, "service = "+keys.Service) {
		t.Fatalf("secret-tool search did not list %s:\n%s", id, providers.Redact(out, key))
	}
	if v := secretTool(t, key, "lookup", "service", keys.Service, "username", id); v != key {
		t.Fatalf("secret-tool lookup returned a different secret")
	}

	// The core, wired with the store, sends it to the provider.
	e := &core.Engine{Keys: store.Key, Getenv: noEnv}
	voices, err := e.Voices(context.Background(), id, "", "")
	if err != nil || len(voices) == 0 {
		t.Fatalf("request with the stored key: %v", err)
	}
	if fake.Accepted() != 1 || fake.Rejected() != 0 {
		t.Fatalf("fake saw %d good and %d bad requests", fake.Accepted(), fake.Rejected())
	}
	if msg, err := store.Check(context.Background(), e, id, "", ""); err != nil {
		t.Fatalf("Check: %v", err)
	} else {
		t.Log(msg)
	}

	if err := store.Delete(id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if got, err := store.Key(id); got != "" || err != nil {
		t.Fatalf("Key after Delete: err=%v, empty=%v", err, got == "")
	}
	if st := store.Status(id); st.State != keys.None {
		t.Fatalf("status after Delete = %q", st)
	}
	if out := secretTool(t, key, "search", "--all", "service", keys.Service); strings.Contains(out, id) {
		t.Fatal("secret-tool still lists the key after Delete")
	}
}

// secretTool runs secret-tool and returns what it printed (search prints the
// attributes on stderr). A lookup or search that finds nothing returns "".
// key is redacted from anything logged.
func secretTool(t *testing.T, key string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatalf("secret-tool is needed with CHORUS_TEST_REAL=1 (apt-get install libsecret-tools): %v", err)
	}
	out, err := exec.Command("secret-tool", args...).CombinedOutput()
	if err != nil {
		if _, ok := err.(*exec.ExitError); ok && len(out) == 0 {
			return ""
		}
		t.Fatalf("secret-tool %s: %v: %s", args[0], err, providers.Redact(string(out), key))
	}
	return string(out)
}
