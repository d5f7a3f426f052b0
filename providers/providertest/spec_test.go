package providertest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

func TestSpecValidate(t *testing.T) {
	s := SpecFile(t, "testdata/mini.json")
	s.ToJSON = map[string]func([]byte) ([]byte, error){"application/msgpack": MessagePackToJSON}
	pack := func(v any) string { b, _ := msgpack.Marshal(v); return string(b) }
	cases := []struct {
		name, method, path, ctype, model, body string
		checked                                bool
		problem                                string // "" = follows the spec
	}{
		{"OK", "POST", "/speak", "application/json", "m1", `{"text":"hi","format":"wav"}`, true, ""},
		{"BadEnum", "POST", "/speak", "application/json", "", `{"text":"hi","format":"ogg"}`, true, "format"},
		{"TooLong", "POST", "/speak", "application/json", "", `{"text":"` + strings.Repeat("a", 21) + `"}`, true, "text"},
		{"Missing", "POST", "/speak", "application/json", "", `{"format":"mp3"}`, true, "text"},
		{"UnknownField", "POST", "/speak", "application/json", "", `{"text":"hi","fromat":"mp3"}`, true, "fromat"},
		{"BadHeader", "POST", "/speak", "application/json", "m9", `{"text":"hi"}`, true, "model"},
		{"MsgpackOK", "POST", "/speak", "application/msgpack", "m2", pack(map[string]any{"text": "hi", "ref": map[string]any{"audio": []byte{0, 255, 1}}}), true, ""},
		{"MsgpackBad", "POST", "/speak", "application/msgpack", "", pack(map[string]any{"text": 3}), true, "text"},
		{"NotInSpec", "GET", "/live", "", "", ``, false, ""},
		{"WrongMethod", "GET", "/speak", "", "", ``, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := http.NewRequest(c.method, "http://fake/v1"+c.path, strings.NewReader(c.body))
			if c.ctype != "" {
				r.Header.Set("Content-Type", c.ctype)
			}
			if c.model != "" {
				r.Header.Set("model", c.model)
			}
			checked, problem := s.Validate(r, c.path, []byte(c.body))
			if checked != c.checked {
				t.Fatalf("checked = %v, want %v (problem %q)", checked, c.checked, problem)
			}
			if (problem == "") != (c.problem == "") || !strings.Contains(problem, c.problem) {
				t.Fatalf("problem %q, want one mentioning %q", problem, c.problem)
			}
		})
	}
}

// recorder is a testing.TB that keeps what Errorf reports.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors...)
}

type echoFake struct{ status atomic.Int32 }

func (f *echoFake) ServeHTTP(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }
func (f *echoFake) WriteError(w http.ResponseWriter, status int, message string) {
	f.status.Store(int32(status))
	http.Error(w, message, status)
}

// TestServerRefusesWhatTheSpecRefuses: a request the spec refuses fails
// the test and is answered as an error; one it accepts is counted.
func TestServerRefusesWhatTheSpecRefuses(t *testing.T) {
	fake := &echoFake{}
	s := NewServer(t, fake, "/v1")
	s.Spec = SpecFile(t, "testdata/mini.json")
	rec := &recorder{TB: t}
	s.reportTo(rec)
	post := func(body string) int {
		resp, err := s.Client.Post(s.URL+"/speak", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(`{"text":"hi"}`); code != 200 || len(rec.got()) != 0 || s.Validated() != 1 {
		t.Fatalf("a valid request: status %d, errors %v, validated %d", code, rec.got(), s.Validated())
	}
	if code := post(`{"text":"hi","format":"ogg"}`); code != 422 || fake.status.Load() != 422 || len(rec.got()) != 1 {
		t.Fatalf("an invalid request: status %d, errors %v", code, rec.got())
	}
	if !strings.Contains(rec.got()[0], "format") {
		t.Errorf("the failure does not carry the validator's message: %s", rec.got()[0])
	}
	resp, err := s.Client.Get(s.URL + "/elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if s.Validated() != 2 || len(rec.got()) != 1 {
		t.Errorf("a route the spec lacks was checked: validated %d, errors %v", s.Validated(), rec.got())
	}
}
