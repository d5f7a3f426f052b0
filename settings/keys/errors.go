package keys

import (
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"

	"github.com/zalando/go-keyring"

	"chorus/providers"
)

// Problem classifies why the keychain could not be used.
type Problem int

// The keychain failures Chorus tells apart.
const (
	ProblemOther       Problem = iota // anything else the keychain reported
	ProblemNoBus                      // no D-Bus session bus to reach the Secret Service on
	ProblemNoService                  // no Secret Service (gnome-keyring, KWallet, KeePassXC) is running
	ProblemLocked                     // the keyring is locked, or has no default collection
	ProblemDenied                     // the keychain refused access
	ProblemTooBig                     // the keychain refused the key as too large (ErrSetDataTooBig)
	ProblemUnsupported                // this system has no keychain Chorus can use
	ProblemTimeout                    // the keychain did not answer in time
)

// KeychainError reports that the OS keychain could not be used. Its text
// names the cause and what to do next; it never contains a key.
type KeychainError struct {
	ID      string  // provider ID the call was for
	Op      string  // "read", "save" or "remove"
	Problem Problem // the class of failure
	Reason  string  // the cause in plain words, e.g. "no Secret Service is running"
	Detail  string  // the keychain's own message, scrubbed of the key; may be ""
	cause   error   // only a go-keyring sentinel, never an error that could hold the key
}

// Error renders "keychain unavailable: <cause> (<detail>). <what to do>".
func (e *KeychainError) Error() string {
	var b strings.Builder
	if e.Problem == ProblemTooBig {
		b.WriteString("the keychain refused the key: ")
	} else {
		b.WriteString("keychain unavailable: ")
	}
	b.WriteString(e.Reason)
	if e.Detail != "" {
		b.WriteString(" (")
		b.WriteString(e.Detail)
		b.WriteString(")")
	}
	b.WriteString(". ")
	b.WriteString(e.Advice())
	return b.String()
}

// Advice says what the user can do about the failure. With no ID it names
// the variables generically, as <ID>_API_KEY.
func (e *KeychainError) Advice() string {
	env := "<ID>_API_KEY"
	if e.ID != "" {
		env = EnvVar(e.ID)
	}
	orEnv := "; or set " + env + " for this run instead"
	switch e.Problem {
	case ProblemNoBus:
		return "Start Chorus from your desktop session (or inside dbus-run-session with a Secret Service running)" + orEnv
	case ProblemNoService:
		return "Install and start a Secret Service such as gnome-keyring (or KeePassXC with Secret Service integration enabled), then try again" + orEnv
	case ProblemLocked:
		return "Unlock your login keyring (for example in Passwords and Keys), or create a default keyring, then try again" + orEnv
	case ProblemDenied:
		return "Allow Chorus when the keychain asks, or check the keychain's access settings, then try again" + orEnv
	case ProblemTooBig:
		return "Check that you pasted only the API key"
	case ProblemUnsupported:
		return "Set " + env + " for each run instead"
	case ProblemTimeout:
		return "If the keychain is asking for a password, answer it and try again" + orEnv
	}
	return "Check that your keyring service is running and unlocked, then try again" + orEnv
}

// Unwrap returns keyring.ErrSetDataTooBig or keyring.ErrUnsupportedPlatform
// when that was the cause, else nil.
func (e *KeychainError) Unwrap() error { return e.cause }

// IsUnavailable reports whether err says the keychain cannot be used at all
// (as opposed to refusing one key), so a session-only key is the way out.
func IsUnavailable(err error) bool {
	var ke *KeychainError
	return errors.As(err, &ke) && ke.Problem != ProblemTooBig
}

// classify turns a keychain failure into a *KeychainError. The keychain's own
// message is kept only after removing secret (the key being written) from it.
func classify(id, op string, err error, secret string) *KeychainError {
	ke := &KeychainError{ID: id, Op: op, Problem: ProblemOther, Reason: "the keychain reported an error"}
	msg := err.Error()
	name := dbusErrorName(err)
	low := strings.ToLower(msg + " " + name)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(low, strings.ToLower(s)) {
				return true
			}
		}
		return false
	}
	switch {
	case errors.Is(err, keyring.ErrSetDataTooBig):
		ke.Problem, ke.Reason, ke.cause = ProblemTooBig, "it is too large", keyring.ErrSetDataTooBig
		msg = ""
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		ke.Problem, ke.Reason, ke.cause = ProblemUnsupported, "this system has no supported keychain", keyring.ErrUnsupportedPlatform
		msg = ""
	case errors.Is(err, errNoBus) || has("couldn't determine address of session bus", "dbus-launch",
		"DBUS_SESSION_BUS_ADDRESS", "dial unix", "connection refused", "no such file or directory"):
		ke.Problem, ke.Reason = ProblemNoBus, "no D-Bus session bus was found"
	case has("ServiceUnknown", "NameHasNoOwner", "not provided by any .service files", "not activatable", "org.freedesktop.secrets was not"):
		ke.Problem, ke.Reason = ProblemNoService, "no Secret Service is running"
	case has("IsLocked", "failed to unlock", "locked", "NoSuchObject", "Object does not exist", "aliases/default"):
		ke.Problem, ke.Reason = ProblemLocked, "the keyring is locked or has no default collection"
	case has("AccessDenied", "access denied", "permission denied", "not authorized", "NotAuthorized", "dismissed"):
		ke.Problem, ke.Reason = ProblemDenied, "the keychain denied access"
	case has("NoReply", "timeout", "timed out"):
		ke.Problem, ke.Reason = ProblemTimeout, "the keychain did not answer"
	}
	ke.Detail = scrub(msg, secret)
	return ke
}

// scrub shortens a keychain message and removes the key from it. A key too
// short to replace safely withholds the whole message if it occurs in it.
func scrub(msg, secret string) string {
	msg = strings.Join(strings.Fields(msg), " ")
	if secret != "" && strings.Contains(msg, secret) {
		if len(secret) < 4 {
			return "details withheld because they might contain the key"
		}
		msg = providers.Redact(msg, secret)
	}
	const max = 200
	if len(msg) > max {
		cut := max
		for cut > 0 && !utf8RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// dbusErrorName finds the D-Bus error name (e.g.
// "org.freedesktop.DBus.Error.ServiceUnknown") in err's chain. godbus's
// error type is a struct with a Name field; reading it by reflection avoids
// a direct dependency on godbus.
func dbusErrorName(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				continue
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			continue
		}
		if f := v.FieldByName("Name"); f.IsValid() && f.Kind() == reflect.String {
			if n := f.String(); strings.HasPrefix(n, "org.freedesktop.") {
				return n
			}
		}
	}
	return ""
}

var errNoBus = errors.New("DBUS_SESSION_BUS_ADDRESS is not set and no bus socket was found")

// FindSessionBus reports an error when there is no D-Bus session bus to reach
// the Secret Service on (Linux and BSD only; elsewhere it returns nil). It
// looks exactly where the D-Bus client library looks before it would launch a
// bus of its own, and never launches one: a bus started by Chorus would hold
// a locked, empty keyring and outlive the app.
func FindSessionBus() error {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return nil
	}
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	u, err := user.Current()
	if err != nil {
		return errNoBus
	}
	dir := "/run/user/" + u.Uid
	if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
		return nil
	}
	if b, err := os.ReadFile(filepath.Join(dir, "dbus-session")); err == nil &&
		strings.HasPrefix(string(b), "DBUS_SESSION_BUS_ADDRESS=") {
		return nil
	}
	return errNoBus
}
