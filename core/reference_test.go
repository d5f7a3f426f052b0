package core

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"chorus/audio"
	"chorus/cache"
	"chorus/internal/scripted"
	"chorus/providers"
	"chorus/settings/references"
)

// cloner registers a scripted provider that can clone voices.
func cloner(t *testing.T, id string) *scripted.Provider {
	p := scripted.Register(t, &scripted.Provider{ID: id})
	p.Caps.Cloning = true
	p.Caps.Options = providers.ReferenceOptions()
	return p
}

// useReferences points References at an empty store for the test.
func useReferences(t *testing.T) *references.Store {
	store := &references.Store{Dir: t.TempDir()}
	old := References
	References = func() *references.Store { return store }
	t.Cleanup(func() { References = old })
	return store
}

func toneFile(t *testing.T, seconds float64) (string, []byte) {
	file := scripted.ToneWAVFile(t, 16000, seconds, 150)
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return file, raw
}

func refOpts(file, text string) map[string]string {
	return map[string]string{providers.OptionReferenceFile: file, providers.OptionReferenceText: text}
}

// A recording named in the options reaches the provider as
// Request.Reference, the options themselves do not; a recording outside
// 10–30 s is sent all the same, with the advice as a notice.
func TestReferenceFromFile(t *testing.T) {
	p := cloner(t, "c-ref-file")
	e, _ := memEngine()
	for _, c := range []struct {
		seconds float64
		advice  string // "" for none
	}{{12, ""}, {2.7, "2.7 s"}, {45, "45.0 s"}} {
		file, raw := toneFile(t, c.seconds)
		n := len(p.Requests())
		var events []string
		res, err := e.Speak(context.Background(), Job{Provider: "c-ref-file", Play: true, NoCache: true,
			Request: providers.Request{Text: "Hello.", Options: refOpts(file, " Some words. ")},
			OnEvent: func(ev Event) {
				if ev.Stage == StageNotice {
					events = append(events, ev.Message)
				}
			}})
		if err != nil {
			t.Fatalf("%g s: %v", c.seconds, err)
		}
		if len(p.Requests()) != n+1 {
			t.Fatalf("%g s: %d requests, want 1", c.seconds, len(p.Requests())-n)
		}
		req := p.Requests()[n]
		if r := req.Reference; r == nil || !bytes.Equal(r.Audio, raw) || r.Encoding != audio.WAV || r.Transcript != "Some words." {
			t.Errorf("%g s: reference %+v", c.seconds, r)
		}
		for k := range req.Options {
			if strings.HasPrefix(k, "reference") {
				t.Errorf("%g s: the option %s reached the provider", c.seconds, k)
			}
		}
		switch {
		case c.advice == "" && (len(res.Notices) != 0 || len(events) != 0):
			t.Errorf("%g s: notices %q", c.seconds, res.Notices)
		case c.advice != "" && (len(res.Notices) != 1 || !strings.Contains(res.Notices[0], c.advice) ||
			!strings.Contains(res.Notices[0], "10 to 30 seconds") || len(events) != 1):
			t.Errorf("%g s: notices %q, events %q; want advice about %s", c.seconds, res.Notices, events, c.advice)
		}
	}
}

// The GUI checks a job with Prepare before it starts it: the reference is
// read once and its advice still reaches the run, once.
func TestReferenceAdviceAfterPrepare(t *testing.T) {
	p := cloner(t, "c-ref-prep")
	e, _ := memEngine()
	file, raw := toneFile(t, 3)
	job := Job{Provider: "c-ref-prep", Play: true, NoCache: true,
		Request: providers.Request{Text: "Hello.", Options: refOpts(file, "Words.")}}
	if _, _, err := e.Prepare(&job); err != nil {
		t.Fatal(err)
	}
	res, err := e.Speak(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0], "3.0 s") {
		t.Errorf("notices %q", res.Notices)
	}
	if r := p.Requests()[0].Reference; r == nil || !bytes.Equal(r.Audio, raw) {
		t.Errorf("reference %+v", r)
	}
}

// A saved reference (by name) is read from the store, transcript and all;
// an unknown name is refused naming the saved ones, before any request.
func TestSavedReference(t *testing.T) {
	store := useReferences(t)
	file, raw := toneFile(t, 15)
	if _, err := store.Save("ana", file, "Hi, I am Ana."); err != nil {
		t.Fatal(err)
	}
	p := cloner(t, "c-ref-saved")
	e, _ := memEngine()
	res, err := e.Speak(context.Background(), Job{Provider: "c-ref-saved", Play: true,
		Request: providers.Request{Text: "Hello.", Options: map[string]string{providers.OptionReference: "ana"}}})
	if err != nil {
		t.Fatal(err)
	}
	if r := p.Requests()[0].Reference; r == nil || !bytes.Equal(r.Audio, raw) || r.Transcript != "Hi, I am Ana." || r.Encoding != audio.WAV {
		t.Errorf("reference %+v", r)
	}
	if len(res.Notices) != 0 {
		t.Errorf("notices %q", res.Notices)
	}
	_, err = e.Speak(context.Background(), Job{Provider: "c-ref-saved", Play: true,
		Request: providers.Request{Text: "Hello.", Options: map[string]string{providers.OptionReference: "bo"}}})
	if !providers.IsValidation(err) || !strings.Contains(err.Error(), `"bo"`) || !strings.Contains(err.Error(), "ana") {
		t.Errorf("unknown saved reference: %v", err)
	}
	if len(p.Requests()) != 1 {
		t.Errorf("%d requests; an unknown reference must not be sent", len(p.Requests()))
	}
}

