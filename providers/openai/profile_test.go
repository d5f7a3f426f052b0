package openai

import (
	"context"
	"encoding/json"
	"testing"

	"chorus/providers"
	"chorus/providers/providertest"
)

func TestRegisterProfile(t *testing.T) {
	p := Profile{ID: "kokoro-test", Name: "Kokoro", BaseURL: "http://localhost:8880/v1", Voices: []string{"af_bella"}}
	if err := RegisterProfile(p); err != nil {
		t.Fatal(err)
	}
	r, ok := providers.Lookup("kokoro-test")
	if !ok || !r.KeyOptional || r.NeedsKey || r.Name != "Kokoro" {
		t.Fatalf("registered %+v", r)
	}
	if len(Profiles()) != 1 {
		t.Errorf("Profiles() = %v", Profiles())
	}
	if err := RegisterProfile(p); err != nil {
		t.Errorf("re-registering the same profile: %v", err)
	}
	UnregisterProfile("kokoro-test")
	if _, ok := providers.Lookup("kokoro-test"); ok {
		t.Error("still registered")
	}
	UnregisterProfile("openai") // not a profile: left alone
	if _, ok := providers.Lookup("openai"); !ok {
		t.Error("UnregisterProfile removed a built-in")
	}
}

func TestProfileRefused(t *testing.T) {
	for _, p := range []Profile{
		{ID: "openai", BaseURL: "https://example.com/v1"},
		{ID: "Bad ID", BaseURL: "https://example.com/v1"},
		{ID: "x", BaseURL: ""},
		{ID: "lan", BaseURL: "http://192.168.1.9:8880/v1"},
	} {
		if err := RegisterProfile(p); !providers.IsValidation(err) {
			t.Errorf("%+v: %v", p, err)
		}
	}
	if err := RegisterProfile(Profile{ID: "lan", BaseURL: "http://192.168.1.9:8880/v1", AllowInsecureHTTP: true}); err != nil {
		t.Errorf("insecure allowed: %v", err)
	}
	UnregisterProfile("lan")
}

func TestProfileJSON(t *testing.T) {
	p := Profile{ID: "local-ai", BaseURL: "http://localhost:8080/v1", Models: []string{"tts-1"}, AllowInsecureHTTP: true}
	b, _ := json.Marshal(p)
	var q Profile
	if err := json.Unmarshal(b, &q); err != nil || q.ID != p.ID || q.Models[0] != "tts-1" || !q.AllowInsecureHTTP {
		t.Fatalf("%s -> %+v %v", b, q, err)
	}
}

func TestProfileVoicesFallBackToTypedList(t *testing.T) {
	s := providertest.NewServer(t, &fake{models: []string{"tts-1"}}, "/v1") // no /audio/voices, no key
	p, err := Profile{ID: "plain", BaseURL: s.URL, Voices: []string{"v1", "v2"}}.New(s.Config(""))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := p.Voices(context.Background(), "")
	if err != nil || len(vs) != 2 || vs[0].ID != "v1" {
		t.Fatalf("%v %v", vs, err)
	}
	a, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	a.Body.Close()
	if got := s.Seen()[len(s.Seen())-1]; got.Header.Get("Authorization") != "" {
		t.Error("sent an Authorization header without a key")
	}
}

func TestParseVoicesShapes(t *testing.T) {
	for _, body := range []string{
		`{"voices":["a","b"]}`,
		`{"voices":[{"id":"a","name":"A"},{"voice_id":"b"}]}`,
		`{"data":[{"id":"a"},{"id":"b"}]}`,
		`["a","b"]`,
	} {
		var raw any
		json.Unmarshal([]byte(body), &raw)
		vs := parseVoices(raw)
		if len(vs) != 2 || vs[0].ID != "a" || vs[1].ID != "b" {
			t.Errorf("%s -> %+v", body, vs)
		}
	}
}
