package keys

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"chorus/core"
	"chorus/providers"
	"chorus/settings/keys/keystest"
)

// env is a fake environment.
type env map[string]string

func (e env) get(k string) string { return e[k] }

func newMock(t *testing.T, e env) *Store {
	t.Helper()
	keyring.MockInit()
	return New(Options{Getenv: e.get})
}

func noKeyIn(t *testing.T, what, text, key string) {
	t.Helper()
	if strings.Contains(text, key) {
		t.Fatalf("%s contains the key: %q", what, text)
	}
}

func TestSetStatusKeyDelete(t *testing.T) {
	s := newMock(t, env{})
	if st := s.Status("acme"); st.State != None || st.String() != "no key" {
		t.Fatalf("fresh status = %v %q", st.State, st)
	}
	if k, err := s.Key("acme"); k != "" || err != nil {
		t.Fatalf("Key before Set = %q, %v", k, err)
	}
	if err := s.Set("acme", "  sk-acme-0001\r\n"); err != nil {
		t.Fatal(err)
	}
	if raw, _ := keyring.Get(Service, "acme"); raw != "sk-acme-0001" {
		t.Fatalf("keychain holds %q, want the trimmed key under service %q", raw, Service)
	}
	st := s.Status("acme")
	if st.State != Keychain || !st.Saved || st.String() != "in keychain" {
		t.Fatalf("status after Set = %+v", st)
	}
	if k, err := s.Key("acme"); k != "sk-acme-0001" || err != nil {
		t.Fatalf("Key = %q, %v", k, err)
	}
	if err := s.Set("acme", "sk-acme-0002"); err != nil {
		t.Fatal(err)
	}
	if k, _ := s.Key("acme"); k != "sk-acme-0002" {
		t.Fatalf("Set did not replace the key")
	}
	if err := s.Delete("acme"); err != nil {
		t.Fatal(err)
	}
	if st := s.Status("acme"); st.State != None || st.Saved {
		t.Fatalf("status after Delete = %+v", st)
	}
	err := s.Delete("acme")
	if !errors.Is(err, ErrNotStored) {
		t.Fatalf("second Delete = %v, want ErrNotStored", err)
	}
}

func TestEnvironmentOverridesAndIsNeverCopied(t *testing.T) {
	e := env{"ACME_CO_API_KEY": " sk-from-env \n"}
	s := newMock(t, e)
	st := s.Status("acme-co")
	if st.State != Environment || st.EnvVar != "ACME_CO_API_KEY" || st.Saved {
		t.Fatalf("status = %+v", st)
	}
	if st.String() != "from environment (ACME_CO_API_KEY)" {
		t.Fatalf("status text = %q", st)
	}
	if k, err := s.Key("acme-co"); k != "sk-from-env" || err != nil {
		t.Fatalf("Key = %q, %v", k, err)
	}
	if _, err := keyring.Get(Service, "acme-co"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("the environment key reached the keychain: %v", err)
	}
	// A saved key stays saved but the environment wins for this run.
	if err := s.Set("acme-co", "sk-saved"); err != nil {
		t.Fatal(err)
	}
	st = s.Status("acme-co")
	if st.State != Environment || !st.Saved || !strings.Contains(st.String(), "overriding") {
		t.Fatalf("status with both = %+v %q", st, st)
	}
	if k, _ := s.Key("acme-co"); k != "sk-from-env" {
		t.Fatalf("Key = %q, want the environment's", k)
	}
	// Only when asked does the environment key go into the keychain.
	if err := s.ImportEnv("acme-co"); err != nil {
		t.Fatal(err)
	}
	if raw, _ := keyring.Get(Service, "acme-co"); raw != "sk-from-env" {
		t.Fatalf("ImportEnv stored %q", raw)
	}
	delete(e, "ACME_CO_API_KEY")
	if err := s.ImportEnv("acme-co"); !providers.IsValidation(err) {
		t.Fatalf("ImportEnv without the variable = %v", err)
	}
}

