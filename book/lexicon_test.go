package book

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"chorus/core"
	"chorus/internal/scripted"
	"chorus/providers"
	"chorus/providers/local"
)

func TestLexiconPhonemeSyntaxRoundTrips(t *testing.T) {
	text := "tomato = /təˈmɑːtoʊ/ [[t@m'A:toU]] tuh-MAH-toe\nGIF == /dʒɪf/\nnguyen = win\nquinoa = [[k'i:nw,A:]]\n"
	lx, err := ParseLexicon(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	want := Lexicon{
		{Word: "tomato", IPA: "təˈmɑːtoʊ", Espeak: "t@m'A:toU", Replacement: "tuh-MAH-toe"},
		{Word: "GIF", IPA: "dʒɪf", MatchCase: true},
		{Word: "nguyen", Replacement: "win"},
		{Word: "quinoa", Espeak: "k'i:nw,A:"},
	}
	if len(lx) != len(want) {
		t.Fatalf("parsed %+v", lx)
	}
	for i := range want {
		if lx[i] != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, lx[i], want[i])
		}
	}
	if got := lx.Text(); got != text {
		t.Fatalf("written back as\n%s\nwant\n%s", got, text)
	}
	for _, bad := range []string{"tomato = /təˈmɑːtoʊ tomahto", "x = //", "x = [[abc", "x = /a/ /b/"} {
		if _, err := ParseLexicon(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: error %v", bad, err)
		}
	}
}

func TestApplyForPhonemesFallbackAndEscaping(t *testing.T) {
	lx := Lexicon{{Word: "tomato", IPA: `tə"ˈmɑː<toʊ`, Espeak: "t@m'A:toU", Replacement: "tuh-MAH-toe"}, {Word: "ipa", Replacement: "eye-pea-ay"}}
	text := "Tomato & <basil>, tomatoes; ipa."
	got, err := lx.ApplyFor(text, []string{providers.PhonemesIPA}, "v")
	if err != nil {
		t.Fatal(err)
	}
	// The tag's own "ipa" is never matched again; the rest is escaped.
	want := `<phoneme alphabet="ipa" ph="tə&quot;ˈmɑː&lt;toʊ">Tomato</phoneme> &amp; &lt;basil&gt;, tomatoes; eye-pea-ay.`
	if got != want {
		t.Errorf("IPA:\n got %s\nwant %s", got, want)
	}
	if got, _ := lx.ApplyFor(text, []string{providers.PhonemesEspeak}, "v"); got != "[[t@m'A:toU]] & <basil>, tomatoes; eye-pea-ay." {
		t.Errorf("espeak: %s", got)
	}
	if got, _ := lx.ApplyFor(text, nil, "v"); got != "tuh-MAH-toe & <basil>, tomatoes; eye-pea-ay." {
		t.Errorf("fallback: %s", got)
	}
	only := Lexicon{{Word: "tomato", IPA: "təˈmɑːtoʊ"}}
	_, err = only.ApplyFor("A tomato.", []string{providers.PhonemesEspeak}, "Local (espeak-ng)")
	if !errors.Is(err, ErrNoPhonemes) || !strings.Contains(err.Error(), `"tomato"`) || !strings.Contains(err.Error(), "Local (espeak-ng)") ||
		!strings.Contains(err.Error(), "tomato = /təˈmɑːtoʊ/ respelling") {
		t.Errorf("IPA only, espeak voice: %v", err)
	}
	if got, err := only.ApplyFor("No such word here.", nil, "v"); err != nil || got != "No such word here." {
		t.Errorf("an entry not in the text is no error: %q %v", got, err)
	}
}

