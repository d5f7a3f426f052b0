// Package keys keeps providers' API keys in the OS keychain and nowhere else.
//
// A key comes from, in order: the environment variable <ID>_API_KEY (which
// overrides the keychain for that run and is never copied into it unless
// asked), a session-only key held in memory for this run, or the OS keychain
// (service "chorus", user = provider ID). Keys never appear in errors, logs or
// panics raised here.
package keys

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/zalando/go-keyring"

	"chorus/providers"
)

// Service is the keychain service name every key is stored under; the
// keychain user is the provider ID.
const Service = "chorus"

// DefaultTimeout bounds one keychain call. A keychain that is asking the user
// to unlock it can take a while; one that never answers must not hang Chorus.
const DefaultTimeout = time.Minute

// maxKeyBytes bounds a key; real API keys are far shorter.
const maxKeyBytes = 8 << 10

// ErrNotStored is returned (wrapped) by Delete when there was no key to remove.
var ErrNotStored = errors.New("nothing to remove")

// Options configures a Store. The zero value reads os.Getenv and the OS
// keychain with DefaultTimeout.
type Options struct {
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Timeout bounds each keychain call; 0 means DefaultTimeout.
	Timeout time.Duration
	// CheckBus runs before every keychain call; an error means the keychain
	// cannot be reached and is reported instead of calling it. NewDefault
	// sets it to FindSessionBus so that a missing D-Bus session is reported
	// rather than starting a stray bus. Nil skips the check (tests that use
	// keyring.MockInit).
	CheckBus func() error
}

// Store resolves, saves and removes API keys. It is safe for concurrent use.
type Store struct {
	getenv   func(string) string
	timeout  time.Duration
	checkBus func() error

	sem chan struct{} // serialises keychain calls: one unlock prompt at a time

	mu      sync.Mutex
	session map[string]string
	stuck   bool // a call timed out and has not returned yet
}

// New returns a Store with the given options.
func New(opts Options) *Store {
	s := &Store{getenv: opts.Getenv, timeout: opts.Timeout, checkBus: opts.CheckBus,
		sem: make(chan struct{}, 1), session: map[string]string{}}
	if s.getenv == nil {
		s.getenv = os.Getenv
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	return s
}

// NewDefault returns the Store the app uses: the process environment and the
// OS keychain, reporting a missing D-Bus session instead of launching one.
// main wires it with `engine.Keys = store.Key`.
func NewDefault() *Store {
	return New(Options{CheckBus: FindSessionBus})
}

// EnvVar is the environment variable that overrides the keychain for a
// provider, e.g. OPENAI_API_KEY.
func EnvVar(id string) string { return providers.EnvName(id) + "_API_KEY" }

// State says where a provider's key comes from.
type State int

// The places a key can come from.
const (
	None        State = iota // no key anywhere
	Keychain                 // saved in the OS keychain
	Environment              // from <ID>_API_KEY, overriding the keychain for this run
	Session                  // kept in memory for this run only, never written
	Unavailable              // the keychain could not be read (see Status.Err)
)

// String names the state in one word.
func (s State) String() string {
	switch s {
	case Keychain:
		return "keychain"
	case Environment:
		return "environment"
	case Session:
		return "session"
	case Unavailable:
		return "unavailable"
	}
	return "none"
}

// Status is where a provider's key comes from right now. It never holds the key.
type Status struct {
	State  State
	EnvVar string // the overriding variable, e.g. OPENAI_API_KEY
	// Saved reports that the keychain holds a key, even when the environment
	// or a session key takes precedence over it.
	Saved bool
	// Err is why the keychain could not be read, when it could not (a
	// *KeychainError). State is Unavailable unless another source had a key.
	Err error
}

// String describes the status in plain words: "no key", "in keychain",
// "from environment (OPENAI_API_KEY)", "session only (not saved)" or
// "keychain unavailable: <cause>".
func (s Status) String() string {
	switch s.State {
	case Keychain:
		return "in keychain"
	case Environment:
		if s.Saved {
			return "from environment (" + s.EnvVar + "), overriding the key in the keychain"
		}
		return "from environment (" + s.EnvVar + ")"
	case Session:
		return "session only (not saved)"
	case Unavailable:
		var ke *KeychainError
		if errors.As(s.Err, &ke) {
			return "keychain unavailable: " + ke.Reason
		}
		return "keychain unavailable"
	}
	return "no key"
}

// Status reports where the key for a provider comes from, without the key.
func (s *Store) Status(id string) Status {
	st := Status{EnvVar: EnvVar(id)}
	_, err := s.keychainGet(id)
	switch {
	case err == nil:
		st.Saved = true
	case errors.Is(err, keyring.ErrNotFound):
	default:
		st.Err = err
	}
	switch {
	case strings.TrimSpace(s.getenv(st.EnvVar)) != "":
		st.State = Environment
	case s.sessionKey(id) != "":
		st.State = Session
	case st.Saved:
		st.State = Keychain
	case st.Err != nil:
		st.State = Unavailable
	}
	return st
}

// Key returns the API key for a provider: from the environment, else the
// session, else the keychain; "" and nil when there is none. It has the
// shape of core.KeyFunc: `engine.Keys = store.Key`.
func (s *Store) Key(id string) (string, error) {
	if v := s.getenv(EnvVar(id)); strings.TrimSpace(v) != "" {
		k, err := clean(id, v)
		if err != nil {
			return "", fmt.Errorf("%s is set but not usable (%v); fix or unset it", EnvVar(id), err)
		}
		return k, nil
	}
	if k := s.sessionKey(id); k != "" {
		return k, nil
	}
	k, err := s.keychainGet(id)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	// A key saved by another program may carry stray whitespace.
	k, err = clean(id, k)
	if err != nil {
		return "", fmt.Errorf("the key saved in the keychain is not usable (%v); replace it in Settings or with `chorus keys set %s`", err, id)
	}
	return k, nil
}

// Set saves a key in the keychain, replacing any saved one, and drops a
// session key for the provider. The key is trimmed; an empty key or one with
// control characters is refused. An environment variable, if set, still
// takes precedence while it is set.
func (s *Store) Set(id, key string) error {
	if err := checkID(id); err != nil {
		return err
	}
	k, err := clean(id, key)
	if err != nil {
		return err
	}
	err = s.keychain(id, "save", k, func() error { return keyring.Set(Service, id, k) })
	if err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.session, id)
	s.mu.Unlock()
	return nil
}

