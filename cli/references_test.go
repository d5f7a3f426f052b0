package cli

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"chorus/core"
	"chorus/internal/scripted"
	"chorus/providers"
	"chorus/settings/references"
)

func toneFile(t *testing.T, seconds float64) string {
	return scripted.ToneWAVFile(t, 16000, seconds, 150)
}

func useStore(t *testing.T) *references.Store {
	store := &references.Store{Dir: t.TempDir()}
	old := core.References
	core.References = func() *references.Store { return store }
	t.Cleanup(func() { core.References = old })
	return store
}

func TestReferencesCommand(t *testing.T) {
	useStore(t)
	file := toneFile(t, 12)
	if r := run(t, "", "references", "add", "ana", file, "--text", "Hello, I am Ana."); r.code != 0 {
		t.Fatalf("add: %d %s", r.code, r.stderr)
	}
	r := run(t, "", "references", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "ana") || !strings.Contains(r.stdout, "12.0 s") {
		t.Fatalf("list: %d %q", r.code, r.stdout)
	}
	// A short recording is kept, with a note: 10–30 s is a recommendation.
	if r := run(t, "", "references", "add", "bo", toneFile(t, 3), "--text", "x"); r.code != 0 || !strings.Contains(r.stderr, "note:") || !strings.Contains(r.stderr, "10 to 30 seconds") {
		t.Errorf("short file: %d %q", r.code, r.stderr)
	}
	if r := run(t, "", "references", "delete", "bo"); r.code != 0 {
		t.Fatalf("delete bo: %d %s", r.code, r.stderr)
	}
	if r := run(t, "", "references", "delete", "ana"); r.code != 0 {
		t.Fatalf("delete: %d %s", r.code, r.stderr)
	}
	if r := run(t, "", "references", "delete", "ana"); r.code != ExitUsage {
		t.Errorf("delete twice: %d", r.code)
	}
	if r := run(t, "", "references", "list", "--json"); strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("json list: %q", r.stdout)
	}
}

// The reference flags reach the provider as Request.Reference (core reads
// the recording), by file or by saved name; a short recording is sent
// with a note; a provider that cannot clone is refused.
func TestSpeakReferenceFlags(t *testing.T) {
	store := useStore(t)
	p := scripted.Register(t, &scripted.Provider{ID: "cli-ref", Caps: providers.Capabilities{Formats: []string{"wav"},
		Options: providers.ReferenceOptions(), Cloning: true}})
	file := toneFile(t, 12)
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sent := func(i int, transcript string) {
		t.Helper()
		req := p.Requests()[i]
		if r := req.Reference; r == nil || !bytes.Equal(r.Audio, raw) || r.Transcript != transcript {
			t.Errorf("request %d: reference %+v", i, r)
		}
		if len(req.Options) != 0 {
			t.Errorf("request %d: options %v reached the provider", i, req.Options)
		}
	}

	if r := run(t, "", "speak", "--provider", "cli-ref", "--reference", file, "--reference-text", "Words.", "Hi"); r.code != 0 || strings.Contains(r.stderr, "note:") {
		t.Fatalf("speak: %d %s", r.code, r.stderr)
	}
	sent(0, "Words.")

	// With a name as well, the recording is saved and used by name.
	if r := run(t, "", "speak", "--provider", "cli-ref", "--reference", file, "--reference-text", "Saved words.", "--reference-name", "me", "Hi"); r.code != 0 {
		t.Fatalf("speak+save: %d %s", r.code, r.stderr)
	}
	sent(1, "Saved words.")
	if _, err := store.Get("me"); err != nil {
		t.Errorf("not saved: %v", err)
	}
	if r := run(t, "", "speak", "--provider", "cli-ref", "--reference-name", "me", "Hi"); r.code != 0 {
		t.Errorf("use saved: %d %s", r.code, r.stderr)
	}
	sent(2, "Saved words.")
	if r := run(t, "", "speak", "--provider", "cli-ref", "--reference-name", "nobody", "Hi"); r.code != ExitUsage || !strings.Contains(r.stderr, "me") {
		t.Errorf("unknown saved reference: %d %q", r.code, r.stderr)
	}
	if r := run(t, "", "speak", "--provider", "cli-ref", "--reference", file, "Hi"); r.code != ExitUsage || !strings.Contains(r.stderr, "--reference-text") {
		t.Errorf("missing transcript: %d %q", r.code, r.stderr)
	}

	// A short recording is sent, and the user is told.
	if r := run(t, "", "speak", "--provider", "cli-ref", "--reference", toneFile(t, 3), "--reference-text", "Short.", "Hi"); r.code != 0 ||
		!strings.Contains(r.stderr, "3.0 s") || !strings.Contains(r.stderr, "10 to 30 seconds") {
		t.Errorf("short recording: %d %q", r.code, r.stderr)
	}
	if n := len(p.Requests()); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}

	// A provider that cannot clone is refused, naming one that can.
	plain := scripted.Register(t, &scripted.Provider{ID: "cli-noref"})
	if r := run(t, "", "speak", "--provider", "cli-noref", "--reference", file, "--reference-text", "Words.", "Hi"); r.code != ExitUsage ||
		!strings.Contains(r.stderr, "cannot clone") || !strings.Contains(r.stderr, "cli-ref") || len(plain.Requests()) != 0 {
		t.Errorf("no cloning: %d %q", r.code, r.stderr)
	}
}

type searching struct{ *scripted.Provider }

func (searching) SearchVoices(ctx context.Context, q, model string) ([]providers.Voice, error) {
	return []providers.Voice{{ID: "found-" + q, Name: "From the library"}}, nil
}

func TestVoicesSearchUsesSearcher(t *testing.T) {
	// Providers without search are filtered locally, as before.
	scripted.Register(t, &scripted.Provider{ID: "cli-vs"})
	r := run(t, "", "voices", "--provider", "cli-vs", "--search", "zzz-no-such")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("local filter: %d %q", r.code, r.stdout)
	}
	sp := &scripted.Provider{ID: "cli-vs2"}
	providers.Register(providers.Registration{Info: providers.Info{ID: "cli-vs2", Name: "Search"},
		New: func(providers.Config) (providers.Provider, error) { return searching{sp}, nil }})
	t.Cleanup(func() { providers.Unregister("cli-vs2") })
	r = run(t, "", "voices", "--provider", "cli-vs2", "--search", "calm")
	if r.code != 0 || !strings.Contains(r.stdout, "found-calm") {
		t.Errorf("search: %d %q %q", r.code, r.stdout, r.stderr)
	}
}
