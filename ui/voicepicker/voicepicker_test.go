package voicepicker

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"chorus/providers"
)

var sample = []providers.Voice{
	{ID: "af_heart", Name: "Heart", Language: "en-US", Gender: "female"},
	{ID: "bm_george", Name: "George", Language: "en-GB", Gender: "male", Accent: "British"},
	{ID: "pf_dora", Name: "Dora", Language: "pt-BR", Gender: "female"},
}

// open puts a picker with the sample voices in a test window.
func open(t *testing.T) (*Picker, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	p := New(nil)
	w := test.NewTempWindow(t, p)
	w.Resize(fyne.NewSize(500, 200))
	p.SetVoices(sample)
	return p, w
}

func TestFilterAsYouTypeAndCount(t *testing.T) {
	p, _ := open(t)
	if p.Count.Text != "3 voices" {
		t.Errorf("count %q before typing, want 3 voices", p.Count.Text)
	}
	var heard []int
	p.OnFilter = func(shown, total int, query string) { heard = append(heard, shown, total) }
	for _, c := range []struct {
		typed string
		want  []string // voice IDs listed
		count string
	}{
		{"BRIT", []string{"bm_george"}, "1 of 3 voices"},                       // accent, any case
		{"pt-br", []string{"pf_dora"}, "1 of 3 voices"},                        // language
		{"female", []string{"af_heart", "pf_dora"}, "2 of 3 voices"},           // gender
		{"dora", []string{"pf_dora"}, "1 of 3 voices"},                         // name
		{"zzz", []string{"af_heart", "bm_george", "pf_dora"}, "0 of 3 voices"}, // nothing matches: all stay on offer
	} {
		p.Entry.SetText("")
		test.Type(p.Entry, c.typed)
		var ids []string
		for _, l := range p.Listed() {
			ids = append(ids, p.Choices()[l])
		}
		if !slices.Equal(ids, c.want) {
			t.Errorf("%q lists %v, want %v", c.typed, ids, c.want)
		}
		if p.Count.Text != c.count {
			t.Errorf("%q: count %q, want %q", c.typed, p.Count.Text, c.count)
		}
	}
	if len(heard) == 0 || heard[len(heard)-1] != 3 || heard[len(heard)-2] != 0 {
		t.Errorf("OnFilter heard %v, want the last (0, 3)", heard)
	}
	p.Entry.SetText("")
	if len(p.Listed()) != 3 || p.Count.Text != "3 voices" {
		t.Errorf("an empty field lists %d voices, count %q", len(p.Listed()), p.Count.Text)
	}
}

// Picking from the drop-down (with the keyboard, as a person would) fills
// the field with the voice's label and clears the filter.
func TestPickClearsFilter(t *testing.T) {
	p, w := open(t)
	changes := 0
	p.OnChanged = func() { changes++ }
	test.Type(p.Entry, "en-")
	if len(p.Listed()) != 2 || p.Count.Text != "2 of 3 voices" {
		t.Fatalf("en- lists %v, count %q", p.Listed(), p.Count.Text)
	}
	test.Tap(p.Entry.ActionItem.(fyne.Tappable)) // opens the drop-down
	menu, ok := w.Canvas().Focused().(*widget.PopUpMenu)
	if !ok {
		t.Fatalf("the drop-down did not open: focus is on %T", w.Canvas().Focused())
	}
	menu.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	menu.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	menu.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if p.VoiceID() != "bm_george" || p.Entry.Text != "bm_george — George (en-GB, British, male)" {
		t.Errorf("picked %q (%q), want bm_george by its label", p.VoiceID(), p.Entry.Text)
	}
	if len(p.Listed()) != 3 || p.Count.Text != "3 voices" || p.Shown() != 3 {
		t.Errorf("after the pick %d listed, count %q: the filter stays", len(p.Listed()), p.Count.Text)
	}
	if changes != 4 { // e, n, -, the pick
		t.Errorf("OnChanged heard %d changes, want 4", changes)
	}
	if got := p.Voice(); got.Name != "George" || got.Accent != "British" {
		t.Errorf("Voice() %+v, want George with his details", got)
	}
}

