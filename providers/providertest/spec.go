package providertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/vmihailenco/msgpack/v5"
)

// Spec is a provider's official OpenAPI document, ready to check requests
// against. A Server with a Spec validates every request whose route the
// document describes; routes it lacks (WebSockets, listings it leaves
// out) pass unchecked.
type Spec struct {
	// ToJSON turns bodies of a media type the validator cannot read into
	// JSON first, keyed by media type, e.g. "application/msgpack":
	// MessagePackToJSON. The JSON is then checked against the schema the
	// document gives for that media type.
	ToJSON map[string]func(body []byte) ([]byte, error)

	doc    *openapi3.T
	router routers.Router
}

// LoadSpec reads an OpenAPI document (JSON or YAML) and builds a router
// over its paths. Paths are matched relative to the server's base path,
// so the document's own servers are dropped. patches, when given, adjust
// the document before the router is built (e.g. to widen an enum the
// provider's contract documents and the older document lacks).
func LoadSpec(path string, patches ...func(*openapi3.T)) (*Spec, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading the spec %s: %w", path, err)
	}
	doc.Servers = nil
	for _, p := range patches {
		p(doc)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("routing the spec %s: %w", path, err)
	}
	return &Spec{doc: doc, router: router}, nil
}

// Doc returns the loaded document.
func (s *Spec) Doc() *openapi3.T { return s.doc }

// Validate checks r (whose body is body) against the document. path is
// the request's path relative to the service's base path. checked is
// false when the document has no such route; problem is "" when the
// request follows the document, else the validator's message. Top-level
// body fields the schema does not declare are refused too, to catch
// misspellings the schema would let through.
func (s *Spec) Validate(r *http.Request, path string, body []byte) (checked bool, problem string) {
	q := r.Clone(context.Background())
	q.URL.Path, q.URL.RawPath = path, ""
	ctype := MediaType(r.Header.Get("Content-Type"))
	if conv := s.ToJSON[ctype]; conv != nil && len(body) > 0 {
		j, err := conv(body)
		if err != nil {
			return true, fmt.Sprintf("the %s body cannot be read: %v", ctype, err)
		}
		body = j
		q.Header = q.Header.Clone()
		q.Header.Set("Content-Type", "application/json")
		ctype = "application/json"
	}
	q.Body = io.NopCloser(bytes.NewReader(body))
	q.ContentLength = int64(len(body))
	route, params, err := s.router.FindRoute(q)
	if err != nil {
		return false, ""
	}
	in := &openapi3filter.RequestValidationInput{Request: q, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		return true, brief(err.Error())
	}
	if rb := route.Operation.RequestBody; rb != nil && rb.Value != nil && len(body) > 0 {
		if mt := rb.Value.Content.Get(ctype); mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
			if extra := unknownFields(body, mt.Schema.Value); len(extra) > 0 {
				return true, "body fields the schema does not declare: " + strings.Join(extra, ", ")
			}
		}
	}
	return true, ""
}

// readable returns body as the validator saw it: converted to JSON when
// ToJSON has a converter for its media type.
func (s *Spec) readable(ctype string, body []byte) []byte {
	if conv := s.ToJSON[MediaType(ctype)]; conv != nil {
		if j, err := conv(body); err == nil {
			return j
		}
	}
	return body
}

// brief keeps the validator's findings and drops the schema and value
// dumps it appends to each.
func brief(msg string) string {
	var keep []string
	skipping := false
	for _, l := range strings.Split(msg, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case t == "Schema:" || t == "Value:":
			skipping = true
		case skipping && (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") || t == ""):
		default:
			skipping = false
			keep = append(keep, t)
		}
	}
	return strings.Join(keep, "; ")
}

// unknownFields lists the body's top-level keys that schema (an object
// with properties) does not declare; nothing when the schema declares no
// properties or explicitly allows more.
func unknownFields(body []byte, schema *openapi3.Schema) []string {
	if len(schema.Properties) == 0 || (schema.AdditionalProperties.Has != nil && *schema.AdditionalProperties.Has) ||
		schema.AdditionalProperties.Schema != nil {
		return nil
	}
	var out []string
	for k := range Fields(body) {
		if _, ok := schema.Properties[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// MessagePackToJSON turns a MessagePack body into JSON for Spec.ToJSON.
// Binary values become strings that say their size (what a schema's
// "format: binary" string checks is the type; copying seconds of audio
// into the JSON would only slow the check down).
func MessagePackToJSON(body []byte) ([]byte, error) {
	var v any
	if err := msgpack.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	return json.Marshal(jsonable(v))
}

// jsonable rewrites what MessagePack decodes into values encoding/json
// takes: maps with any keys into string-keyed maps, bytes into base64.
func jsonable(v any) any {
	switch x := v.(type) {
	case []byte:
		return fmt.Sprintf("<%d bytes>", len(x))
	case map[string]any:
		for k, e := range x {
			x[k] = jsonable(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = jsonable(e)
		}
		return x
	}
	return v
}

var specs sync.Map // path → *Spec, for SpecFile

// SpecFile loads the OpenAPI document at path once per test binary and
// fails t when it cannot be loaded.
func SpecFile(t testing.TB, path string) *Spec {
	t.Helper()
	if s, ok := specs.Load(path); ok {
		return s.(*Spec)
	}
	s, err := LoadSpec(path)
	if err != nil {
		t.Fatal(err)
	}
	specs.Store(path, s)
	return s
}