func TestBadKeysAreRefusedWithoutEchoingThem(t *testing.T) {
	s := newMock(t, env{"BAD_API_KEY": "sk-bad\x01key"})
	cases := map[string]string{
		"empty":       "",
		"blank":       " \t\r\n ",
		"line break":  "sk-first-line\nsk-second-line",
		"nul":         "sk-nul\x00byte",
		"escape":      "sk-\x1b[31mred",
		"delete char": "sk-del\x7f",
		"c1 control":  "sk-c1\u0085x",
		"invalid":     "sk-\xff\xfe",
		"huge":        strings.Repeat("k", maxKeyBytes+1),
	}
	for name, key := range cases {
		for op, f := range map[string]func(string, string) error{"Set": s.Set, "SetSession": s.SetSession} {
			err := f("acme", key)
			if !providers.IsValidation(err) {
				t.Fatalf("%s %s: err = %v, want a validation error", op, name, err)
			}
			if strings.TrimSpace(key) != "" {
				noKeyIn(t, op+" "+name, err.Error(), strings.TrimSpace(key))
			}
		}
	}
	if _, err := keyring.Get(Service, "acme"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatal("a refused key was stored")
	}
	_, err := s.Key("bad")
	if err == nil || !strings.Contains(err.Error(), "BAD_API_KEY") {
		t.Fatalf("Key with a control character in the variable = %v", err)
	}
	noKeyIn(t, "env error", err.Error(), "sk-bad")
	if err := s.Set("", "sk-ok"); !providers.IsValidation(err) {
		t.Fatalf("Set with no ID = %v", err)
	}
}