func TestVoiceIDForLabelAndTypedID(t *testing.T) {
	p, _ := open(t)
	for typed, want := range map[string]string{
		"pf_dora — Dora (pt-BR, female)": "pf_dora",         // a label
		"  my_cloned_voice ":             "my_cloned_voice", // a typed ID the list lacks
		"xx_old — Someone (en)":          "xx_old",          // a label from an older list
		"":                               "",                // the provider's default
	} {
		p.Entry.SetText(typed)
		if got := p.VoiceID(); got != want {
			t.Errorf("%q: VoiceID %q, want %q", typed, got, want)
		}
	}
	p.Entry.SetText("my_cloned_voice")
	if v := p.Voice(); v.ID != "my_cloned_voice" || v.Name != "" {
		t.Errorf("an unlisted voice is %+v", v)
	}
}

// SetVoice shows a voice by its label, also when the list arrives later,
// unless the user typed something meanwhile.
func TestSetVoiceShowsLabel(t *testing.T) {
	p, _ := open(t)
	p.SetVoice("af_heart")
	if p.Entry.Text != "af_heart — Heart (en-US, female)" || p.VoiceID() != "af_heart" || len(p.Listed()) != 3 {
		t.Errorf("SetVoice shows %q, lists %d", p.Entry.Text, len(p.Listed()))
	}
	p.Loading()
	if p.Count.Text != "Loading voices…" {
		t.Errorf("count %q while loading", p.Count.Text)
	}
	p.SetVoice("pf_dora")
	if p.Entry.Text != "pf_dora" {
		t.Errorf("before the list: %q, want the ID", p.Entry.Text)
	}
	p.SetVoices(sample)
	if p.Entry.Text != "pf_dora — Dora (pt-BR, female)" || p.Count.Text != "3 voices" {
		t.Errorf("after the list: %q, count %q", p.Entry.Text, p.Count.Text)
	}
	p.SetVoices(nil)
	p.SetVoice("bm_george")
	test.Type(p.Entry, "x")
	p.SetVoices(sample)
	if p.Entry.Text != "xbm_george" { // typed where the cursor was

		t.Errorf("what was typed became %q", p.Entry.Text)
	}
	p.SetVoices(nil)
	if p.Count.Text == "" || p.Count.Text == "0 voices" {
		t.Errorf("no list says %q", p.Count.Text)
	}
}

// Enter runs the provider's own search only for searchable providers, and
// not for a pick.
func TestEnterSearches(t *testing.T) {
	p, _ := open(t)
	var asked []string
	p.OnSearch = func(q string) { asked = append(asked, q) }
	test.Type(p.Entry, "narrator")
	p.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(asked) != 0 {
		t.Fatalf("searched %v for a provider that does not search", asked)
	}
	p.SetSearchable(true)
	if p.Entry.PlaceHolder != searchPlaceholder {
		t.Errorf("placeholder %q does not say Enter searches", p.Entry.PlaceHolder)
	}
	p.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	p.SetVoice("af_heart")
	p.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !slices.Equal(asked, []string{"narrator"}) {
		t.Errorf("searched %v, want narrator once", asked)
	}
}

func TestPreviewAndKeys(t *testing.T) {
	test.NewTempApp(t)
	var esc int
	p := New(func(ev *fyne.KeyEvent) bool {
		if ev.Name == fyne.KeyEscape {
			esc++
			return true
		}
		return false
	})
	test.NewTempWindow(t, p)
	previews := 0
	p.OnPreview = func() { previews++ }
	test.Tap(p.Preview)
	if previews != 1 {
		t.Errorf("Preview ran OnPreview %d times", previews)
	}
	test.Type(p.Entry, "ab")
	p.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	p.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	if esc != 1 || p.Entry.Text != "a" {
		t.Errorf("Escape reached the hook %d times, text %q", esc, p.Entry.Text)
	}
}