// SetSession keeps a key in memory for this run only; it is never written
// anywhere. Use it when the keychain is unavailable.
func (s *Store) SetSession(id, key string) error {
	if err := checkID(id); err != nil {
		return err
	}
	k, err := clean(id, key)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.session[id] = k
	s.mu.Unlock()
	return nil
}

// ImportEnv copies the key from <ID>_API_KEY into the keychain. It is the only
// way an environment key reaches the keychain.
func (s *Store) ImportEnv(id string) error {
	v := s.getenv(EnvVar(id))
	if strings.TrimSpace(v) == "" {
		return providers.Invalid(id, "%s is not set, so there is nothing to import", EnvVar(id))
	}
	return s.Set(id, v)
}

// Delete removes the provider's key from the session and the keychain. When
// neither held one it returns an error wrapping ErrNotStored. It does not
// touch the environment.
func (s *Store) Delete(id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	s.mu.Lock()
	_, hadSession := s.session[id]
	delete(s.session, id)
	s.mu.Unlock()
	err := s.keychain(id, "remove", "", func() error { return keyring.Delete(Service, id) })
	if errors.Is(err, keyring.ErrNotFound) {
		if hadSession {
			return nil
		}
		return fmt.Errorf("no key is saved for %s: %w", id, ErrNotStored)
	}
	return err
}

func (s *Store) sessionKey(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.session[id]
}

// keychainGet reads the raw keychain entry; keyring.ErrNotFound when absent.
func (s *Store) keychainGet(id string) (string, error) {
	var v string
	err := s.keychain(id, "read", "", func() error {
		var err error
		v, err = keyring.Get(Service, id)
		return err
	})
	if err != nil {
		return "", err
	}
	return v, nil
}

// keychain runs one keychain call with the bus check, serialisation, a
// timeout and panic recovery, and classifies its failure. secret is the key
// being written ("" otherwise), scrubbed from any error text.
// keyring.ErrNotFound is returned as is.
func (s *Store) keychain(id, op, secret string, call func() error) error {
	if s.checkBus != nil {
		if err := s.checkBus(); err != nil {
			return classify(id, op, err, secret)
		}
	}
	s.mu.Lock()
	stuck := s.stuck
	s.mu.Unlock()
	if stuck {
		// Don't make every caller wait out its own timeout behind a call
		// the keychain never answered.
		return &KeychainError{ID: id, Op: op, Problem: ProblemTimeout,
			Reason: "the keychain has not answered an earlier request yet"}
	}
	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	select {
	case s.sem <- struct{}{}:
	case <-timer.C:
		return &KeychainError{ID: id, Op: op, Problem: ProblemTimeout, Reason: timeoutReason(s.timeout)}
	}
	done := make(chan error, 1)
	go func() {
		defer func() {
			s.mu.Lock()
			s.stuck = false
			s.mu.Unlock()
			<-s.sem
		}()
		defer func() {
			// The panic value is dropped on purpose: it could hold the key.
			if recover() != nil {
				done <- errors.New("the keychain library failed unexpectedly")
			}
		}()
		done <- call()
	}()
	select {
	case err := <-done:
		if err == nil || errors.Is(err, keyring.ErrNotFound) {
			return err
		}
		return classify(id, op, err, secret)
	case <-timer.C:
		s.mu.Lock()
		s.stuck = true
		s.mu.Unlock()
		return &KeychainError{ID: id, Op: op, Problem: ProblemTimeout, Reason: timeoutReason(s.timeout)}
	}
}

func timeoutReason(d time.Duration) string {
	return fmt.Sprintf("the keychain did not answer within %s", d)
}

// checkID refuses IDs that cannot name a keychain entry.
func checkID(id string) error {
	if strings.TrimSpace(id) == "" {
		return providers.Invalid("", "no provider ID given")
	}
	return nil
}

// clean trims a key and refuses empty keys, keys with control characters and
// invalid text. Its errors never contain the key.
func clean(id, key string) (string, error) {
	k := strings.TrimSpace(key)
	switch {
	case k == "":
		return "", &providers.Error{Provider: id, Kind: providers.KindValidation,
			Message: "the API key is empty", Hint: "paste the key and try again"}
	case len(k) > maxKeyBytes:
		return "", &providers.Error{Provider: id, Kind: providers.KindValidation,
			Message: fmt.Sprintf("the API key is %d bytes long, more than an API key can be", len(k)),
			Hint:    "paste only the key"}
	case !utf8.ValidString(k):
		return "", &providers.Error{Provider: id, Kind: providers.KindValidation,
			Message: "the API key is not valid text", Hint: "paste only the key"}
	}
	for i, r := range k {
		if unicode.IsControl(r) {
			what := "a control character"
			if r == '\n' || r == '\r' {
				what = "a line break"
			}
			return "", &providers.Error{Provider: id, Kind: providers.KindValidation,
				Message: fmt.Sprintf("the API key contains %s at byte %d", what, i+1),
				Hint:    "paste only the key, on one line"}
		}
	}
	return k, nil
}
