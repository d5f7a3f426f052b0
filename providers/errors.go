package providers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind classifies an error so the GUI and the CLI can react the same way.
type Kind int

// The kinds of failure a provider reports.
const (
	KindUnknown     Kind = iota
	KindValidation       // the request is not acceptable (CLI exit 2)
	KindAuth             // 401: missing or wrong key
	KindForbidden        // 403: key lacks access
	KindNotFound         // 404: unknown model, voice or endpoint
	KindRateLimit        // 429: too many requests or out of quota
	KindServer           // 5xx
	KindNetwork          // could not connect or the connection failed before audio
	KindCutStream        // the audio stream ended early
	KindNotAudio         // the response was not the audio it claimed
	KindUnavailable      // the provider cannot run here (engine not installed, no key)
	KindCanceled         // the user stopped it
	KindMissingKey       // the provider needs a key and none is set (keychain or environment)
	KindQuota            // the account is out of credits or quota: waiting will not help, topping up will
)

var kindNames = map[Kind]string{
	KindValidation: "invalid request", KindAuth: "authentication failed",
	KindForbidden: "access denied", KindNotFound: "not found", KindRateLimit: "rate limited",
	KindServer: "server error", KindNetwork: "network error", KindCutStream: "stream cut",
	KindNotAudio: "not audio", KindUnavailable: "unavailable", KindCanceled: "canceled",
	KindMissingKey: "no API key", KindQuota: "out of credits",
}

// String names the kind in plain words.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "error"
}

// Error is the one error type every provider reports. Its text is safe to
// show: providers redact keys before building it.
type Error struct {
	Provider   string        // provider ID
	Kind       Kind          // what class of failure
	Status     int           // HTTP status, when there was one
	Code       string        // provider's machine-readable code, when sent
	Message    string        // provider's message or our description
	Hint       string        // what the user should do next
	RetryAfter time.Duration // from Retry-After, when sent
	Requests   int           // requests sent before giving up, retries included; 0 when not counted
	Err        error         // underlying cause, if any
}

// Error renders "openai: authentication failed (HTTP 401): Incorrect API key. Check the API key ...".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Provider != "" {
		b.WriteString(e.Provider)
		b.WriteString(": ")
	}
	if e.Kind == KindValidation || e.Kind == KindUnavailable {
		b.WriteString(e.Message)
	} else {
		b.WriteString(e.Kind.String())
		if e.Status != 0 {
			fmt.Fprintf(&b, " (HTTP %d", e.Status)
			if e.Code != "" {
				fmt.Fprintf(&b, ", %s", e.Code)
			}
			b.WriteString(")")
		}
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
	}
	if e.Hint != "" {
		b.WriteString(". ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err: the Kind of a wrapped *Error, KindCanceled
// for context cancellation, else KindUnknown.
func KindOf(err error) Kind {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Kind
	}
	if errors.Is(err, context.Canceled) {
		return KindCanceled
	}
	return KindUnknown
}

// IsValidation reports whether err is a validation error (CLI exit 2).
func IsValidation(err error) bool { return KindOf(err) == KindValidation }

// Invalid builds a validation error.
func Invalid(provider, format string, args ...any) *Error {
	return &Error{Provider: provider, Kind: KindValidation, Message: fmt.Sprintf(format, args...)}
}

// Redact replaces every occurrence of secret in s; keys shorter than 4
// characters are left alone to avoid mangling ordinary text.
func Redact(s, secret string) string {
	if len(secret) < 4 {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}
