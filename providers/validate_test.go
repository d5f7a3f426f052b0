package providers

import "testing"

func TestNormalizeBatchTakesHTTP(t *testing.T) {
	caps := Capabilities{Transports: []string{"ws", "stream", "http"}}
	cases := []struct {
		name string
		req  Request
		want string
	}{
		{"batch without transport", Request{Batch: true}, "http"},
		{"stream without transport", Request{}, "ws"},
		{"batch with an explicit transport", Request{Batch: true, Transport: "stream"}, "stream"},
	}
	for _, c := range cases {
		if got := Normalize(c.req, caps).Transport; got != c.want {
			t.Errorf("%s: transport %q, want %q", c.name, got, c.want)
		}
	}
	// Without an HTTP endpoint, batch keeps the provider's default.
	if got := Normalize(Request{Batch: true}, Capabilities{Transports: []string{"ws", "stream"}}).Transport; got != "ws" {
		t.Errorf("batch without an http transport: %q, want ws", got)
	}
}