func TestPhonemesReachOnlyTheProviderThatTakesThem(t *testing.T) {
	caps := func(ph []string) providers.Capabilities {
		return providers.Capabilities{Models: []providers.Model{{ID: "m1"}, {ID: "m2", Phonemes: ph}}, Formats: []string{"wav"}}
	}
	ssml := scripted.Register(t, &scripted.Provider{ID: "lex-ssml", Caps: caps([]string{providers.PhonemesIPA}), Respond: tone(0.2, 440, 0.1)})
	plain := scripted.Register(t, &scripted.Provider{ID: "lex-plain", Caps: caps(nil), Respond: tone(0.2, 440, 0.1)})
	lx, err := ParseLexicon(strings.NewReader("tomato = /təˈmɑːtoʊ/ tuh-MAH-toe\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := &Renderer{Engine: &core.Engine{}, Lexicon: lx, Cast: Cast{
		"ssml": {Provider: "lex-ssml", Model: "m2"}, "ssmlold": {Provider: "lex-ssml", Model: "m1"}, "plain": {Provider: "lex-plain", Model: "m2"}}}
	text := "[voice: ssml]\nA tomato & salt.\n[voice: ssmlold]\nA tomato & salt.\n[voice: plain]\nA tomato & salt."
	if _, err := r.RenderChapter(context.Background(), text, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	rs := ssml.Requests()
	if len(rs) != 2 || rs[0].Text != `A <phoneme alphabet="ipa" ph="təˈmɑːtoʊ">tomato</phoneme> &amp; salt.` {
		t.Fatalf("the model that reads phonemes got %+v", rs)
	}
	if rs[1].Text != "A tuh-MAH-toe & salt." {
		t.Errorf("the model that does not got %q", rs[1].Text)
	}
	if rp := plain.Requests(); len(rp) != 1 || rp[0].Text != "A tuh-MAH-toe & salt." {
		t.Errorf("the provider without phonemes got %+v", rp)
	}

	// No respelling: the render stops before anything is sent.
	r.Lexicon = Lexicon{{Word: "tomato", IPA: "təˈmɑːtoʊ"}}
	bk := &Book{Chapters: []Chapter{{Title: "One", Text: "[voice: ssml]\nA tomato."}, {Title: "Two", Text: "[voice: plain]\nA tomato."}}}
	_, err = r.Render(context.Background(), bk)
	if !errors.Is(err, ErrNoPhonemes) || !strings.Contains(err.Error(), "chapter 2 (Two)") || !strings.Contains(err.Error(), `"tomato"`) {
		t.Fatalf("render without a respelling: %v", err)
	}
	if len(ssml.Requests()) != 2 || len(plain.Requests()) != 1 {
		t.Fatal("requests were sent before the lexicon was checked")
	}
}

// TestEspeakNgReadsItsPhonemes runs the real espeak-ng through a wrapper
// that keeps what it receives on stdin.
func TestEspeakNgReadsItsPhonemes(t *testing.T) {
	real, err := exec.LookPath("espeak-ng")
	if err != nil {
		t.Fatal("espeak-ng is needed (scripts/deps.sh installs it)")
	}
	dir := t.TempDir()
	got := filepath.Join(dir, "stdin.txt")
	wrapper := filepath.Join(dir, "espeak-ng")
	script := "#!/bin/sh\ntee '" + got + "' | exec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	old := local.Program
	local.Program = wrapper
	t.Cleanup(func() { local.Program = old })

	lx, err := ParseLexicon(strings.NewReader("tomato = /təˈmɑːtoʊ/ [[p@t'eItoU]] tuh-MAH-toe\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := &Renderer{Engine: &core.Engine{}, Default: Voice{Provider: local.ID}, Lexicon: lx, Rate: local.SampleRate}
	if _, err := r.RenderChapter(context.Background(), "I say tomato today.", &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	sent, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	if string(sent) != "I say [[p@t'eItoU]] today." {
		t.Fatalf("espeak-ng received %q", sent)
	}
	// What espeak-ng makes of it: the phonemes given, not its own tomato.
	cmd := exec.Command(real, "-q", "-x")
	cmd.Stdin = bytes.NewReader(sent)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.TrimSpace(string(out)); !strings.Contains(s, "p@t'eItoU") || strings.Contains(s, "t@m") {
		t.Fatalf("espeak-ng spoke %q", s)
	}

	// IPA only: espeak-ng cannot take it (its SSML ignores <phoneme ph>),
	// so the render names the word before espeak-ng runs.
	os.Remove(got)
	r.Lexicon = Lexicon{{Word: "tomato", IPA: "təˈmɑːtoʊ"}}
	_, err = r.Render(context.Background(), &Book{Chapters: []Chapter{{Title: "One", Text: "I say tomato."}}})
	if !errors.Is(err, ErrNoPhonemes) || !strings.Contains(err.Error(), "Local (espeak-ng)") {
		t.Fatalf("IPA only with espeak-ng: %v", err)
	}
	if _, err := os.Stat(got); err == nil {
		t.Fatal("espeak-ng ran although the lexicon could not be applied")
	}
}
