package providertest

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"

	"chorus/providers"
)

// specCase is one value Chorus can send, with the requests that carry it:
// the first is the plain one, the others are fallbacks for combinations
// the provider itself refuses before sending (a rate only some formats
// take, an option for some models). The value passes when at least one
// request is answered with audio and every HTTP request it made follows
// the spec.
type specCase struct {
	name string
	reqs []providers.Request
}

// spec sends every value the Capabilities offer, one dimension at a time,
// so the server checks each against the provider's own OpenAPI document.
func (r *runner) spec(t *testing.T) {
	total := 0
	for _, c := range r.specCases(t) {
		t.Run(c.name, func(t *testing.T) {
			var refused []string
			for _, req := range c.reqs {
				r.s.Set(nil)
				res := synth(context.Background(), r.p, req)
				sent, checked, sockets := r.s.Requests(), r.s.Validated(), 0
				for _, q := range r.s.Seen() {
					if strings.EqualFold(q.Header.Get("Upgrade"), "websocket") {
						sockets++
					}
				}
				total += checked
				if res.err != nil && sent == 0 && providers.KindOf(res.err) == providers.KindValidation {
					refused = append(refused, res.err.Error())
					continue // Chorus refuses this combination itself: nothing to check
				}
				checkAudio(t, res)
				if sent > sockets && checked == 0 {
					t.Fatalf("%d HTTP requests were sent and none was checked against the spec (paths: %v)", sent-sockets, paths(r.s.Seen()))
				}
				return
			}
			t.Fatalf("all %d requests carrying this value were refused before sending; the first said: %s", len(refused), refused[0])
		})
	}
	if total == 0 {
		t.Fatal("no synthesis request was checked against the spec: the spec's paths do not match the fake's, or every transport is a WebSocket")
	}
}

func paths(seen []Seen) []string {
	var out []string
	for _, q := range seen {
		out = append(out, q.Method+" "+q.Path)
	}
	return out
}

// specCases lists the values to send.
func (r *runner) specCases(t *testing.T) []specCase {
	base := func() providers.Request {
		q := r.request("", false)
		q.Options = maps.Clone(q.Options)
		if q.Options == nil {
			q.Options = map[string]string{}
		}
		return q
	}
	with := func(edit func(*providers.Request)) providers.Request {
		q := base()
		edit(&q)
		return q
	}
	// voiceFor picks a voice of model, as the Models subtest does.
	voiceFor := func(model string) string {
		if r.h.Voice != "" {
			return r.h.Voice
		}
		if vs, err := r.p.Voices(context.Background(), model); err == nil && len(vs) > 0 {
			return vs[0].ID
		}
		return r.voice
	}
	var cases []specCase
	add := func(name string, reqs ...providers.Request) { cases = append(cases, specCase{name, reqs}) }

	add("Default", base())
	modelVoice := map[string]string{}
	for _, m := range r.caps.Models {
		modelVoice[m.ID] = voiceFor(m.ID)
		add("Model/"+m.ID, with(func(q *providers.Request) { q.Model, q.Voice = m.ID, modelVoice[m.ID] }))
		if m.Instructions {
			add("Instructions/"+m.ID, with(func(q *providers.Request) {
				q.Model, q.Voice, q.Instructions = m.ID, modelVoice[m.ID], "Speak calmly, like a narrator."
			}))
		}
	}
	// forModels repeats a request with each model (the default first), for
	// values some models do not take.
	forModels := func(edit func(*providers.Request)) []providers.Request {
		out := []providers.Request{with(edit)}
		for _, m := range r.caps.Models {
			out = append(out, with(func(q *providers.Request) { q.Model, q.Voice = m.ID, modelVoice[m.ID]; edit(q) }))
		}
		return out
	}
	for _, f := range r.caps.Formats {
		for _, batch := range []bool{false, true} {
			name := "Format/" + f + "/stream"
			if batch {
				name = "Format/" + f + "/batch"
			}
			add(name, forModels(func(q *providers.Request) { q.Format, q.Batch = f, batch })...)
		}
	}
	for _, rate := range r.caps.SampleRates {
		var reqs []providers.Request
		for _, f := range r.caps.Formats {
			reqs = append(reqs, forModels(func(q *providers.Request) { q.Format, q.SampleRate = f, rate })...)
		}
		add("SampleRate/"+strconv.Itoa(rate), reqs...)
	}
	for _, l := range r.caps.Languages {
		add("Language/"+l, forModels(func(q *providers.Request) { q.Language = l })...)
	}
	if r.caps.Speed.Max > 0 {
		for _, v := range []float64{r.caps.Speed.Min, r.caps.Speed.Max} {
			add(fmt.Sprintf("Speed/%g", v), forModels(func(q *providers.Request) { q.Speed = v })...)
		}
	}
	for _, tr := range r.caps.Transports {
		add("Transport/"+tr, with(func(q *providers.Request) { q.Transport = tr }))
		add("Transport/"+tr+"/batch", with(func(q *providers.Request) { q.Transport, q.Batch = tr, true }))
	}
	for _, o := range r.caps.Options {
		if sample := r.h.OptionSamples[o.Key]; len(sample) > 0 && len(o.Choices) == 0 && o.Range == nil {
			add("Option/"+o.Key, forModels(func(q *providers.Request) { maps.Copy(q.Options, sample) })...)
			continue
		}
		var values []string
		switch {
		case len(o.Choices) > 0:
			values = o.Choices
		case o.Range != nil:
			values = []string{num(o.Range.Min), num(o.Range.Max)}
			if o.Default != "" {
				values = append(values, o.Default)
			}
		case o.Default != "":
			values = []string{o.Default}
		}
		for _, v := range values {
			edit := func(q *providers.Request) { q.Options[o.Key] = v }
			reqs := forModels(edit)
			if len(o.Models) > 0 {
				reqs = nil
				for _, m := range o.Models {
					reqs = append(reqs, with(func(q *providers.Request) { q.Model, q.Voice = m, voiceFor(m); edit(q) }))
				}
			}
			// Formats and rates too: an option may apply to some only.
			for _, f := range r.caps.Formats {
				for _, rate := range append([]int{0}, r.caps.SampleRates...) {
					reqs = append(reqs, with(func(q *providers.Request) { q.Format, q.SampleRate = f, rate; edit(q) }))
				}
			}
			add("Option/"+o.Key+"="+v, reqs...)
		}
	}
	if len(cases) == 0 {
		t.Fatal("the Capabilities offer nothing to send")
	}
	return cases
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
