package core

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"chorus/export"
	"chorus/longtext"
)

// Subtitle cues follow the common convention: at most cueLines lines of
// lineChars characters each.
const (
	lineChars = 42
	cueLines  = 2
)

// subtitleChars is the longest subtitle cue, in characters (two lines of 42).
const subtitleChars = lineChars * cueLines

// Cues builds subtitle cues from the chunks that were heard. A chunk with
// word timings for most of its words is cut at sentence ends and wherever
// the next word would not fit in two lines of 42 characters, never inside
// a word, and each cue lasts from its first word's start to its last
// word's end. Other chunks get one cue per sentence (longer ones cut at
// clauses), spread over the chunk's real duration.
func Cues(text string, states []*chunkState, timings []ChunkTiming) []export.Cue {
	var cues []export.Cue
	for i, t := range timings {
		ct := states[i].chunk.Text
		dur := t.AudioEnd - t.AudioStart
		words := chunkWords(states[i])
		if timed, ok := wordCues(ct, words, dur); ok {
			for _, c := range timed {
				c.Start += t.AudioStart
				c.End += t.AudioStart
				cues = append(cues, c)
			}
			continue
		}
		var spans []longtext.Span
		for _, s := range longtext.Sentences(ct) {
			parts, _ := longtext.Split(ct[s.Start:s.End], subtitleChars)
			for _, p := range parts {
				spans = append(spans, longtext.Span{Start: s.Start + p.Start, End: s.Start + p.End})
			}
		}
		starts := pieceStarts(ct, spans, dur, words)
		for k, sp := range spans {
			end := dur
			if k+1 < len(spans) {
				end = starts[k+1]
			}
			if end <= starts[k] {
				continue
			}
			cues = append(cues, export.Cue{Start: t.AudioStart + starts[k], End: t.AudioStart + end, Text: ct[sp.Start:sp.End]})
		}
	}
	return cues
}

// fitsLines reports whether words laid out one after another, a space
// apart, fill at most cueLines lines of lineChars (a single word longer
// than a line takes a line of its own).
func fitsLines(widths []int) bool {
	lines, cur := 1, -1
	for _, w := range widths {
		switch {
		case cur < 0:
			cur = w
		case cur+1+w <= lineChars:
			cur += 1 + w
		default:
			lines++
			cur = w
		}
	}
	return lines <= cueLines
}

// wordCues cuts one chunk's text (ct) into cues timed by its words (offsets
// into ct and its audio, which lasts dur); false when fewer than 80% of the
// words are timed, so the caller spreads the text instead.
func wordCues(ct string, words []WordTiming, dur time.Duration) ([]export.Cue, bool) {
	toks := tokens(ct)
	if len(toks) == 0 || len(words) == 0 {
		return nil, false
	}
	index := make(map[int]int, len(toks)) // token start → token
	for i, tk := range toks {
		index[tk.start] = i
	}
	type span struct {
		start, end time.Duration
		ok         bool
	}
	times := make([]span, len(toks))
	timed := 0
	for _, w := range words {
		i, ok := index[w.Start]
		if !ok || times[i].ok {
			continue
		}
		if toks[i].end != w.End {
			continue // a boundary over several words (a sentence): not word timing
		}
		times[i] = span{w.Offset, w.Offset + w.Duration, true}
		timed++
	}
	if timed*10 < len(toks)*8 {
		return nil, false
	}
	// The sentence each word is in.
	sents := longtext.Sentences(ct)
	sentOf := make([]int, len(toks))
	si := 0
	for i, tk := range toks {
		for si+1 < len(sents) && tk.start >= sents[si].End {
			si++
		}
		sentOf[i] = si
	}
	// Groups of words, one per cue.
	var groups [][2]int // first and last token
	var widths []int
	first := 0
	for i, tk := range toks {
		w := utf8.RuneCountInString(ct[tk.start:tk.end])
		if i > first && (sentOf[i] != sentOf[first] || !fitsLines(append(widths, w))) {
			groups = append(groups, [2]int{first, i - 1})
			first, widths = i, widths[:0]
		}
		widths = append(widths, w)
	}
	groups = append(groups, [2]int{first, len(toks) - 1})

	cues := make([]export.Cue, len(groups))
	known := make([]bool, len(groups))
	for g, gr := range groups {
		c := export.Cue{Text: ct[toks[gr[0]].start:toks[gr[1]].end]}
		for i := gr[0]; i <= gr[1]; i++ {
			if !times[i].ok {
				continue
			}
			if !known[g] {
				c.Start, c.End, known[g] = times[i].start, times[i].end, true
			}
			c.End = max(c.End, times[i].end)
		}
		cues[g] = c
	}
	// A cue of untimed words fills the gap between its neighbours; times
	// never run backwards.
	var prev time.Duration
	for g := range cues {
		c := &cues[g]
		if !known[g] {
			c.Start, c.End = prev, dur
			for n := g + 1; n < len(cues); n++ {
				if known[n] {
					c.End = cues[n].Start
					break
				}
			}
		}
		c.Start = max(c.Start, prev)
		if c.End <= c.Start {
			c.End = c.Start + time.Millisecond
		}
		prev = c.End
	}
	return cues, true
}

// formatLRC renders cues as LRC synced lyrics: a [ti:] tag when the title
// is known, then one "[mm:ss.xx]text" line per cue, and an empty timed
// line where the last cue ends so players clear it.
func formatLRC(title string, cues []export.Cue) []byte {
	var b strings.Builder
	if t := strings.Join(strings.Fields(title), " "); t != "" {
		fmt.Fprintf(&b, "[ti:%s]\n", t)
	}
	for _, c := range cues {
		fmt.Fprintf(&b, "[%s]%s\n", lrcStamp(c.Start), strings.Join(strings.Fields(c.Text), " "))
	}
	if len(cues) > 0 {
		fmt.Fprintf(&b, "[%s]\n", lrcStamp(cues[len(cues)-1].End))
	}
	return []byte(b.String())
}

// lrcStamp is mm:ss.xx (hundredths; minutes go past 99 for long audio).
func lrcStamp(d time.Duration) string {
	cs := max(d, 0).Milliseconds() / 10
	return fmt.Sprintf("%02d:%02d.%02d", cs/6000, cs/100%60, cs%100)
}