func TestUnavailableKeychainAndSessionFallback(t *testing.T) {
	keyring.MockInitWithError(errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"))
	s := New(Options{Getenv: env{}.get})
	st := s.Status("acme")
	if st.State != Unavailable || st.Err == nil {
		t.Fatalf("status = %+v", st)
	}
	if got := st.String(); got != "keychain unavailable: the keyring is locked or has no default collection" {
		t.Fatalf("status text = %q", got)
	}
	err := s.Set("acme", "sk-session-7777")
	if !IsUnavailable(err) {
		t.Fatalf("Set = %v, want an unavailable keychain", err)
	}
	msg := err.Error()
	for _, want := range []string{"keychain unavailable", "locked", "Unlock", "ACME_API_KEY"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	noKeyIn(t, "Set error", msg, "sk-session-7777")
	if _, err := s.Key("acme"); !IsUnavailable(err) {
		t.Fatalf("Key = %v, want the keychain error", err)
	}

	if err := s.SetSession("acme", " sk-session-7777 "); err != nil {
		t.Fatal(err)
	}
	st = s.Status("acme")
	if st.State != Session || st.String() != "session only (not saved)" || st.Err == nil {
		t.Fatalf("status with a session key = %+v %q", st, st)
	}
	if k, err := s.Key("acme"); k != "sk-session-7777" || err != nil {
		t.Fatalf("Key = %q, %v", k, err)
	}
	// Removing drops the session key even though the keychain is down.
	if err := s.Delete("acme"); !IsUnavailable(err) {
		t.Fatalf("Delete = %v", err)
	}
	if k, _ := s.Key("acme"); k != "" {
		t.Fatal("session key survived Delete")
	}
}

func TestSessionKeyIsDroppedWhenSaved(t *testing.T) {
	s := newMock(t, env{})
	if err := s.SetSession("acme", "sk-one"); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(Service, "acme"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatal("a session key was written to the keychain")
	}
	if err := s.Set("acme", "sk-two"); err != nil {
		t.Fatal(err)
	}
	if st := s.Status("acme"); st.State != Keychain {
		t.Fatalf("status = %v", st.State)
	}
	if err := s.SetSession("acme", "sk-three"); err != nil {
		t.Fatal(err)
	}
	if k, _ := s.Key("acme"); k != "sk-three" {
		t.Fatalf("session key should win over the keychain for this run, got %q", k)
	}
	if err := s.Delete("acme"); err != nil {
		t.Fatal(err)
	}
	if k, _ := s.Key("acme"); k != "" {
		t.Fatalf("Key after Delete = %q", k)
	}
}

// busError looks like godbus's dbus.Error.
type busError struct {
	Name string
	Body []any
}

func (e busError) Error() string { return "bus said no" }

func TestClassify(t *testing.T) {
	cases := []struct {
		err  error
		want Problem
	}{
		{errors.New("dbus: couldn't determine address of session bus"), ProblemNoBus},
		{errors.New(`exec: "dbus-launch": executable file not found in $PATH`), ProblemNoBus},
		{errNoBus, ProblemNoBus},
		{errors.New("The name org.freedesktop.secrets was not provided by any .service files"), ProblemNoService},
		{busError{Name: "org.freedesktop.DBus.Error.ServiceUnknown"}, ProblemNoService},
		{errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), ProblemLocked},
		{busError{Name: "org.freedesktop.Secret.Error.IsLocked"}, ProblemLocked},
		{&busError{Name: "org.freedesktop.DBus.Error.AccessDenied"}, ProblemDenied},
		{busError{Name: "org.freedesktop.DBus.Error.NoReply"}, ProblemTimeout},
		{keyring.ErrSetDataTooBig, ProblemTooBig},
		{keyring.ErrUnsupportedPlatform, ProblemUnsupported},
		{errors.New("something odd"), ProblemOther},
	}
	for _, c := range cases {
		ke := classify("acme", "save", c.err, "")
		if ke.Problem != c.want {
			t.Errorf("%v: problem %v, want %v", c.err, ke.Problem, c.want)
		}
		if ke.Reason == "" || ke.Advice() == "" {
			t.Errorf("%v: no reason or advice", c.err)
		}
		if (c.want == ProblemTooBig) == IsUnavailable(ke) {
			t.Errorf("%v: IsUnavailable = %v", c.err, IsUnavailable(ke))
		}
	}
	if got := classify("", "read", errNoBus, "").Error(); !strings.Contains(got, "or set <ID>_API_KEY") {
		t.Errorf("generic advice: %q", got)
	}
	if !errors.Is(classify("a", "save", keyring.ErrSetDataTooBig, ""), keyring.ErrSetDataTooBig) {
		t.Error("ErrSetDataTooBig is not unwrappable")
	}
}

func TestKeychainErrorsNeverCarryTheKey(t *testing.T) {
	const key = "sk-LEAKY-abcdef123456"
	keyring.MockInitWithError(errors.New("org.freedesktop.DBus.Error.Failed: could not store secret " + key))
	s := New(Options{Getenv: env{}.get})
	err := s.Set("acme", key)
	if err == nil {
		t.Fatal("Set succeeded")
	}
	noKeyIn(t, "Set error", err.Error(), key)
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("expected the detail to be kept with the key redacted: %q", err)
	}
	// A very short key cannot be replaced safely, so the detail goes.
	keyring.MockInitWithError(errors.New("failed for xyz"))
	err = s.Set("acme", "xyz")
	noKeyIn(t, "short key error", err.Error(), "xyz")

	// A panic inside the keychain library is recovered, without its value.
	err = s.keychain("acme", "save", key, func() error { panic("secret " + key) })
	if err == nil {
		t.Fatal("panic not reported")
	}
	noKeyIn(t, "panic error", err.Error(), key)
}

