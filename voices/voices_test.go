package voices

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestBuiltinCatalog(t *testing.T) {
	c := Builtin()
	english := 0
	for _, v := range c.Voices {
		if strings.HasPrefix(v.Language, "en-") {
			english++
		}
		for _, f := range v.Files {
			if !strings.Contains(f.URL, "/resolve/v1.0.0/") {
				t.Errorf("%s %s: url %s is not pinned to a revision", v.ID, f.Name, f.URL)
			}
		}
		if v.License == "" || v.Attribution == "" {
			t.Errorf("%s: licence or attribution missing", v.ID)
		}
	}
	if english < 4 || english > 6 {
		t.Errorf("%d English voices, want 4 to 6", english)
	}
	if v, ok := c.Find("en_GB-jenny_dioco-medium"); !ok || v.Attribution != "Jenny (Dioco)" {
		t.Errorf("Jenny: %+v %v", v, ok)
	}
}

func TestRelativeURLs(t *testing.T) {
	data := []byte(`{"voices":[{"id":"x","files":[{"name":"model.onnx","url":"m/x.onnx","size":1,"md5":"a"},{"name":"model.onnx.json","url":"https://other/x.json","size":1,"md5":"b"}]}]}`)
	c, err := Parse(data, "http://host/cat/catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Voices[0].Files[0].URL; got != "http://host/cat/m/x.onnx" {
		t.Errorf("url relative to a URL: %s", got)
	}
	if got := c.Voices[0].Files[1].URL; got != "https://other/x.json" {
		t.Errorf("absolute url changed: %s", got)
	}
	c, err = Parse(data, "/srv/mirror/catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Voices[0].Files[0].URL; got != "/srv/mirror/m/x.onnx" {
		t.Errorf("url relative to a file: %s", got)
	}
	if _, err := Parse([]byte(`{"voices":[{"id":"../x","files":[]}]}`), ""); err == nil {
		t.Error("an unsafe id was accepted")
	}
}

func TestMetadataProps(t *testing.T) {
	b := MetadataProps([][2]string{{"a", "bc"}})
	// field 14, length 7: { field 1 "a", field 2 "bc" }
	want := []byte{0x72, 7, 0x0a, 1, 'a', 0x12, 2, 'b', 'c'}
	if string(b) != string(want) {
		t.Errorf("got % x, want % x", b, want)
	}
	if got := string(Tokens(map[string][]int{"b": {2}, "_": {0}, " ": {3}})); got != "_ 0\nb 2\n  3\n" {
		t.Errorf("tokens: %q", got)
	}
}

// fakeVoice serves a tiny configuration and a stand-in model through a
// catalog, with the model's body optionally cut short.
func fakeVoice(t *testing.T, cut bool, badDigest bool) (*Catalog, func() int) {
	return fakeVoiceStall(t, cut, badDigest, nil)
}

// fakeVoiceStall is fakeVoice whose model, when stalled is not nil, stops
// after 100 kB: it closes stalled and waits for the client to go away.
func fakeVoiceStall(t *testing.T, cut bool, badDigest bool, stalled chan struct{}) (*Catalog, func() int) {
	model := append([]byte{0x08, 0x07}, make([]byte, 300_000)...)
	cfg := []byte(`{"audio":{"sample_rate":22050},"espeak":{"voice":"en-gb"},"language":{"name_english":"English"},"num_speakers":2,"speaker_id_map":{"amy":0,"bob":1},"phoneme_id_map":{"_":[0],"a":[14]}}`)
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		switch r.URL.Path {
		case "/v/model.onnx":
			w.Header().Set("Content-Length", "300002")
			if stalled != nil {
				w.Write(model[:100_000])
				w.(http.Flusher).Flush()
				close(stalled)
				<-r.Context().Done()
				return
			}
			if cut {
				w.Write(model[:100_000])
				panic(http.ErrAbortHandler)
			}
			w.Write(model)
		case "/v/model.onnx.json":
			w.Write(cfg)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	ms := sum(model)
	if badDigest {
		ms = sum([]byte("other"))
	}
	cat := `{"voices":[{"id":"fake","name":"Fake","language":"en-GB","license":"x","attribution":"y","files":[` +
		`{"name":"model.onnx","url":"v/model.onnx","size":300002,"sha256":"` + ms + `"},` +
		`{"name":"model.onnx.json","url":"v/model.onnx.json","size":` + itoa(len(cfg)) + `,"sha256":"` + sum(cfg) + `"}]}]}`
	c, err := Parse([]byte(cat), srv.URL+"/catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	return c, func() int { return hits }
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestInstallGoodCutAndWrongDigest(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name           string
		cut, badDigest bool
	}{{"cut", true, false}, {"wrong digest", false, true}} {
		c, _ := fakeVoice(t, tc.cut, tc.badDigest)
		_, err := Install(context.Background(), dir, c.Voices[0], Options{})
		if err == nil {
			t.Fatalf("%s: installed", tc.name)
		}
		if tc.badDigest && !errors.Is(err, ErrDigest) {
			t.Errorf("%s: %v is not ErrDigest", tc.name, err)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("%s left %v behind", tc.name, ents)
		}
	}
	c, _ := fakeVoice(t, false, false)
	var last Progress
	inst, err := Install(context.Background(), dir, c.Voices[0], Options{Progress: func(p Progress) { last = p }})
	if err != nil {
		t.Fatal(err)
	}
	if last.Done != c.Voices[0].Size() || last.Total != last.Done {
		t.Errorf("last progress %+v", last)
	}
	if inst.Speakers != 2 || len(inst.Speaker) != 2 || inst.Speaker[1] != "bob" {
		t.Errorf("speakers %+v", inst.Speaker)
	}
	model, _ := os.ReadFile(inst.Path(ModelFile))
	if !strings.Contains(string(model), "model_type") || !strings.Contains(string(model[300002:]), "n_speakers") {
		t.Error("metadata not appended to the model")
	}
	tokens, _ := os.ReadFile(inst.Path(TokensFile))
	if string(tokens) != "_ 0\na 14\n" {
		t.Errorf("tokens %q", tokens)
	}
	list, _ := List(dir)
	if len(list) != 1 || list[0].ID != "fake" {
		t.Errorf("list %+v", list)
	}
	if err := Remove(dir, "fake"); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("remove left %v", ents)
	}
	if err := Remove(dir, "fake"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("second remove: %v", err)
	}
}

func TestInstallCancelled(t *testing.T) {
	dir := t.TempDir()
	stalled := make(chan struct{})
	c, _ := fakeVoiceStall(t, false, false, stalled)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-stalled; cancel() }()
	_, err := Install(ctx, dir, c.Voices[0], Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("cancel left %v", ents)
	}
}
