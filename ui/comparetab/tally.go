package comparetab

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"chorus/ui/modal"
	"chorus/ui/plain"
	"chorus/ui/savedialog"
)

// TallyView ranks voices by the blind votes so far, with reset and CSV
// export.
type TallyView struct {
	Summary *widget.Label
	Rows    *fyne.Container // one label per voice
	Reset   *widget.Button
	CSV     *widget.Button

	tab  *Tab
	root fyne.CanvasObject
}

func newTallyView(t *Tab) *TallyView {
	v := &TallyView{tab: t, Rows: container.NewVBox()}
	v.Summary = widget.NewLabel("")
	v.Summary.Wrapping = fyne.TextWrapWord
	v.Reset = widget.NewButton("Reset tally…", func() {
		modal.ShowConfirm("Reset the tally?", "Forget every blind vote? This cannot be undone.", func(ok bool) {
			if ok {
				v.ResetNow()
			}
		}, t.win)
	})
	v.CSV = widget.NewButton("Export CSV…", func() {
		// Only a path is asked for: the CSV is then written atomically.
		savedialog.Show(t.win, savedialog.Options{Title: "Export the tally", Name: "voice-tally.csv"},
			func(path string, _ bool) { v.ExportCSV(path) })
	})
	v.root = container.NewBorder(container.NewVBox(v.Summary, container.NewHBox(v.Reset, v.CSV)), nil, nil, nil,
		container.NewVScroll(v.Rows))
	v.Refresh()
	return v
}

// Refresh redraws the ranking from the tally.
func (v *TallyView) Refresh() {
	rank := v.tab.tally.Ranking()
	v.Rows.RemoveAll()
	if len(rank) == 0 {
		v.Summary.SetText("No votes yet. Run a blind test to rank voices; votes are kept between sessions.")
	} else {
		v.Summary.SetText(fmt.Sprintf("%s. Bradley–Terry ranking: score is the estimated chance to beat an average voice.", Votes(v.tab.tally.Total())))
	}
	for i, s := range rank {
		v.Rows.Add(widget.NewLabel(fmt.Sprintf("%d. %s — score %.0f%% — %d won, %d lost (%s)",
			i+1, v.tab.LabelFor(s.Key), 100*s.Score, s.Wins, s.Losses, Votes(s.Votes()))))
	}
	v.Rows.Refresh()
}

// ResetNow forgets every vote.
func (v *TallyView) ResetNow() {
	if err := v.tab.tally.Reset(); err != nil {
		v.tab.Status.SetText(plain.Error(err))
	}
	v.Refresh()
}

// ExportCSV writes the ranking to path.
func (v *TallyView) ExportCSV(path string) {
	if err := v.tab.tally.ExportCSV(path); err != nil {
		v.tab.Status.SetText(plain.Say("Could not save the tally: ", err) + " Choose another folder.")
		return
	}
	v.tab.Status.SetText("Saved the tally to " + path + ".")
}

// Votes counts votes in words: "1 vote", "3 votes".
func Votes(n int) string {
	if n == 1 {
		return "1 vote"
	}
	return fmt.Sprintf("%d votes", n)
}