func TestKeychainTimeout(t *testing.T) {
	s := New(Options{Getenv: env{}.get, Timeout: 50 * time.Millisecond})
	release := make(chan struct{}, 1)
	start := time.Now()
	err := s.keychain("acme", "read", "", func() error { <-release; return nil })
	var ke *KeychainError
	if !errors.As(err, &ke) || ke.Problem != ProblemTimeout {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("timeout took too long")
	}
	// While the stuck call has not returned, later calls fail at once.
	start = time.Now()
	err = s.keychain("acme", "read", "", func() error { return nil })
	if !errors.As(err, &ke) || ke.Problem != ProblemTimeout || !strings.Contains(ke.Reason, "earlier request") {
		t.Fatalf("second call = %v, want an immediate timeout", err)
	}
	if time.Since(start) > 40*time.Millisecond {
		t.Fatal("the second call waited for its own timeout")
	}
	// Once the keychain answers, calls work again.
	release <- struct{}{}
	deadline := time.Now().Add(2 * time.Second)
	for {
		if err = s.keychain("acme", "read", "", func() error { return nil }); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("keychain still reported as stuck: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBusCheckFailsBeforeCallingTheKeychain(t *testing.T) {
	keyring.MockInit()
	s := New(Options{Getenv: env{}.get, CheckBus: func() error { return errNoBus }})
	err := s.Set("acme", "sk-1234")
	var ke *KeychainError
	if !errors.As(err, &ke) || ke.Problem != ProblemNoBus {
		t.Fatalf("Set = %v", err)
	}
	if _, err := keyring.Get(Service, "acme"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatal("the keychain was called despite the failed bus check")
	}
	if st := s.Status("acme"); st.State != Unavailable || !strings.Contains(st.String(), "no D-Bus session bus") {
		t.Fatalf("status = %q", st)
	}
}

func TestFindSessionBusHonoursTheAddress(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
	if err := FindSessionBus(); err != nil {
		t.Fatalf("with an address set: %v", err)
	}
}

func TestCheckAgainstFakeProvider(t *testing.T) {
	const good = "sk-good-key-1234"
	for _, checker := range []bool{false, true} {
		id := "fake-check"
		if checker {
			id = "fake-checker"
		}
		fake := keystest.New(t, id, good, checker)
		s := newMock(t, env{})
		ctx := context.Background()

		// No key at all: the core says where to put one.
		_, err := s.Check(ctx, nil, id, "", "")
		if err == nil || !strings.Contains(err.Error(), "no API key") {
			t.Fatalf("check without a key = %v", err)
		}

		if err := s.Set(id, good); err != nil {
			t.Fatal(err)
		}
		msg, err := s.Check(ctx, &core.Engine{}, id, "", "")
		if err != nil || !strings.HasPrefix(msg, "The key works") {
			t.Fatalf("check with the good key = %q, %v", msg, err)
		}
		wantPath := "/voices"
		if checker {
			wantPath = "/me"
		}
		if p := fake.Paths(); p[len(p)-1] != wantPath {
			t.Fatalf("check called %v, want %s", p, wantPath)
		}

		// An unsaved key typed in Settings is checked as given.
		const bad = "sk-wrong-key-9876"
		_, err = s.Check(ctx, nil, id, "", bad)
		var ce *CheckError
		if !errors.As(err, &ce) || ce.Kind != providers.KindAuth || !strings.HasPrefix(ce.Text, "The key was rejected") {
			t.Fatalf("check with a wrong key = %v", err)
		}
		noKeyIn(t, "check error", err.Error(), bad)
		if k, _ := s.Key(id); k != good {
			t.Fatal("checking a typed key replaced the saved one")
		}

		// The engine, wired with the store, sends the saved key.
		e := &core.Engine{Keys: s.Key, Getenv: env{}.get}
		if _, err := e.Voices(ctx, id, "", ""); err != nil {
			t.Fatalf("engine with the store: %v", err)
		}
		if fake.Accepted() < 2 || fake.Rejected() != 1 {
			t.Fatalf("fake saw %d good and %d bad requests", fake.Accepted(), fake.Rejected())
		}
	}
	s := newMock(t, env{})
	if _, err := s.Check(context.Background(), nil, "no-such-provider", "", ""); !providers.IsValidation(err) {
		t.Fatalf("unknown provider = %v", err)
	}
}
