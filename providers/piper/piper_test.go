package piper

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"chorus/providers"
)

func TestSentences(t *testing.T) {
	got := Sentences("Hello there. How are you?  \"Fine!\" she said…\nNew line\n\nlast one")
	want := []string{"Hello there.", "How are you?", "\"Fine!\"", "she said…", "New line", "last one"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if s := Sentences(" \n "); len(s) != 0 {
		t.Errorf("blank text: %q", s)
	}
}

func TestNoVoiceInstalled(t *testing.T) {
	t.Setenv("CHORUS_VOICES_DIR", t.TempDir())
	p, err := providers.Get(ID, providers.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Info().NeedsKey || p.Info().Name != "Natural voices (Piper)" {
		t.Errorf("info %+v", p.Info())
	}
	_, err = providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Hello."})
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Kind != providers.KindUnavailable || pe.Hint == "" {
		t.Errorf("no voice: %v", err)
	}
	for _, bad := range []providers.Request{
		{Text: "Hello.", Speed: 3},
		{Text: "Hello.", Options: map[string]string{"threads": "0"}},
		{Text: "Hello.", Format: "mp3"},
		{Text: "  "},
	} {
		if _, err := providers.Checked(p).Synthesize(context.Background(), bad); !providers.IsValidation(err) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if v, err := p.Voices(context.Background(), ""); err != nil || len(v) != 0 {
		t.Errorf("voices %v %v", v, err)
	}
}