// Reference options that do not make one reference are refused before any
// request, saying what to do.
func TestReferenceChecks(t *testing.T) {
	store := useReferences(t)
	file, _ := toneFile(t, 12)
	if _, err := store.Save("ana", file, "Hi."); err != nil {
		t.Fatal(err)
	}
	p := cloner(t, "c-ref-checks")
	e, _ := memEngine()
	cases := []struct {
		opts map[string]string
		want string
	}{
		{map[string]string{providers.OptionReferenceFile: file}, "transcript"},
		{map[string]string{providers.OptionReferenceFile: file, providers.OptionReferenceText: "  "}, "transcript"},
		{map[string]string{providers.OptionReferenceText: "t"}, "without reference_file"},
		{refOpts("/no/such/file.wav", "t"), "cannot read"},
		{map[string]string{providers.OptionReferenceFile: file, providers.OptionReference: "ana"}, "not both"},
		{map[string]string{providers.OptionReference: "ana", providers.OptionReferenceText: "t"}, "own transcript"},
	}
	for _, c := range cases {
		_, err := e.Speak(context.Background(), Job{Provider: "c-ref-checks", Play: true,
			Request: providers.Request{Text: "Hi.", Options: c.opts}})
		if !providers.IsValidation(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want a validation error about %q", c.opts, err, c.want)
		}
	}
	// A Reference set by the caller is taken as it is, but not with the
	// options as well, and not without audio or transcript.
	ref := &providers.Reference{Audio: []byte("RIFF"), Encoding: audio.WAV, Transcript: "Hi."}
	for _, c := range []struct {
		req  providers.Request
		want string
	}{
		{providers.Request{Text: "Hi.", Reference: ref, Options: refOpts(file, "Hi.")}, "not both"},
		{providers.Request{Text: "Hi.", Reference: &providers.Reference{Audio: []byte("RIFF")}}, "transcript"},
		{providers.Request{Text: "Hi.", Reference: &providers.Reference{Transcript: "Hi."}}, "no audio"},
	} {
		if _, err := e.Speak(context.Background(), Job{Provider: "c-ref-checks", Play: true, Request: c.req}); !providers.IsValidation(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want a validation error about %q", c.req.Reference, err, c.want)
		}
	}
	if n := len(p.Requests()); n != 0 {
		t.Errorf("%d requests were sent for invalid references", n)
	}
}

// A provider without Capabilities.Cloning is refused a reference, by
// option or by field, with the providers that can clone named.
func TestReferenceNeedsCloning(t *testing.T) {
	cloner(t, "c-ref-can")
	p := scripted.Register(t, &scripted.Provider{ID: "c-ref-cannot"})
	p.Caps.Options = providers.ReferenceOptions() // even when it lists the options
	e, _ := memEngine()
	file, raw := toneFile(t, 12)
	for _, req := range []providers.Request{
		{Text: "Hi.", Options: refOpts(file, "Words.")},
		{Text: "Hi.", Options: map[string]string{providers.OptionReference: "ana"}},
		{Text: "Hi.", Reference: &providers.Reference{Audio: raw, Encoding: audio.WAV, Transcript: "Words."}},
	} {
		_, err := e.Speak(context.Background(), Job{Provider: "c-ref-cannot", Play: true, Request: req})
		if !providers.IsValidation(err) || !strings.Contains(err.Error(), "cannot clone") || !strings.Contains(err.Error(), "c-ref-can") ||
			strings.Contains(err.Error(), "c-ref-cannot,") {
			t.Errorf("%v: %v", req.Options, err)
		}
	}
	if n := len(p.Requests()); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

// The cache tells references apart: the same text in another cloned voice
// is a new request, the same voice again is a hit.
func TestReferenceIsPartOfTheCacheKey(t *testing.T) {
	p := cloner(t, "c-ref-cache")
	e, _ := memEngine()
	st, err := cache.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	e.Cache = st
	a, _ := toneFile(t, 12)
	b, _ := toneFile(t, 13)
	for i, c := range []struct {
		file, text string
		requests   int
	}{{a, "Words.", 1}, {b, "Words.", 2}, {a, "Other words.", 3}, {a, "Words.", 3}, {b, "Words.", 3}} {
		if _, err := e.Speak(context.Background(), Job{Provider: "c-ref-cache", Play: true,
			Request: providers.Request{Text: "Hello.", Options: refOpts(c.file, c.text)}}); err != nil {
			t.Fatal(err)
		}
		if n := len(p.Requests()); n != c.requests {
			t.Errorf("step %d: %d requests in all, want %d", i, n, c.requests)
		}
	}
}
