package httpx

import (
	"errors"

	"chorus/providers"
)

// transient marks a *providers.Error (through its Err chain) as a failure
// another attempt may get past: the service failed or was busy, not the
// request. busy means the service asked to come back later (like HTTP 429
// and 503), so retries may go on for the whole MaxRetryTime.
type transient struct {
	busy  bool
	cause error
}

func (t *transient) Error() string {
	if t.cause != nil {
		return t.cause.Error()
	}
	if t.busy {
		return "the service was busy"
	}
	return "the service failed"
}

func (t *transient) Unwrap() error { return t.cause }

// Transient marks e, an error a WebSocket session or a stream decoder
// returns before any audio arrived, as worth another attempt under the
// retry policy (the service failed, as with an HTTP 500), and returns e.
// Unmarked errors that a session builds are final, as a refusal is. Marking
// changes nothing once audio has started: nothing is retried then.
func Transient(e *providers.Error) *providers.Error {
	return mark(e, false)
}

// Busy marks e like Transient for a service that said it is busy and asked
// to be called again later (as HTTP 429 and 503 do): such failures are
// retried until the policy's MaxRetryTime is spent, beyond MaxAttempts.
func Busy(e *providers.Error) *providers.Error {
	return mark(e, true)
}

func mark(e *providers.Error, busy bool) *providers.Error {
	if e == nil {
		return nil
	}
	var t *transient
	if errors.As(e.Err, &t) {
		t.busy = t.busy || busy
		return e
	}
	e.Err = &transient{busy: busy, cause: e.Err}
	return e
}

// IsTransient reports whether err was marked by Transient or Busy (or by
// CloseError for a close code that means a passing failure), and whether
// the service said it was busy.
func IsTransient(err error) (retry, busy bool) {
	var t *transient
	if !errors.As(err, &t) {
		return false, false
	}
	return true, t.busy
}
