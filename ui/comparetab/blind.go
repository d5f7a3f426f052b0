package comparetab

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"chorus/compare"
	"chorus/ui/plain"
)

// BlindView runs a blind A/B test over the last comparison: the cards are
// hidden, two unnamed voices are offered as A and B in shuffled order, the
// user picks the better, and the names are revealed after the vote.
type BlindView struct {
	StartButton *widget.Button // starts a blind test over the last comparison
	EndButton   *widget.Button // ends it and shows the cards again
	PlayA       *widget.Button
	PlayB       *widget.Button
	VoteA       *widget.Button
	VoteB       *widget.Button
	Next        *widget.Button
	Info        *widget.Label // pair n of m
	Reveal      *widget.Label // names after the vote

	tab   *Tab
	blind *compare.Blind
	pair  compare.Pair
	root  fyne.CanvasObject
}

func newBlindView(t *Tab) *BlindView {
	b := &BlindView{tab: t}
	b.StartButton = widget.NewButton("Start blind test", b.begin)
	b.StartButton.Importance = widget.HighImportance
	b.EndButton = widget.NewButton("End blind test", b.End)
	b.PlayA = widget.NewButton("Play A", func() { t.PlayCard(b.pair.A) })
	b.PlayB = widget.NewButton("Play B", func() { t.PlayCard(b.pair.B) })
	b.VoteA = widget.NewButton("A is better", func() { b.vote(true) })
	b.VoteB = widget.NewButton("B is better", func() { b.vote(false) })
	b.Next = widget.NewButton("Next pair", b.next)
	b.Info = widget.NewLabel("Render at least two voices, then start: names are hidden, you hear A and B and pick the better; names are shown after your vote.")
	b.Info.Wrapping = fyne.TextWrapWord
	b.Reveal = widget.NewLabel("")
	b.Reveal.Wrapping = fyne.TextWrapWord
	b.root = container.NewVBox(
		container.NewHBox(b.StartButton, b.EndButton),
		b.Info,
		container.NewGridWithColumns(2, b.PlayA, b.PlayB),
		container.NewGridWithColumns(2, b.VoteA, b.VoteB),
		b.Reveal,
		b.Next,
	)
	b.setActive(false)
	return b
}

func (b *BlindView) setActive(on bool) {
	for _, w := range []*widget.Button{b.PlayA, b.PlayB, b.VoteA, b.VoteB, b.Next, b.EndButton} {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
	if on {
		b.StartButton.Disable()
	} else {
		b.StartButton.Enable()
	}
}

// Active reports whether a blind test is running.
func (b *BlindView) Active() bool { return b.blind != nil }

// Pair is the pair being judged, as card indexes.
func (b *BlindView) Pair() compare.Pair { return b.pair }

// begin starts a blind test over the last comparison.
func (b *BlindView) begin() {
	s := b.tab.session
	if s == nil {
		b.Info.SetText("Render all first, then start the blind test.")
		return
	}
	bl, err := compare.NewBlind(s, b.tab.opts.Rand)
	if err != nil {
		b.Info.SetText(plain.Error(err))
		return
	}
	b.blind = bl
	b.setActive(true)
	b.tab.StopPlayback()
	b.tab.showCards("Names are hidden during the blind test. End it to see the cards again.")
	b.next()
}

// next shows the next pair, or ends the test when all are judged.
func (b *BlindView) next() {
	if b.blind == nil {
		return
	}
	b.tab.StopPlayback()
	p, ok := b.blind.Next()
	if !ok {
		total := b.tab.tally.Total()
		b.End()
		b.Info.SetText(fmt.Sprintf("Every pair judged. The tally now has %s: see the Tally tab.", Votes(total)))
		return
	}
	b.pair = p
	done, total := b.blind.Progress()
	b.Info.SetText(fmt.Sprintf("Pair %d of %d: play A and B, then pick the better.", done, total))
	b.Reveal.SetText("")
	b.VoteA.Enable()
	b.VoteB.Enable()
	b.Next.Disable()
}

// vote records the choice and reveals the names.
func (b *BlindView) vote(aBetter bool) {
	if b.blind == nil {
		return
	}
	rv, err := b.blind.Vote(b.tab.tally, aBetter)
	if err != nil {
		b.Reveal.SetText(plain.Error(err))
		return
	}
	a, bb := b.tab.session.Results[b.pair.A], b.tab.session.Results[b.pair.B]
	b.Reveal.SetText(fmt.Sprintf("A was %s.\nB was %s.\nYou preferred %s.", a.Label(), bb.Label(), rv.Winner.Label()))
	b.VoteA.Disable()
	b.VoteB.Disable()
	b.Next.Enable()
	b.tab.Tally.Refresh()
}

// End stops the blind test and shows the cards again.
func (b *BlindView) End() {
	if b.blind == nil {
		return
	}
	b.blind = nil
	b.setActive(false)
	b.Info.SetText("Blind test ended.")
	b.tab.showCards("")
}
