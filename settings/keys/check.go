package keys

import (
	"context"
	"fmt"
	"strings"

	"chorus/core"
	"chorus/providers"
)

// CheckError is a failed key check. Its text is in plain words, safe to show,
// and never contains the key.
type CheckError struct {
	Kind providers.Kind // why it failed, from the provider's error
	Text string
}

// Error returns the text.
func (e *CheckError) Error() string { return e.Text }

// Check verifies a provider's key with a cheap authenticated call: CheckKey
// when the provider implements providers.KeyChecker, else listing its voices.
// key "" means the key the store resolves (environment, session, keychain);
// otherwise the given key is checked without being saved. baseURL "" means
// the engine's default. eng may be nil. It returns a sentence for the user
// on success; on failure a *CheckError (or a validation error for an
// unknown provider or an unusable key).
func (s *Store) Check(ctx context.Context, eng *core.Engine, id, baseURL, key string) (string, error) {
	reg, ok := providers.Lookup(id)
	if !ok {
		return "", providers.Unknown(id)
	}
	var err error
	if key == "" {
		key, err = s.Key(id)
	} else {
		key, err = clean(id, key)
	}
	if err != nil {
		return "", &CheckError{Kind: providers.KindUnavailable, Text: "Could not read the key: " + safeText(err, key)}
	}
	e := core.Engine{}
	if eng != nil {
		e = *eng
	}
	e.Keys = func(string) (string, error) { return key, nil }
	p, err := e.Provider(id, baseURL)
	if err != nil {
		return "", checkFailed(err, key)
	}
	if kc, ok := p.(providers.KeyChecker); ok {
		if err := kc.CheckKey(ctx); err != nil {
			return "", checkFailed(err, key)
		}
		return fmt.Sprintf("The key works: %s accepted it.", reg.Name), nil
	}
	voices, err := p.Voices(ctx, "")
	if err != nil {
		return "", checkFailed(err, key)
	}
	return fmt.Sprintf("The key works: %s accepted it and listed %d voices.", reg.Name, len(voices)), nil
}

func checkFailed(err error, key string) *CheckError {
	kind := providers.KindOf(err)
	text := safeText(err, key)
	switch kind {
	case providers.KindAuth, providers.KindForbidden:
		text = "The key was rejected: " + text
	case providers.KindCanceled:
		text = "The test was stopped before it finished."
	default:
		text = "Could not check the key: " + text
	}
	return &CheckError{Kind: kind, Text: text}
}

// safeText is err's text with the key removed.
func safeText(err error, key string) string {
	msg := err.Error()
	if key != "" && strings.Contains(msg, key) {
		if len(key) < 4 {
			return "the error details were withheld because they might contain the key"
		}
		msg = providers.Redact(msg, key)
	}
	return msg
}
