// Package voicepicker is the voice picker the Speak and Compare tabs share:
// an entry with a drop-down of the provider's voices that narrows as you
// type, a count of the voices listed, the provider's own search on Enter
// for providers that search a larger library, and a Preview button.
//
// The picker never waits: the tab loads voices (and runs searches) in a
// worker and hands them over with SetVoices on the UI goroutine. All
// methods must be called on the UI goroutine.
package voicepicker

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"chorus/providers"
)

const (
	placeholder       = "default voice · type to filter"
	searchPlaceholder = "default voice · type to filter, Enter to search"
)

// Picker is the voice picker widget. Its parts are exported so tabs can
// lay out around them and headless tests can drive them.
type Picker struct {
	widget.BaseWidget

	Entry   *KeySelectEntry // the voice field: a picked label or a typed ID
	Preview *widget.Button  // plays a sample of the picked voice (OnPreview)
	Count   *widget.Label   // "12 voices", or "3 of 12 voices" while filtering

	// OnChanged hears every change of the voice field, typed or set.
	OnChanged func()
	// OnPreview plays a sample of the picked voice; the tab owns playback.
	OnPreview func()
	// OnSearch, for a searchable provider (SetSearchable), hears a typed
	// query on Enter. The tab searches in a worker and hands the results
	// back with SetVoices.
	OnSearch func(query string)
	// OnFilter hears how many voices match what is being typed.
	OnFilter func(shown, total int, query string)

	voices     []providers.Voice
	labels     []string          // sorted picker labels of voices
	ids        map[string]string // label -> ID
	shown      int               // how many voices the typed filter matches
	listed     []string          // the labels in the drop-down now
	searchable bool
	pending    string // the ID SetVoice showed before the voices were known
	quiet      bool   // SetVoice is filling the field: don't filter
	content    fyne.CanvasObject
}

// New builds an empty picker. keys, when set, sees every key typed in the
// field first and reports whether it used it (the Speak tab hands Escape
// to the window this way).
func New(keys func(*fyne.KeyEvent) bool) *Picker {
	p := &Picker{ids: map[string]string{}}
	p.Entry = NewKeySelectEntry(keys)
	p.Entry.PlaceHolder = placeholder
	p.Entry.OnChanged = p.changed
	p.Entry.OnSubmitted = p.submitted
	p.Preview = widget.NewButtonWithIcon("Preview", theme.MediaPlayIcon(), func() {
		if p.OnPreview != nil {
			p.OnPreview()
		}
	})
	p.Count = widget.NewLabel("")
	p.Count.SizeName = theme.SizeNameCaptionText
	p.Count.Importance = widget.LowImportance
	p.content = container.NewVBox(container.NewBorder(nil, nil, nil, p.Preview, p.Entry), p.Count)
	p.ExtendBaseWidget(p)
	return p
}

// CreateRenderer lays out the field and Preview over the count.
func (p *Picker) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(p.content)
}

// Loading says the voices are on their way (the tab is loading them).
func (p *Picker) Loading() {
	p.SetVoices(nil)
	p.Count.SetText("Loading voices…")
}

// SetVoices replaces the voices in the drop-down and lists them all. A
// voice shown by SetVoice before the list arrived now shows its label.
func (p *Picker) SetVoices(voices []providers.Voice) {
	p.voices = voices
	p.labels, p.ids = providers.VoiceChoices(voices)
	p.shown = len(voices)
	p.offer(p.labels)
	if p.pending != "" && strings.TrimSpace(p.Entry.Text) == p.pending {
		if l := p.labelOf(p.pending); l != "" {
			p.setText(l, false) // the same voice, by its name
		}
	}
	p.showCount()
}

// SetSearchable says whether Enter runs the provider's own search
// (Capabilities.VoiceSearch).
func (p *Picker) SetSearchable(on bool) {
	p.searchable = on
	p.Entry.PlaceHolder = placeholder
	if on {
		p.Entry.PlaceHolder = searchPlaceholder
	}
	p.Entry.Refresh()
}

// SetVoice shows the voice with this ID, by its label when the voice is
// listed; "" is the provider's default voice. The whole list stays on
// offer, as after a pick.
func (p *Picker) SetVoice(id string) {
	id = strings.TrimSpace(id)
	p.pending = id
	text := id
	if l := p.labelOf(id); l != "" {
		text = l
	}
	p.setText(text, true)
}

// setText fills the field without filtering, telling OnChanged if notify.
func (p *Picker) setText(text string, notify bool) {
	p.quiet = true
	changed := p.OnChanged
	if !notify {
		p.OnChanged = nil
	}
	p.Entry.SetText(text) // calls changed
	p.OnChanged = changed
	p.quiet = false
	p.listAll()
}

