// Package bookpanel is the Chapters list shown beside the editor (rename,
// skip, reorder, speak one, export one) and the Export audiobook dialog with
// the estimate of characters, requests, cost and length.
package bookpanel

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"chorus/book"
	"chorus/documents"
	"chorus/providers"
	"chorus/ui/modal"
)

// ExportChoice is what the person picked in the Export audiobook dialog.
type ExportChoice struct {
	Audiobook bool    // one .m4b with chapter markers
	PerFile   bool    // one file per chapter
	Loudness  float64 // LUFS target; 0 leaves levels alone
	Title     string
	Author    string
	Timed     bool       // subtitles: each cue's speech starts at its cue time
	Cues      []book.Cue // the cues to time, when Timed
}

// Panel is the chapter list. Its callbacks are set by the studio.
type Panel struct {
	Window       fyne.Window
	Book         *book.Book
	OnSpeak      func(i int, ch book.Chapter)    // speak one chapter
	OnExport     func(i int, ch book.Chapter)    // export one chapter
	Estimate     func() ([]book.Estimate, error) // for the Export dialog; nil hides the table
	OnExportBook func(ExportChoice)              // the dialog's Export button
	// Cues are the timed cues of a subtitle document; when set, the Export
	// dialog offers to time the speech to them.
	Cues []book.Cue
	// Text and SetText read and replace the editor's text; the Cast editor
	// writes its header through them.
	Text    func() string
	SetText func(string)
	// Voices lists a provider's voices with a model; the Cast editor calls
	// it in a worker.
	Voices func(ctx context.Context, provider, model string) ([]providers.Voice, error)
	// DefaultVoice is the studio's current voice, where a new cast row starts.
	DefaultVoice func() book.Voice

	list     *widget.List
	selected int
	status   *widget.Label
	root     fyne.CanvasObject
}

// New builds an empty panel.
func New(w fyne.Window) *Panel {
	p := &Panel{Window: w, Book: &book.Book{}, selected: -1, status: widget.NewLabel("Open a document to see its chapters.")}
	p.status.Wrapping = fyne.TextWrapWord
	p.list = widget.NewList(
		func() int { return len(p.Book.Chapters) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, widget.NewCheck("", nil), widget.NewLabel("0000000 chars"), widget.NewLabel(""))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			ch := p.Book.Chapters[id]
			c := o.(*fyne.Container)
			label := c.Objects[0].(*widget.Label)
			check := c.Objects[1].(*widget.Check)
			size := c.Objects[2].(*widget.Label)
			label.SetText(fmt.Sprintf("%d. %s", id+1, ch.Title))
			check.OnChanged = nil
			check.SetChecked(!ch.Skip)
			check.OnChanged = func(on bool) { p.Book.Chapters[id].Skip = !on }
			size.SetText(fmt.Sprintf("%d chars", len([]rune(ch.Text))))
		})
	p.list.OnSelected = func(id widget.ListItemID) { p.selected = id }
	btn := func(label string, icon fyne.Resource, f func(i int)) *widget.Button {
		return widget.NewButtonWithIcon(label, icon, func() {
			if p.selected < 0 || p.selected >= len(p.Book.Chapters) {
				p.status.SetText("Select a chapter first.")
				return
			}
			f(p.selected)
		})
	}
	tools := container.NewVBox(container.NewGridWithColumns(3,
		btn("Up", theme.MoveUpIcon(), func(i int) { p.Move(i, i-1) }),
		btn("Down", theme.MoveDownIcon(), func(i int) { p.Move(i, i+1) }),
		btn("Rename", theme.DocumentCreateIcon(), p.askRename),
	), container.NewGridWithColumns(2,
		btn("Speak", theme.MediaPlayIcon(), func(i int) {
			if p.OnSpeak != nil {
				p.OnSpeak(i, p.Book.Chapters[i])
			}
		}),
		btn("Export", theme.DocumentSaveIcon(), func(i int) {
			if p.OnExport != nil {
				p.OnExport(i, p.Book.Chapters[i])
			}
		}),
	), container.NewGridWithColumns(2,
		widget.NewButtonWithIcon("Audiobook…", theme.UploadIcon(), p.ShowExport),
		widget.NewButtonWithIcon("Cast…", theme.AccountIcon(), func() { p.ShowCast() }),
	))
	p.root = container.NewBorder(container.NewVBox(widget.NewLabelWithStyle("Chapters", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), tools),
		p.status, nil, nil, p.list)
	return p
}

// Object is the panel's widget tree.
func (p *Panel) Object() fyne.CanvasObject { return p.root }

