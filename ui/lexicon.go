package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"chorus/book"
	"chorus/ui/plain"
)

// lexiconPath is the pronunciation list the editor edits (tests point it
// elsewhere).
var lexiconPath = book.GlobalLexiconPath

// Pronunciations is the lexicon editor's window (exported for tests).
type Pronunciations struct {
	Win    fyne.Window
	Text   *widget.Entry
	Note   *widget.Label
	Save   *widget.Button
	saved  func(n int)
	path   string
	loaded string
}

// ShowPronunciations opens the editor of the pronunciations applied to
// every audiobook render: one "word = how to say it" per line.
func (s *Studio) ShowPronunciations() *Pronunciations {
	p := &Pronunciations{Win: s.App.NewWindow("Pronunciations"), Note: widget.NewLabel("")}
	p.Note.Wrapping = fyne.TextWrapWord
	p.saved = func(n int) { s.SetStatus("Saved " + pronunciations(n) + "; audiobook renders use them.") }
	help := widget.NewLabel("One word per line and how to say it: “Nguyen = win”. Use == to match the case exactly " +
		"(“SQL == sequel”); # starts a comment. Whole words only. Chapters and cast scripts may add their own.\n" +
		"Phonemes go first, then a respelling for voices that cannot read them: " +
		"“tomato = /təˈmɑːtoʊ/ [[t@m'A:toU]] tuh-MAH-toe”. IPA between slashes is read by ElevenLabs' English models " +
		"(Flash v2, Turbo v2, English v1); espeak-ng phonemes between [[ and ]] by the local voice.")
	help.Wrapping = fyne.TextWrapWord
	p.Text = widget.NewMultiLineEntry()
	p.Text.SetPlaceHolder("Nguyen = win\nSQL == sequel\ntomato = /təˈmɑːtoʊ/ tuh-MAH-toe")
	var err error
	if p.path, err = lexiconPath(); err != nil {
		p.Note.SetText(plain.Error(err))
	} else if _, text, err := book.LoadLexiconFile(p.path); err != nil {
		p.Text.SetText(text)
		p.Note.SetText(plain.Say("The list has a mistake: ", err))
	} else {
		p.Text.SetText(text)
	}
	p.loaded = p.Text.Text
	p.Save = widget.NewButton("Save", p.save)
	p.Save.Importance = widget.HighImportance
	closeButton := widget.NewButton("Close", func() { p.Win.Close() })
	p.Win.SetContent(container.NewBorder(help, container.NewVBox(p.Note, container.NewHBox(closeButton, p.Save)), nil, nil, p.Text))
	p.Win.Resize(fyne.NewSize(560, 420))
	p.Win.Show()
	return p
}

// save checks the list and writes it; a wrong line is named and nothing
// is written.
func (p *Pronunciations) save() {
	if p.path == "" {
		return
	}
	lx, err := book.SaveLexiconText(p.path, p.Text.Text)
	if err != nil {
		p.Note.SetText(plain.Say("Not saved: ", err))
		return
	}
	p.loaded = p.Text.Text
	p.Note.SetText("Saved " + pronunciations(len(lx)) + "." + phonemeNote(lx))
	p.saved(len(lx))
}

// phonemeNote tells how many entries give phonemes, and which of them
// only some voices can say.
func phonemeNote(lx book.Lexicon) string {
	n, only := 0, []string{}
	for _, e := range lx {
		if e.HasPhonemes() {
			n++
			if e.Replacement == "" {
				only = append(only, "“"+e.Word+"”")
			}
		}
	}
	if n == 0 {
		return ""
	}
	note := fmt.Sprintf(" %d with phonemes.", n)
	if len(only) > 0 {
		note += " Voices that cannot read phonemes will stop at " + strings.Join(only, ", ") + ": add a respelling after the phonemes to use them everywhere."
	}
	return note
}

func pronunciations(n int) string {
	if n == 1 {
		return "1 pronunciation"
	}
	return fmt.Sprintf("%d pronunciations", n)
}
