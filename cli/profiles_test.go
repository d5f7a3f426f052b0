package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"chorus/providers"
	"chorus/providers/openai"
	"chorus/settings"
)

func TestEndpointsAddListRemove(t *testing.T) {
	path := t.TempDir() + "/profiles.json"
	old := Profiles
	Profiles = func() *settings.ProfileStore { return &settings.ProfileStore{Path: path} }
	defer func() { Profiles = old; openai.UnregisterProfile("kokoro-cli") }()

	if r := run(t, "", "endpoints", "add", "Bad ID", "--base-url", "http://localhost:1/v1"); r.code != 2 {
		t.Errorf("bad ID: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, "", "endpoints", "add", "remote", "--base-url", "http://example.com/v1"); r.code != 2 || !strings.Contains(r.stderr, "http") {
		t.Errorf("plain http to another host: exit %d %s", r.code, r.stderr)
	}
	r := run(t, "", "endpoints", "add", "kokoro-cli", "--base-url", "http://localhost:8880/v1", "--voices", "af_heart,am_adam")
	if r.code != 0 {
		t.Fatalf("add: %s", r.stderr)
	}
	if _, ok := providers.Lookup("kokoro-cli"); !ok {
		t.Error("added endpoint is not a provider")
	}
	r = run(t, "", "endpoints", "list", "--json")
	var list []openai.Profile
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 1 || len(list[0].Voices) != 2 {
		t.Fatalf("list: %v %q", err, r.stdout)
	}
	if r := run(t, "", "endpoints", "remove", "kokoro-cli"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := run(t, "", "endpoints", "remove", "kokoro-cli"); r.code != 2 {
		t.Errorf("removing twice: exit %d", r.code)
	}
}