// SetDocument shows a document's chapters.
func (p *Panel) SetDocument(d *documents.Document) {
	b := &book.Book{Title: d.Title, Author: d.Author}
	for i, c := range d.Chapters {
		t := c.Title
		if t == "" {
			t = fmt.Sprintf("Chapter %d", i+1)
		}
		b.Chapters = append(b.Chapters, book.Chapter{Title: t, Text: c.Text})
	}
	p.Book = b
	p.selected = -1
	p.list.UnselectAll()
	p.list.Refresh()
	p.status.SetText(fmt.Sprintf("%d chapters. Untick a chapter to skip it.", len(b.Chapters)))
}

// Move puts chapter i at position j.
func (p *Panel) Move(i, j int) {
	cs := p.Book.Chapters
	if i < 0 || j < 0 || i >= len(cs) || j >= len(cs) || i == j {
		return
	}
	cs[i], cs[j] = cs[j], cs[i]
	p.list.Refresh()
	p.list.Select(j)
}

// Rename sets chapter i's title.
func (p *Panel) Rename(i int, title string) {
	if t := strings.TrimSpace(title); t != "" && i >= 0 && i < len(p.Book.Chapters) {
		p.Book.Chapters[i].Title = t
		p.list.Refresh()
	}
}

func (p *Panel) askRename(i int) {
	e := widget.NewEntry()
	e.SetText(p.Book.Chapters[i].Title)
	modal.ShowForm("Rename chapter", "Rename", "Cancel", []*widget.FormItem{widget.NewFormItem("Title", e)},
		func(ok bool) {
			if ok {
				p.Rename(i, e.Text)
			}
		}, p.Window)
}

// loudnessChoices are the usual targets, first the default.
var loudnessChoices = []struct {
	label string
	lufs  float64
}{
	{"Audiobook (−18 LUFS)", -18}, {"Audiobook, quieter (−19 LUFS)", -19}, {"Podcast (−16 LUFS)", -16}, {"Leave levels as they are", 0},
}

// ShowExport opens the Export audiobook dialog with the estimate.
func (p *Panel) ShowExport() {
	title := widget.NewEntry()
	title.SetText(p.Book.Title)
	author := widget.NewEntry()
	author.SetText(p.Book.Author)
	var labels []string
	for _, c := range loudnessChoices {
		labels = append(labels, c.label)
	}
	loud := widget.NewSelect(labels, nil)
	loud.SetSelectedIndex(0)
	m4b := widget.NewCheck("One audiobook file with chapter markers", nil)
	m4b.SetChecked(true)
	perFile := widget.NewCheck("One file per chapter", nil)
	items := []*widget.FormItem{
		widget.NewFormItem("Title", title), widget.NewFormItem("Author", author),
		widget.NewFormItem("Loudness", loud), widget.NewFormItem("", m4b), widget.NewFormItem("", perFile),
	}
	timed := widget.NewCheck("Start each subtitle at its cue time (one file that lines up with the video)", nil)
	if len(p.Cues) > 0 {
		items = append(items, widget.NewFormItem("", timed))
	}
	if p.Estimate != nil {
		items = append(items, widget.NewFormItem("Estimate", estimateView(p.Estimate)))
	}
	modal.ShowForm("Export audiobook", "Export", "Cancel", items, func(ok bool) {
		if !ok || p.OnExportBook == nil {
			return
		}
		p.OnExportBook(ExportChoice{Audiobook: m4b.Checked, PerFile: perFile.Checked,
			Loudness: loudnessChoices[max(loud.SelectedIndex(), 0)].lufs, Title: title.Text, Author: author.Text, Timed: timed.Checked && len(p.Cues) > 0, Cues: p.Cues})
	}, p.Window)
}

func estimateView(f func() ([]book.Estimate, error)) fyne.CanvasObject {
	est, err := f()
	if err != nil {
		l := widget.NewLabel("Cannot estimate: " + err.Error())
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	rows := [][]string{{"Chapter", "Characters", "Requests", "Cost", "Length", "Render time"}}
	for _, e := range est {
		cost := "Unknown"
		if e.CostKnown {
			cost = fmt.Sprintf("$%.2f", e.Cost)
		}
		rows = append(rows, []string{e.Title, fmt.Sprint(e.Characters), fmt.Sprint(e.Requests), cost, e.Audio.Round(time.Second).String(), e.RenderText()})
	}
	grid := container.NewGridWithColumns(6)
	for i, r := range rows {
		for _, c := range r {
			grid.Add(widget.NewLabelWithStyle(c, fyne.TextAlignLeading, fyne.TextStyle{Bold: i == 0 || i == len(rows)-1}))
		}
	}
	return grid
}