// VoiceID is the picked voice's ID: a label maps to its ID, a typed ID is
// itself ("" is the provider's default voice).
func (p *Picker) VoiceID() string {
	t := strings.TrimSpace(p.Entry.Text)
	if id, ok := p.ids[t]; ok {
		return id
	}
	if i := strings.Index(t, " — "); i > 0 {
		return t[:i]
	}
	return t
}

// Voice is the picked voice with what the list says about it (name,
// language, sample), or just its ID when the list does not have it.
func (p *Picker) Voice() providers.Voice {
	id := p.VoiceID()
	for _, v := range p.voices {
		if v.ID == id {
			return v
		}
	}
	return providers.Voice{ID: id}
}

// Voices are the voices the picker offers.
func (p *Picker) Voices() []providers.Voice { return p.voices }

// Choices maps each label in the drop-down's full list to its voice ID.
func (p *Picker) Choices() map[string]string {
	m := make(map[string]string, len(p.ids))
	for l, id := range p.ids {
		m[l] = id
	}
	return m
}

// Shown is how many voices match what is typed (all of them when the
// field holds a pick or nothing).
func (p *Picker) Shown() int { return p.shown }

// picked reports whether the field holds a label from the list.
func (p *Picker) picked() bool {
	_, ok := p.ids[strings.TrimSpace(p.Entry.Text)]
	return ok
}

func (p *Picker) labelOf(id string) string {
	if id == "" {
		return ""
	}
	for l, v := range p.ids {
		if v == id {
			return l
		}
	}
	return ""
}

func (p *Picker) changed(text string) {
	if !p.quiet {
		p.pending = ""
		p.filter(text)
	}
	if p.OnChanged != nil {
		p.OnChanged()
	}
}

// filter narrows the drop-down to the voices whose ID, name, language,
// gender or accent contain what is typed (any case). A pick (an exact
// label) or an empty field lists them all; so does a query nothing
// matches, so the list is never empty.
func (p *Picker) filter(text string) {
	if len(p.voices) == 0 {
		return
	}
	q := strings.ToLower(strings.TrimSpace(text))
	if q == "" || p.picked() {
		p.listAll()
		return
	}
	var match []providers.Voice
	for _, v := range p.voices {
		hay := strings.ToLower(strings.Join([]string{v.ID, v.Name, v.Language, v.Gender, v.Accent}, " "))
		if strings.Contains(hay, q) {
			match = append(match, v)
		}
	}
	p.shown = len(match)
	if len(match) == 0 {
		p.offer(p.labels)
	} else {
		labels, _ := providers.VoiceChoices(match)
		p.offer(labels)
	}
	p.showCount()
	if p.OnFilter != nil {
		p.OnFilter(len(match), len(p.voices), q)
	}
}

// listAll offers every voice again (the filter is cleared).
func (p *Picker) listAll() {
	p.shown = len(p.voices)
	if len(p.listed) != len(p.labels) {
		p.offer(p.labels)
	}
	p.showCount()
}

// offer puts labels in the drop-down.
func (p *Picker) offer(labels []string) {
	p.listed = labels
	p.Entry.SetOptions(labels)
}

// Listed are the labels the drop-down offers now.
func (p *Picker) Listed() []string { return p.listed }

func (p *Picker) showCount() {
	n := len(p.voices)
	switch {
	case n == 0:
		p.Count.SetText("No voice list: type a voice ID, or leave it empty for the default.")
	case p.shown == n:
		p.Count.SetText(voicesText(n))
	default:
		p.Count.SetText(fmt.Sprintf("%d of %s", p.shown, voicesText(n)))
	}
}

func voicesText(n int) string {
	if n == 1 {
		return "1 voice"
	}
	return fmt.Sprintf("%d voices", n)
}

func (p *Picker) submitted(text string) {
	q := strings.TrimSpace(text)
	if !p.searchable || p.OnSearch == nil || q == "" || p.picked() {
		return
	}
	p.OnSearch(q)
}

// KeySelectEntry is a SelectEntry that offers every typed key to a hook
// first (the Speak tab hands Escape and F10 to the window).
type KeySelectEntry struct {
	widget.SelectEntry
	keys func(*fyne.KeyEvent) bool
}

// NewKeySelectEntry builds an empty field; keys may be nil.
func NewKeySelectEntry(keys func(*fyne.KeyEvent) bool) *KeySelectEntry {
	e := &KeySelectEntry{keys: keys}
	e.ExtendBaseWidget(e)
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.SetOptions(nil)
	return e
}

// TypedKey offers the key to the hook, then to the field.
func (e *KeySelectEntry) TypedKey(ev *fyne.KeyEvent) {
	if e.keys == nil || !e.keys(ev) {
		e.SelectEntry.TypedKey(ev)
	}
}
