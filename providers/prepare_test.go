package providers

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// ruled is a provider with its own defaults and rules, recording what
// reaches Synthesize.
type ruled struct {
	got []Request
}

func (r *ruled) Info() Info { return Info{ID: "ruled", Name: "Ruled"} }
func (r *ruled) Capabilities() Capabilities {
	return Capabilities{Models: []Model{{ID: "en"}, {ID: "multi"}}, ClosedModels: true,
		Formats: []string{"mp3", "wav"}, Speed: Range{Min: 0.5, Max: 2, Default: 1}}
}
func (r *ruled) Voices(context.Context, string) ([]Voice, error) { return nil, nil }
func (r *ruled) Synthesize(_ context.Context, req Request) (*Audio, error) {
	r.got = append(r.got, req)
	return &Audio{}, nil
}
func (r *ruled) Defaults(req Request) Request {
	if req.Model == "" && req.Language == "de" {
		req.Model = "multi"
	}
	return req
}
func (r *ruled) CheckRequest(req Request) error {
	if req.Voice == "" {
		return Invalid("ruled", "a voice is needed")
	}
	return nil
}

func TestPrepareAppliesProviderDefaultsBeforeSharedOnes(t *testing.T) {
	p := &ruled{}
	got, err := Prepare(p, Request{Text: "Hallo", Language: "de", Voice: "v"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Model != "multi" || got.Format != "mp3" || got.Speed != 1 {
		t.Errorf("prepared %+v; want the provider's model for de, then the shared format and speed defaults", got)
	}
	if got, _ := Prepare(p, Request{Text: "Hello", Voice: "v"}); got.Model != "en" {
		t.Errorf("model %q without a language; want the first model", got.Model)
	}
}

func TestPrepareRefusesBeforeTheProviderIsCalled(t *testing.T) {
	p := &ruled{}
	for name, req := range map[string]Request{
		"closed model": {Text: "Hi", Voice: "v", Model: "retired"},
		"format":       {Text: "Hi", Voice: "v", Format: "ogg"},
		"own rule":     {Text: "Hi"},
		"empty text":   {Text: "  ", Voice: "v"},
	} {
		_, err := Checked(p).Synthesize(context.Background(), req)
		var pe *Error
		if !errors.As(err, &pe) || pe.Kind != KindValidation {
			t.Errorf("%s: err %v; want a validation error", name, err)
		}
	}
	if len(p.got) != 0 {
		t.Errorf("the provider was called %d times with refused requests", len(p.got))
	}
	_, err := Prepare(p, Request{Text: "Hi", Voice: "v", Model: "retired"})
	if err == nil || !strings.Contains(err.Error(), "allowed: en, multi") {
		t.Errorf("closed-model error %v; want it to name the allowed models", err)
	}
	if _, err := Checked(p).Synthesize(context.Background(), Request{Text: "Hi", Voice: "v"}); err != nil || len(p.got) != 1 {
		t.Errorf("a good request: err %v, %d calls", err, len(p.got))
	}
}

func TestValidateUsesTheModelsOwnLimit(t *testing.T) {
	c := Capabilities{Models: []Model{{ID: "big"}, {ID: "small", MaxChars: 5}}, MaxChars: 100, Formats: []string{"wav"}}
	if err := Validate("x", Request{Text: "123456", Model: "small", Format: "wav"}, c); err == nil {
		t.Error("6 characters passed a model limited to 5")
	}
	if err := Validate("x", Request{Text: "123456", Model: "big", Format: "wav"}, c); err != nil {
		t.Errorf("6 characters refused by a model limited to 100: %v", err)
	}
}
