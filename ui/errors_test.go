package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"chorus/internal/scripted"
	"chorus/providers"
)

func TestErrorsAreWrittenForAPerson(t *testing.T) {
	for in, want := range map[string]string{
		"no voice list cached; run `chorus voices --refresh` first":  "No voice list cached; use the matching setting first.",
		"decode mp3: unexpected EOF at frame 135 (152 of 192 bytes)": "Decode mp3: unexpected EOF. The connection broke before all the audio arrived.",
		"bad speed.. use --speed 1.5 instead.":                       "Bad speed. Use instead.",
	} {
		if got := PlainError(errors.New(in)); got != want {
			t.Errorf("%q\n got %q\nwant %q", in, got, want)
		}
	}
}

func TestServerErrorOffersRetry(t *testing.T) {
	s, _ := newTestStudio(t)
	p := scripted.Register(t, &scripted.Provider{ID: "ui-retry"})
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		return nil, &providers.Error{Provider: "ui-retry", Kind: providers.KindServer, Status: 500, Message: "busy"}
	}
	s.RefreshProviders()
	s.selectProvider("ui-retry")
	test.Type(s.Text, "Again")
	test.Tap(s.SpeakButton)
	eventually(t, "error", func() bool { return strings.HasPrefix(s.Status.Text, "Error:") })
	if !s.ActionButton.Visible() || s.ActionButton.Text != "Retry" {
		t.Fatalf("action %q visible %v", s.ActionButton.Text, s.ActionButton.Visible())
	}
	p.Respond = nil // the server is back: the default tone
	test.Tap(s.ActionButton)
	eventually(t, "done", func() bool { return strings.HasPrefix(s.Status.Text, "Done") })
}

// The action an error offers follows its kind, never its wording: a
// missing key opens Settings, an unavailable sound device does not.
func TestErrorActionsFollowKinds(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&providers.Error{Kind: providers.KindMissingKey, Message: "no API key for X"}, "Open Settings"},
		{&providers.Error{Kind: providers.KindAuth, Status: 401, Message: "bad key"}, "Open Settings"},
		{&providers.Error{Kind: providers.KindUnavailable, Message: "no audio output (the API key is fine)"}, ""},
		{&providers.Error{Kind: providers.KindRateLimit, Status: 429}, "Retry"},
		{&providers.Error{Kind: providers.KindQuota, Status: 402, Message: "out of credits"}, ""},
		{&providers.Error{Kind: providers.KindValidation, Message: "format \"ogg\" is not offered"}, "Choose another format"},
	} {
		if got := errorAction(c.err); got != c.want {
			t.Errorf("%v: action %q, want %q", c.err, got, c.want)
		}
	}
}
