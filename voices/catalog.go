// Package voices is Chorus's catalog of downloadable natural (Piper) voices:
// the built-in catalog, downloads that are checked while they stream and
// installed only when whole, and the folder installed voices live in.
package voices

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// CatalogEnv names the environment variable that replaces the built-in
// catalog: a URL (http or https) or a file path.
const CatalogEnv = "CHORUS_VOICE_CATALOG"

//go:embed catalog.json
var builtin []byte

// Catalog is the list of voices that can be downloaded.
type Catalog struct {
	Voices []Voice `json:"voices"`
}

// Voice is one downloadable voice.
type Voice struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Language    string `json:"language"` // BCP 47, e.g. en-GB
	Quality     string `json:"quality"`  // x_low, low, medium, high
	SampleRate  int    `json:"sample_rate"`
	Speakers    int    `json:"speakers"`
	License     string `json:"license"`
	Attribution string `json:"attribution"` // the credit the licence asks for
	Files       []File `json:"files"`
}

// File is one file of a voice: the model or its configuration.
type File struct {
	// Name is where the file goes in the voice's folder: model.onnx or
	// model.onnx.json.
	Name string `json:"name"`
	// URL is absolute, or relative to the catalog's own location.
	URL    string `json:"url"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256,omitempty"`
	MD5    string `json:"md5,omitempty"` // where upstream publishes only MD5
}

// Size is the voice's download size in bytes.
func (v Voice) Size() int64 {
	var n int64
	for _, f := range v.Files {
		n += f.Size
	}
	return n
}

// Find returns the voice with this ID.
func (c *Catalog) Find(id string) (Voice, bool) {
	for _, v := range c.Voices {
		if v.ID == id {
			return v, true
		}
	}
	return Voice{}, false
}

// IDs lists the catalog's voice IDs, in catalog order.
func (c *Catalog) IDs() []string {
	ids := make([]string, len(c.Voices))
	for i, v := range c.Voices {
		ids[i] = v.ID
	}
	return ids
}

// Builtin is the catalog embedded in the binary.
func Builtin() *Catalog {
	c, err := Parse(builtin, "")
	if err != nil {
		panic("voices: built-in catalog: " + err.Error())
	}
	return c
}

// Load returns the catalog named by CHORUS_VOICE_CATALOG, or the built-in
// one when it is unset.
func Load(ctx context.Context, client *http.Client) (*Catalog, error) {
	loc := strings.TrimSpace(os.Getenv(CatalogEnv))
	if loc == "" {
		return Builtin(), nil
	}
	data, err := readLocation(ctx, client, loc)
	if err != nil {
		return nil, fmt.Errorf("voice catalog %s (set by %s): %w", loc, CatalogEnv, err)
	}
	c, err := Parse(data, loc)
	if err != nil {
		return nil, fmt.Errorf("voice catalog %s (set by %s): %w", loc, CatalogEnv, err)
	}
	return c, nil
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

func readLocation(ctx context.Context, client *http.Client, loc string) ([]byte, error) {
	if !isURL(loc) {
		return os.ReadFile(loc)
	}
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the server answered %s", resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 8<<20))
}

// Parse reads a catalog and resolves every relative file URL against base
// (the catalog's URL or file path; "" for the built-in one).
func Parse(data []byte, base string) (*Catalog, error) {
	var c Catalog
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("not a voice catalog: %w", err)
	}
	seen := map[string]bool{}
	for i := range c.Voices {
		v := &c.Voices[i]
		if v.ID == "" || strings.ContainsAny(v.ID, `/\`) || strings.HasPrefix(v.ID, ".") {
			return nil, fmt.Errorf("voice %d has a missing or unsafe id %q", i+1, v.ID)
		}
		if seen[v.ID] {
			return nil, fmt.Errorf("voice %s is listed twice", v.ID)
		}
		seen[v.ID] = true
		if !hasFile(v.Files, ModelFile) || !hasFile(v.Files, ConfigFile) {
			return nil, fmt.Errorf("voice %s needs the files %s and %s", v.ID, ModelFile, ConfigFile)
		}
		for j := range v.Files {
			f := &v.Files[j]
			if f.Name != ModelFile && f.Name != ConfigFile {
				return nil, fmt.Errorf("voice %s: file name %q is not %s or %s", v.ID, f.Name, ModelFile, ConfigFile)
			}
			if f.Size <= 0 || (f.SHA256 == "" && f.MD5 == "") {
				return nil, fmt.Errorf("voice %s: file %s needs a size and a sha256 or md5", v.ID, f.Name)
			}
			u, err := resolve(base, f.URL)
			if err != nil {
				return nil, fmt.Errorf("voice %s: file %s: %w", v.ID, f.Name, err)
			}
			f.URL = u
		}
	}
	return &c, nil
}

func hasFile(files []File, name string) bool {
	for _, f := range files {
		if f.Name == name {
			return true
		}
	}
	return false
}

// resolve makes ref absolute: against base when base is a URL, against
// base's folder when base is a file path.
func resolve(base, ref string) (string, error) {
	if ref == "" {
		return "", fmt.Errorf("no url")
	}
	if isURL(ref) || filepath.IsAbs(ref) || strings.HasPrefix(ref, "file://") {
		return ref, nil
	}
	switch {
	case base == "":
		return "", fmt.Errorf("relative url %q in the built-in catalog", ref)
	case isURL(base):
		b, err := url.Parse(base)
		if err != nil {
			return "", err
		}
		r, err := url.Parse(ref)
		if err != nil {
			return "", err
		}
		return b.ResolveReference(r).String(), nil
	default:
		return filepath.Join(filepath.Dir(base), filepath.FromSlash(ref)), nil
	}
}
