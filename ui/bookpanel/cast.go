package bookpanel

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"chorus/book"
	"chorus/providers"
	"chorus/ui/modal"
	"chorus/ui/plain"
	"chorus/ui/tip"
)

// Do runs f on the UI goroutine; workers post their results through it
// and tests replace it.
var Do = fyne.Do

// CastEditor is the Cast dialog: one row per name of the text's cast with
// its provider, model and voice, the names the text uses that the cast
// lacks, and Save, which writes the cast into the text's header.
type CastEditor struct {
	p       *Panel
	rows    []*castRow
	used    []string // names of the text's [voice: …] lines
	list    *fyne.Container
	missing *fyne.Container
	note    *widget.Label
	save    *widget.Button
	dlg     *dialog.CustomDialog
	ctx     context.Context
	cancel  context.CancelFunc
	voices  map[string][]providers.Voice // provider + model → its voices
}

// castRow is one name of the cast.
type castRow struct {
	name     *widget.Entry
	provider *widget.Select
	model    *widget.SelectEntry
	voice    *widget.SelectEntry
	mark     *widget.Label // "Used" or "Unused"
	remove   *tip.Button
	ids      []string          // provider IDs, as the picker's options
	models   []string          // the provider's registered models
	voiceIDs map[string]string // voice picker label → voice ID
	baseURL  string            // kept from a cast file
	orig     string            // the name the row had in the text, for renaming its [voice: …] lines
	loads    int               // voice loads started; only the newest applies
	obj      fyne.CanvasObject
}

// ShowCast opens the Cast editor for the editor's text (Text), and on Save
// hands the text with its rewritten [cast: …] header to SetText.
func (p *Panel) ShowCast() *CastEditor {
	e := &CastEditor{p: p, note: widget.NewLabel(""), list: container.NewVBox(), missing: container.NewVBox(),
		voices: map[string][]providers.Voice{}}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.note.Wrapping = fyne.TextWrapWord
	text := ""
	if p.Text != nil {
		text = p.Text()
	}
	e.used = book.VoiceNames(text)
	s, err := book.ParseScript(text)
	if err != nil {
		e.note.SetText(plain.Say("The cast cannot be edited until the text's mistake is fixed: ", err))
	} else {
		for _, n := range s.Cast.Names() {
			e.addRow(n, s.Cast[n])
		}
	}
	help := widget.NewLabel("Each name speaks the text after its [voice: name] line, until the next one. " +
		"Save puts the cast at the top of the text, so it travels with the file.")
	help.Wrapping = fyne.TextWrapWord
	head := container.NewGridWithColumns(5, bold("Name"), bold("Provider"), bold("Model"), bold("Voice"), widget.NewLabel(""))
	add := widget.NewButtonWithIcon("Add a voice", theme.ContentAddIcon(), func() { e.Add("") })
	body := container.NewBorder(container.NewVBox(help, head), container.NewVBox(e.missing, container.NewHBox(add), e.note),
		nil, nil, container.NewVScroll(e.list))
	e.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() {
		if e.Save() {
			e.dlg.Hide()
		}
	})
	e.save.Importance = widget.HighImportance
	if err != nil || p.SetText == nil {
		e.save.Disable()
	}
	e.dlg = dialog.NewCustomWithoutButtons("Cast", body, p.Window)
	e.dlg.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", e.dlg.Hide), e.save})
	e.dlg.SetOnClosed(e.cancel)
	e.refreshMarks()
	e.dlg.Resize(fyne.NewSize(900, 520))
	modal.Show(e.dlg, p.Window)
	return e
}

