//go:build linux

package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"chorus/audio"
	"chorus/internal/audiotest"
	"chorus/internal/screentext/xcliptest"
	"chorus/internal/scripted"
	"chorus/providers"
)

// perRune is how long the fake provider speaks each character, so that the
// file's duration tells which text it was given.
const perRune = 0.02

// wavSeconds reads a 16-bit mono WAV's duration from its header.
func wavSeconds(t *testing.T, path string) float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 44 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Fatalf("%s is not a WAV file (%v)", path, err)
	}
	rate := binary.LittleEndian.Uint32(b[24:28])
	block := binary.LittleEndian.Uint16(b[32:34])
	for i := 12; i+8 <= len(b); {
		size := binary.LittleEndian.Uint32(b[i+4 : i+8])
		if string(b[i:i+4]) == "data" {
			return float64(size) / float64(rate) / float64(block)
		}
		i += 8 + int(size) + int(size&1)
	}
	t.Fatalf("%s has no data chunk", path)
	return 0
}

func TestSpeakClipboardAndSelectionSpeakExactlyThatText(t *testing.T) {
	audiotest.RequireReal(t)
	t.Setenv("WAYLAND_DISPLAY", "")
	xcliptest.PrivateDisplay(t)
	p := scripted.Register(t, &scripted.Provider{ID: "cli-screen",
		Respond: func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
			secs := perRune * float64(utf8.RuneCountInString(req.Text))
			return &providers.Audio{Body: io.NopCloser(bytes.NewReader(scripted.ToneWAV(24000, secs, 440))), Encoding: audio.WAV, Requests: 1}, nil
		}})
	clip := "The clipboard's text — copied from another app, with ünïcode."
	prim := "Only the highlighted words."
	xcliptest.Own(t, "clipboard", "UTF8_STRING", []byte(clip))
	xcliptest.Own(t, "primary", "UTF8_STRING", []byte(prim))
	dir := t.TempDir()
	for i, c := range []struct{ flag, want string }{{"--clipboard", clip}, {"--selection", prim}} {
		out := filepath.Join(dir, c.flag[2:]+".wav")
		r := run(t, "", "speak", c.flag, "--provider", "cli-screen", "--out", out)
		if r.code != ExitOK {
			t.Fatalf("speak %s: exit %d: %s", c.flag, r.code, r.stderr)
		}
		if got := p.Requests()[i].Text; got != c.want {
			t.Errorf("speak %s sent %q, want %q", c.flag, got, c.want)
		}
		want := perRune * float64(utf8.RuneCountInString(c.want))
		if got := wavSeconds(t, out); got < want-0.01 || got > want+0.01 {
			t.Errorf("speak %s wrote %.3f s, want %.3f s", c.flag, got, want)
		}
	}
}

func TestSpeakImageClipboardSaysSo(t *testing.T) {
	audiotest.RequireReal(t)
	t.Setenv("WAYLAND_DISPLAY", "")
	xcliptest.PrivateDisplay(t)
	p := scripted.Register(t, &scripted.Provider{ID: "cli-screen-img"})
	xcliptest.Own(t, "clipboard", "image/png", []byte("\x89PNG\r\n\x1a\n"))
	r := run(t, "", "speak", "--clipboard", "--provider", "cli-screen-img", "--out", filepath.Join(t.TempDir(), "x.wav"))
	if r.code != ExitUsage || !strings.Contains(r.stderr, "the clipboard holds an image, not text") {
		t.Errorf("image clipboard: exit %d: %s", r.code, r.stderr)
	}
	if len(p.Requests()) != 0 {
		t.Errorf("the provider was asked to speak an image: %v", p.Requests())
	}
	if r := run(t, "", "speak", "--clipboard", "--selection"); r.code != ExitUsage {
		t.Errorf("--clipboard --selection: exit %d", r.code)
	}
}
