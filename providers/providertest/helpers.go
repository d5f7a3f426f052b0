package providertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"chorus/providers"
)

// Bearer reports whether r carries "Authorization: Bearer <key>".
func Bearer(r *http.Request, key string) bool {
	return r.Header.Get("Authorization") == "Bearer "+key
}

// DecodeJSON decodes a request body into v and rejects fields v does not
// declare, the way services with "additionalProperties: false" do. The
// error names the offending field.
func DecodeJSON(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("invalid JSON body: %v", err)
	}
	return nil
}

// Fields returns the top-level keys of a JSON object body, for fakes that
// check required fields were sent at all (not just non-zero).
func Fields(body []byte) map[string]bool {
	var m map[string]json.RawMessage
	json.Unmarshal(body, &m)
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// WriteChunks writes data in chunks of size bytes, flushing after each,
// as a streaming service does. It stops when the client goes away.
func WriteChunks(w http.ResponseWriter, data []byte, size int) {
	rc := http.NewResponseController(w)
	for len(data) > 0 {
		k := min(size, len(data))
		if _, err := w.Write(data[:k]); err != nil {
			return
		}
		rc.Flush()
		data = data[k:]
	}
}

// Split cuts data into n nearly equal chunks (fewer when data is short):
// handy for fakes that frame audio as several SSE or NDJSON events.
func Split(data []byte, n int) [][]byte {
	size := (len(data) + n - 1) / n
	if size == 0 {
		return nil
	}
	var out [][]byte
	for len(data) > 0 {
		k := min(size, len(data))
		out = append(out, data[:k])
		data = data[k:]
	}
	return out
}

// MediaType returns the media type of a header value without parameters.
func MediaType(v string) string {
	t, _, _ := strings.Cut(v, ";")
	return strings.ToLower(strings.TrimSpace(t))
}

// Start serves fake as NewServer does and builds a provider against it with
// newProvider, configured with key; it fails the test if that fails.
func Start(t testing.TB, newProvider func(providers.Config) (providers.Provider, error), fake Fake, basePath, key string) (*Server, providers.Provider) {
	t.Helper()
	s := NewServer(t, fake, basePath)
	p, err := newProvider(s.Config(key))
	if err != nil {
		t.Fatal(err)
	}
	return s, p
}

// ReadAll synthesizes req with p and reads the whole audio. The audio is
// nil when Synthesize fails; err is from Synthesize or from reading.
func ReadAll(p providers.Provider, req providers.Request) (*providers.Audio, []byte, error) {
	a, err := providers.Checked(p).Synthesize(context.Background(), req)
	if err != nil {
		return nil, nil, err
	}
	defer a.Body.Close()
	b, err := io.ReadAll(a.Body)
	return a, b, err
}

// RefusesModel synthesizes req (whose Model the API's closed list lacks)
// and fails t unless a validation error came back that names every model
// in allowed, before any request reached s.
func RefusesModel(t testing.TB, s *Server, p providers.Provider, req providers.Request, allowed []string) {
	t.Helper()
	s.Set(nil)
	_, err := providers.Checked(p).Synthesize(context.Background(), req)
	if !providers.IsValidation(err) {
		t.Fatalf("model %q: got %v, want a validation error", req.Model, err)
	}
	for _, m := range allowed {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("the error %q does not name the allowed model %s", err, m)
		}
	}
	if n := s.Requests(); n != 0 {
		t.Errorf("%d requests were sent with the unknown model %q", n, req.Model)
	}
}

// Strings turns an OpenAPI enum into strings.
func Strings(enum []any) []string {
	out := make([]string, 0, len(enum))
	for _, v := range enum {
		out = append(out, fmt.Sprint(v))
	}
	return out
}
