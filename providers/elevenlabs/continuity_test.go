package elevenlabs

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"chorus/providers"
)

// The second chunk's request carries the first's request-id on every HTTP
// route (the fake checks each body against the official schema); more
// than three are cut to the last three; the option, when given, wins.
func TestPreviousRequestIDsFromTheRequest(t *testing.T) {
	for _, tr := range []struct{ transport, timestamps string }{
		{TransportHTTP, "off"}, {TransportHTTP, "on"}, {TransportStream, "off"}, {TransportStream, "on"},
	} {
		s, p := setup(t, &fake{key: testKey})
		base := providers.Request{Voice: voiceID, Format: "pcm", Transport: tr.transport, Options: map[string]string{OptionTimestamps: tr.timestamps}}
		first := base
		first.Text = "The first chunk."
		a, _ := collect(t, p, first)
		if a.RequestID == "" {
			t.Fatal("the fake sent no request-id")
		}
		sent := func(req providers.Request) []string {
			t.Helper()
			s.Set(nil)
			collect(t, p, req)
			seen := s.Seen()
			if len(seen) != 1 {
				t.Fatalf("%d requests", len(seen))
			}
			var body struct {
				IDs []string `json:"previous_request_ids"`
			}
			if err := json.Unmarshal(seen[0].Body, &body); err != nil {
				t.Fatalf("body %s: %v", seen[0].Body, err)
			}
			return body.IDs
		}
		second := base
		second.Text, second.PreviousRequestIDs = "The second chunk.", []string{a.RequestID}
		if got := sent(second); !slices.Equal(got, []string{a.RequestID}) {
			t.Errorf("%s/%s: second chunk sent %v, want [%s]", tr.transport, tr.timestamps, got, a.RequestID)
		}
		many := second
		many.PreviousRequestIDs = []string{"r1", "r2", "r3", "r4"}
		if got := sent(many); !slices.Equal(got, []string{"r2", "r3", "r4"}) {
			t.Errorf("%s/%s: four IDs sent as %v, want the last three", tr.transport, tr.timestamps, got)
		}
		opt := second
		opt.Options = map[string]string{OptionTimestamps: tr.timestamps, OptionPreviousRequest: "mine"}
		if got := sent(opt); !slices.Equal(got, []string{"mine"}) {
			t.Errorf("%s/%s: with the option set, sent %v", tr.transport, tr.timestamps, got)
		}
	}
}

// The stream-input socket has no previous_request_ids: nothing of them
// goes over it.
func TestSocketSendsNoPreviousRequestIDs(t *testing.T) {
	f := &fake{key: testKey}
	_, p := setup(t, f)
	collect(t, p, providers.Request{Text: "Second part.", Voice: voiceID, Format: "pcm", Transport: TransportWS,
		PreviousRequestIDs: []string{"req-earlier"}})
	q, _ := url.ParseQuery(f.wsQueries[0])
	if _, ok := q["previous_request_ids"]; ok || strings.Contains(string(f.wsInit), "req-earlier") {
		t.Errorf("the socket got the IDs: query %s, init %s", f.wsQueries[0], f.wsInit)
	}
}
