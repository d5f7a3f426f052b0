package core

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"chorus/audio"
	"chorus/internal/scripted"
	"chorus/providers"
)

// idOf is the request ID continuityProvider answers a text with.
func idOf(text string) string { return "req:" + strings.Join(strings.Fields(text)[:3], "-") }

func continuityProvider(t *testing.T, id string, conc int) *scripted.Provider {
	p := scripted.Register(t, &scripted.Provider{ID: id, Caps: providers.Capabilities{
		Models: []providers.Model{{ID: "m1"}}, Formats: []string{"wav"}, Speed: providers.Range{Min: 0.5, Max: 2, Default: 1},
		MaxChars: 80, Concurrency: conc, Streaming: true,
	}})
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		wav := scripted.ToneWAV(24000, 0.05, 440)
		return &providers.Audio{Body: io.NopCloser(bytes.NewReader(wav)), Encoding: audio.WAV, Requests: 1, RequestID: idOf(req.Text)}, nil
	}
	return p
}

// Each chunk's request carries the request IDs of up to three chunks just
// before it, oldest first, when they are known as it starts: one at a
// time, always.
func TestChunksCarryPreviousRequestIDs(t *testing.T) {
	p := continuityProvider(t, "c-one", 1)
	e, _ := monoEngine()
	if _, err := e.Speak(context.Background(), Job{Provider: "c-one", Request: providers.Request{Text: longText(12)}, Play: true}); err != nil {
		t.Fatal(err)
	}
	reqs := p.Requests()
	if len(reqs) < 5 {
		t.Fatalf("%d requests, want several chunks", len(reqs))
	}
	if len(reqs[0].PreviousRequestIDs) != 0 {
		t.Errorf("the first chunk sent %v", reqs[0].PreviousRequestIDs)
	}
	if got := reqs[1].PreviousRequestIDs; !slices.Equal(got, []string{idOf(reqs[0].Text)}) {
		t.Errorf("the second chunk sent %v, want the first one's ID %s", got, idOf(reqs[0].Text))
	}
	for k := 1; k < len(reqs); k++ {
		var want []string
		for j := max(k-3, 0); j < k; j++ {
			want = append(want, idOf(reqs[j].Text))
		}
		if got := reqs[k].PreviousRequestIDs; !slices.Equal(got, want) {
			t.Errorf("chunk %d sent %v, want %v", k+1, got, want)
		}
	}
}

// Fetched concurrently, a chunk sends only IDs already known, and only of
// the chunks right before it (never one with a gap after it).
func TestConcurrentChunksSendOnlyKnownIDs(t *testing.T) {
	p := continuityProvider(t, "c-three", 3)
	e, _ := monoEngine()
	text := longText(12)
	if _, err := e.Speak(context.Background(), Job{Provider: "c-three", Request: providers.Request{Text: text}, Play: true}); err != nil {
		t.Fatal(err)
	}
	reqs := p.Requests() // in the order they were sent: put them in the text's
	slices.SortFunc(reqs, func(a, b providers.Request) int { return strings.Index(text, a.Text) - strings.Index(text, b.Text) })
	index := map[string]int{}
	for i, r := range reqs {
		index[idOf(r.Text)] = i
	}
	for _, r := range reqs {
		k := index[idOf(r.Text)]
		ids := r.PreviousRequestIDs
		if len(ids) > 3 {
			t.Errorf("chunk %d sent %d IDs", k+1, len(ids))
		}
		for n, id := range ids {
			if j, ok := index[id]; !ok || j != k-len(ids)+n {
				t.Errorf("chunk %d sent %v: not the chunks right before it", k+1, ids)
			}
		}
	}
}
