package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"chorus/audio"
	"chorus/internal/scripted"
	"chorus/longtext"
	"chorus/providers"
)

// longProvider answers each chunk with 0.3 s of tone after a short delay
// and holds the third chunk until release is closed, so the test can look
// at the window mid-way.
func longProvider(t *testing.T, id string, release chan struct{}) *scripted.Provider {
	p := scripted.Register(t, &scripted.Provider{ID: id, Caps: providers.Capabilities{
		Models: []providers.Model{{ID: "m1"}}, Formats: []string{"wav"}, Speed: providers.Range{Min: 0.5, Max: 2, Default: 1},
		MaxChars: 60, Concurrency: 1, Streaming: true,
	}})
	var mu sync.Mutex
	n := 0
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		mu.Lock()
		n++
		k := n
		mu.Unlock()
		if k == 3 && release != nil {
			select {
			case <-release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return &providers.Audio{Body: io.NopCloser(bytes.NewReader(scripted.ToneWAV(24000, 0.3, 440))), Encoding: audio.WAV}, nil
	}
	return p
}

const story = "The first sentence is here. The second one follows it. A third sentence comes next. " +
	"Then there is a fourth. The fifth is short. The sixth ends the story."

func TestOpenTextAndMarkdownFiles(t *testing.T) {
	s, _ := newTestStudio(t)
	longProvider(t, "ui-open", nil)
	s.RefreshProviders()
	s.selectProvider("ui-open")
	dir := t.TempDir()
	md := filepath.Join(dir, "notes.md")
	os.WriteFile(md, []byte("# Title\n\nSome **bold** text with a [link](http://x.y).\r\n\n- item one\n"), 0o644)
	s.OpenTextFile(md)
	if s.Text.Text != "Title.\n\nSome bold text with a link.\n\nitem one\n" {
		t.Errorf("markdown opened as %q", s.Text.Text)
	}
	txt := filepath.Join(dir, "story.txt")
	os.WriteFile(txt, []byte(story), 0o644)
	s.OpenTextFile(txt)
	if s.Text.Text != story || !strings.Contains(s.Status.Text, "Opened story.txt") {
		t.Errorf("text %q, status %q", s.Text.Text, s.Status.Text)
	}
	if c := s.Count.Text; !strings.Contains(c, "60 per request") || !strings.Contains(c, "chunks") {
		t.Errorf("count %q", c)
	}
	// Anything else leaves the editor alone and says why.
	pdf := filepath.Join(dir, "book.pdf")
	os.WriteFile(pdf, []byte("%PDF"), 0o644)
	s.OpenTextFile(pdf)
	bin := filepath.Join(dir, "latin1.txt")
	os.WriteFile(bin, []byte{0xe9, 0x20, 0xff}, 0o644)
	s.OpenTextFile(bin)
	if s.Text.Text != story || !strings.Contains(s.Status.Text, "UTF-8") {
		t.Errorf("bad files changed the editor or said nothing: %q", s.Status.Text)
	}
}

func TestLongSpeakShowsProgressAndHighlight(t *testing.T) {
	s, sink := newTestStudio(t)
	release := make(chan struct{})
	p := longProvider(t, "ui-long", release)
	s.RefreshProviders()
	s.selectProvider("ui-long")
	s.Text.SetText(story)
	s.long.Concurrency.SetText("1")
	chunks, _ := longtext.Split(story, 60)
	want := len(chunks)
	s.Speak()
	l := s.LongText()
	eventually(t, "progress shown", func() bool {
		return l.panel.Visible() && strings.Contains(l.ProgressLabel.Text, fmt.Sprintf("/%d chunks", want))
	})
	eventually(t, "a sentence highlighted", func() bool { return s.Highlighted() != "" })
	if h := s.Highlighted(); !strings.Contains(story, h) || !strings.HasSuffix(h, ".") {
		t.Errorf("highlight %q is not a sentence of the text", h)
	}
	if !l.reading.Visible() {
		t.Error("reading view hidden while speaking")
	}
	close(release)
	eventually(t, "done", func() bool { return strings.HasPrefix(s.Status.Text, "Done") })
	if l.panel.Visible() || l.reading.Visible() {
		t.Error("progress or reading view still shown after the end")
	}
	if len(p.Requests()) != want || want < 3 || len(sink.Samples()) == 0 {
		t.Errorf("%d requests", len(p.Requests()))
	}
}

func TestSpeakFromHere(t *testing.T) {
	s, _ := newTestStudio(t)
	p := longProvider(t, "ui-from", nil)
	s.RefreshProviders()
	s.selectProvider("ui-from")
	s.Text.SetText("Line one is here.\nThe second line has two sentences. Cursor goes here.")
	s.Text.CursorRow, s.Text.CursorColumn = 1, 40 // inside "Cursor goes here."
	s.SpeakFromHere()
	eventually(t, "done", func() bool { return !s.Busy() && strings.HasPrefix(s.Status.Text, "Done") })
	if r := p.Requests(); len(r) != 1 || r[0].Text != "Cursor goes here." {
		t.Errorf("requests %+v", r)
	}
}