func bold(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// Add adds a row for name, starting from the studio's current voice.
func (e *CastEditor) Add(name string) {
	var v book.Voice
	if e.p.DefaultVoice != nil {
		v = e.p.DefaultVoice()
	}
	e.addRow(name, v)
	e.refreshMarks()
	if name == "" {
		e.p.Window.Canvas().Focus(e.rows[len(e.rows)-1].name)
	}
}

// Rename gives row i a new name.
func (e *CastEditor) Rename(i int, name string) {
	if i >= 0 && i < len(e.rows) {
		e.rows[i].name.SetText(name) // refreshes the marks
	}
}

// Remove drops row i.
func (e *CastEditor) Remove(i int) {
	if i < 0 || i >= len(e.rows) {
		return
	}
	e.list.Remove(e.rows[i].obj)
	e.rows = append(e.rows[:i], e.rows[i+1:]...)
	e.refreshMarks()
}

func (e *CastEditor) addRow(name string, v book.Voice) {
	r := &castRow{name: widget.NewEntry(), model: widget.NewSelectEntry(nil), voice: widget.NewSelectEntry(nil),
		mark: widget.NewLabel(""), baseURL: v.BaseURL, orig: normName(name)}
	r.name.SetPlaceHolder("narrator")
	r.name.SetText(name)
	r.model.SetPlaceHolder("Default")
	r.voice.SetPlaceHolder("Default")
	var labels []string
	for _, reg := range providers.List() {
		r.ids = append(r.ids, reg.ID)
		labels = append(labels, reg.Name)
	}
	if v.Provider != "" && !contains(r.ids, v.Provider) {
		// A provider this Chorus does not have: shown and kept, not dropped.
		r.ids = append(r.ids, v.Provider)
		labels = append(labels, v.Provider+" (unknown provider)")
	}
	r.provider = widget.NewSelect(labels, nil)
	r.provider.PlaceHolder = "Pick a provider"
	for i, id := range r.ids {
		if id == v.Provider {
			r.provider.SetSelectedIndex(i)
		}
	}
	e.setModels(r)
	r.model.SetText(v.Model)
	r.voice.SetText(v.Voice)
	r.name.OnChanged = func(string) { e.refreshMarks() }
	r.provider.OnChanged = func(string) {
		// A model or voice of the old provider means nothing to the new one.
		e.setModels(r)
		r.voice.SetText("")
		if r.model.Text == "" {
			e.loadVoices(r)
		} else {
			r.model.SetText("") // loads the voices
		}
	}
	r.model.OnChanged = func(m string) {
		if m = strings.TrimSpace(m); m == "" || contains(r.models, m) {
			e.loadVoices(r) // typed model names wait until they are whole
		}
	}
	r.remove = tip.NewIconButton(theme.DeleteIcon(), "Remove this voice from the cast", func() {
		for i, x := range e.rows {
			if x == r {
				e.Remove(i)
			}
		}
	})
	r.obj = container.NewGridWithColumns(5, r.name, r.provider, r.model, r.voice,
		container.NewBorder(nil, nil, nil, r.remove, r.mark))
	e.rows = append(e.rows, r)
	e.list.Add(r.obj)
	e.loadVoices(r)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// providerID is the row's provider, "" when none is picked.
func (r *castRow) providerID() string {
	if i := r.provider.SelectedIndex(); i >= 0 && i < len(r.ids) {
		return r.ids[i]
	}
	return ""
}

// voiceID maps the voice field (a picked label or a typed ID) to an ID.
func (r *castRow) voiceID() string {
	t := strings.TrimSpace(r.voice.Text)
	if id, ok := r.voiceIDs[t]; ok {
		return id
	}
	if i := strings.Index(t, " — "); i > 0 {
		return t[:i]
	}
	return t
}

// setModels offers the provider's registered models.
func (e *CastEditor) setModels(r *castRow) {
	var models []string
	if reg, ok := providers.Lookup(r.providerID()); ok {
		for _, m := range reg.Capabilities.Models {
			models = append(models, m.ID)
		}
	}
	r.models = models
	r.model.SetOptions(models)
}

// loadVoices fills the row's voice picker through Voices, in a worker.
func (e *CastEditor) loadVoices(r *castRow) {
	id, model := r.providerID(), strings.TrimSpace(r.model.Text)
	if _, ok := providers.Lookup(id); !ok || e.p.Voices == nil {
		r.voice.SetOptions(nil)
		return
	}
	key := id + "\x00" + model
	if vs, ok := e.voices[key]; ok {
		e.setVoices(r, vs)
		return
	}
	r.loads++
	n, ctx := r.loads, e.ctx
	go func() {
		vs, err := e.p.Voices(ctx, id, model)
		Do(func() {
			if ctx.Err() != nil || r.loads != n {
				return
			}
			if err != nil {
				e.note.SetText(plain.Say(fmt.Sprintf("Could not list the voices of %s: ", r.provider.Selected), err))
				return
			}
			e.voices[key] = vs
			e.setVoices(r, vs)
		})
	}()
}

func (e *CastEditor) setVoices(r *castRow, vs []providers.Voice) {
	labels, ids := providers.VoiceChoices(vs)
	cur := r.voiceID()
	r.voiceIDs = ids
	r.voice.SetOptions(labels)
	for l, id := range ids {
		if id == cur && cur != "" {
			r.voice.SetText(l) // the ID shown with its name
		}
	}
}

// refreshMarks marks each row used or unused and lists the names the text
// uses that no row has.
func (e *CastEditor) refreshMarks() {
	have := map[string]bool{}
	for _, r := range e.rows {
		n := normName(r.name.Text)
		have[n] = true
		if contains(e.used, n) {
			r.mark.SetText("Used")
			r.mark.Importance = widget.MediumImportance
		} else {
			r.mark.SetText("Unused")
			r.mark.Importance = widget.LowImportance
		}
		r.mark.Refresh()
	}
	e.missing.RemoveAll()
	for _, n := range e.used {
		if have[n] {
			continue
		}
		l := widget.NewLabelWithStyle(n+" — not in the cast", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Importance = widget.DangerImportance
		e.missing.Add(container.NewHBox(widget.NewIcon(theme.WarningIcon()), l,
			widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), func() { e.Add(n) })))
	}
}

// Missing lists the names the text uses that the cast lacks.
func (e *CastEditor) Missing() []string {
	have := map[string]bool{}
	for _, r := range e.rows {
		have[normName(r.name.Text)] = true
	}
	var out []string
	for _, n := range e.used {
		if !have[n] {
			out = append(out, n)
		}
	}
	return out
}

func normName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Cast is the cast as edited, or what is wrong with it.
func (e *CastEditor) Cast() (book.Cast, error) {
	c := book.Cast{}
	for i, r := range e.rows {
		n := normName(r.name.Text)
		switch {
		case n == "":
			return nil, fmt.Errorf("row %d has no name", i+1)
		case strings.ContainsAny(n, "=[]/"):
			return nil, fmt.Errorf("the name %q cannot hold = [ ] or /", n)
		}
		if _, dup := c[n]; dup {
			return nil, fmt.Errorf("%q is in the cast twice", n)
		}
		v := book.Voice{Provider: r.providerID(), Model: strings.TrimSpace(r.model.Text), Voice: r.voiceID(), BaseURL: r.baseURL}
		if v.Provider == "" {
			return nil, fmt.Errorf("pick a provider for %q", n)
		}
		if strings.ContainsAny(v.Model+v.Voice, "[]/") {
			return nil, fmt.Errorf("the model and voice of %q cannot hold [ ] or /", n)
		}
		c[n] = v
	}
	return c, nil
}

// Save writes the cast into the text's header through SetText, keeping the
// rest of the text as it is. It reports whether it did; if not, the note
// says why.
func (e *CastEditor) Save() bool {
	if e.p.Text == nil || e.p.SetText == nil || e.save.Disabled() {
		return false
	}
	c, err := e.Cast()
	if err != nil {
		e.note.SetText(plain.Say("Not saved: ", err))
		return false
	}
	text := e.p.Text()
	// A renamed row takes its [voice: …] lines with it.
	renames := map[string]string{}
	for _, r := range e.rows {
		if n := normName(r.name.Text); r.orig != "" && r.orig != n {
			renames[r.orig] = n
		}
	}
	if out := book.WithCast(book.RenameVoices(text, renames), c); out != text {
		e.p.SetText(out)
	}
	for _, r := range e.rows {
		r.orig = normName(r.name.Text)
	}
	return true
}
