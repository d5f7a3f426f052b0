package longtext

import "unicode/utf8"

// Tail balancing. Chunks sent a few at a time finish unevenly at the end
// of a long text: while the last big chunks are still being synthesized,
// the other request slots sit idle. Ending the text with two smaller
// chunks (at most a third and two thirds of the cap) spreads that last
// work over the slots; measured over texts of 10,000–60,000 characters on
// 3 slots it brings the export's wall time from 1.066 to 1.048 times the
// ideal schedule (BENCHMARKS.md).
//
// The tail chunks are found from the text's end by counting paragraph
// starts (the last chunk starts at the second paragraph start from the
// end that fits, the one before it at the fourth), so editing or inserting
// a sentence never moves them: paragraph breaks only move when a person
// adds or removes one.
const (
	tailMinTexts  = 3 // only texts longer than this many caps end in a balanced tail
	tailParagraph = 2 // paragraph starts counted back for the last chunk (twice that for the one before)
	tailExtra     = 3 // at most this many more requests than packed chunks
)

// SplitBalanced is SplitGrowing with a balanced tail: a text longer than
// three caps ends in two smaller chunks that start at paragraph starts,
// as long as that costs at most tailExtra requests more than Split.
func SplitBalanced(text string, maxChars int, g Growth) ([]Chunk, error) {
	grown, err := SplitGrowing(text, maxChars, g)
	if err != nil || utf8.RuneCountInString(text) <= tailMinTexts*maxChars || maxChars <= g.First {
		return grown, err
	}
	packed, err := Split(text, maxChars)
	if err != nil {
		return grown, err
	}
	for _, parts := range []int{2, 1} {
		out, ok := balanceTail(text, maxChars, g, parts)
		if ok && len(out) <= len(packed)+tailExtra {
			return out, nil
		}
	}
	return grown, nil
}

// sentence is one sentence of the text and whether it starts a paragraph.
type sentence struct {
	sp        Span
	paragraph bool
}

// balanceTail plans the text's last parts chunks from its end (the last
// within a third of the cap, the one before within two thirds), each
// starting at a paragraph start where one fits, and the rest with
// SplitGrowing. It reports false when no such tail fits.
func balanceTail(text string, maxChars int, g Growth, parts int) ([]Chunk, bool) {
	s := &splitter{text: text}
	var ss []sentence
	for _, p := range s.pieces(Span{0, len(text)}, levelParagraph) {
		first := true
		for _, q := range s.pieces(p, levelSentence) {
			for _, l := range s.lines(q) {
				if t := s.trim(l); t.Start < t.End {
					ss = append(ss, sentence{t, first})
					first = false
				}
			}
		}
	}
	end := len(ss)
	var tail []Span
	for j := 1; j <= parts; j++ {
		limit, want := maxChars*j/3, tailParagraph*j
		i, seen, atParagraph, fits := end, 0, -1, -1
		for i > 0 {
			if utf8.RuneCountInString(text[ss[i-1].sp.Start:ss[end-1].sp.End]) > limit {
				break
			}
			i--
			fits = i
			if ss[i].paragraph {
				seen++
				atParagraph = i
				if seen == want {
					break
				}
			}
		}
		switch {
		case atParagraph > 0:
			i = atParagraph
		case fits > 0:
			i = fits
		default:
			return nil, false
		}
		tail = append([]Span{{ss[i].sp.Start, ss[end-1].sp.End}}, tail...)
		end = i
	}
	head, err := SplitGrowing(text[:ss[end-1].sp.End], maxChars, g)
	if err != nil {
		return nil, false
	}
	out := make([]Span, 0, len(head)+len(tail))
	for _, c := range head {
		out = append(out, Span{c.Start, c.End})
	}
	b := &splitter{text: text, out: append(out, tail...)}
	return b.chunks(), true
}
