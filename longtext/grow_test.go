package longtext

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func grow(t *testing.T, text string, limit int, g Growth) []Chunk {
	t.Helper()
	c, err := SplitGrowing(text, limit, g)
	if err != nil {
		t.Fatal(err)
	}
	check(t, text, limit, c)
	checkGrowth(t, limit, g, c)
	checkWords(t, text, c)
	return c
}

// checkGrowth verifies the size schedule: the first chunk within First,
// each later one within the schedule's limit for its index.
func checkGrowth(t *testing.T, limit int, g Growth, cs []Chunk) {
	t.Helper()
	if len(cs) < 2 || limit <= g.First {
		return // Split's chunks, checked by check
	}
	if n := cs[0].Runes(); n > g.First {
		t.Fatalf("first chunk has %d runes, more than %d: %q", n, min(g.First, limit), cs[0].Text)
	}
	allowed := max(cs[0].Runes(), g.MinFirst)
	for _, c := range cs[1:] {
		if allowed > limit/g.Factor {
			allowed = limit
		} else {
			allowed = min(allowed*g.Factor, limit)
		}
		if c.Runes() > allowed {
			t.Fatalf("chunk %d has %d runes; the schedule allows %d", c.Index, c.Runes(), allowed)
		}
	}
}

// checkWords verifies that no chunk starts or ends inside a word of a
// spaced script unless that word alone is longer than the chunk allows.
func checkWords(t *testing.T, text string, cs []Chunk) {
	t.Helper()
	for _, c := range cs {
		if c.End >= len(text) {
			continue
		}
		before, _ := utf8.DecodeLastRuneInString(text[:c.End])
		after, _ := utf8.DecodeRuneInString(text[c.End:])
		if !inWord(before) || !inWord(after) {
			continue
		}
		// A word longer than the chunk: the cut is the hard cut, at the
		// chunk's full size.
		ws, we := c.End, c.End
		for ws > 0 {
			r, w := utf8.DecodeLastRuneInString(text[:ws])
			if !inWord(r) {
				break
			}
			ws -= w
		}
		for we < len(text) {
			r, w := utf8.DecodeRuneInString(text[we:])
			if !inWord(r) {
				break
			}
			we += w
		}
		if ws > c.Start && utf8.RuneCountInString(text[ws:we]) <= c.Runes() && !unspacedCut(before, after) {
			t.Fatalf("chunk %d ends inside the word %q", c.Index, text[ws:we])
		}
	}
}

// inWord reports runes that belong to a white-space delimited word.
func inWord(r rune) bool { return !unicode.IsSpace(r) }

// unspacedCut reports a cut the chunker may make without white space:
// next to a letter of a script without spaces, or after CJK punctuation.
func unspacedCut(before, after rune) bool {
	cjk := func(r rune) bool {
		return isUnspaced(r) || (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
	}
	return cjk(before) || cjk(after) || strings.ContainsRune(closers+tightEnds, before)
}

func TestGrowthFirstChunkIsTheFirstSentence(t *testing.T) {
	story := "It was a bright cold day in April, and the clocks were striking thirteen. " +
		strings.Repeat("Winston Smith slipped quickly through the glass doors of Victory Mansions. ", 100)
	c := grow(t, story, 4096, DefaultGrowth)
	if c[0].Text != "It was a bright cold day in April, and the clocks were striking thirteen." {
		t.Errorf("first chunk %q", c[0].Text)
	}
	if len(c) < 3 || c[1].Runes() >= c[2].Runes() {
		t.Errorf("chunks do not grow: %d, %d, …", c[1].Runes(), c[2].Runes())
	}
	// A heading is too short alone: it takes the first sentence along.
	c = grow(t, "Chapter 1\n"+story, 4096, DefaultGrowth)
	if !strings.HasPrefix(c[0].Text, "Chapter 1\nIt was") || !strings.HasSuffix(c[0].Text, "thirteen.") {
		t.Errorf("first chunk %q", c[0].Text)
	}
	// A first sentence over First is cut at its first clause past MinClause.
	long := "In the beginning, when the world was young and the rivers ran clear, there lived a king " +
		strings.Repeat("whose lands stretched from the mountains to the sea ", 5) + "and beyond. " + story
	c = grow(t, long, 4096, DefaultGrowth)
	if c[0].Text != "In the beginning, when the world was young and the rivers ran clear," {
		t.Errorf("first chunk %q", c[0].Text)
	}
	// A long sentence with no clause: cut at a word within First.
	c = grow(t, strings.Repeat("word ", 400), 4096, DefaultGrowth)
	if n := c[0].Runes(); n > DefaultGrowth.First || n < DefaultGrowth.First-5 {
		t.Errorf("first chunk has %d runes", n)
	}
	// A short text stays one chunk, as it came.
	if c := grow(t, "Hello there. How are you? Fine.", 4096, DefaultGrowth); len(c) != 1 {
		t.Errorf("short text split: %q", texts(c))
	}
	// No break at all: a hard cut at First.
	c = grow(t, strings.Repeat("a", 5000), 4096, DefaultGrowth)
	if c[0].Runes() != DefaultGrowth.First {
		t.Errorf("first chunk has %d runes", c[0].Runes())
	}
}

func TestGrowthReachesTheCap(t *testing.T) {
	text := randomText(rand.New(rand.NewPCG(3, 4)), 60_000)
	c := grow(t, text, 4096, DefaultGrowth)
	plain := split(t, text, 4096)
	if len(c) > len(plain)+3 {
		t.Errorf("growth needs %d chunks, plain %d: more than 3 extra", len(c), len(plain))
	}
	big := 0
	for _, ch := range c[1:] {
		if ch.Runes() > 2048 {
			big++
		}
	}
	if big < len(c)/2 {
		t.Errorf("only %d of %d chunks are over half the cap", big, len(c))
	}
	// Past the ramp, the chunks are Split's.
	same := 0
	for _, ch := range c {
		for _, p := range plain {
			if p.Start == ch.Start && p.End == ch.End {
				same++
			}
		}
	}
	if same < len(plain)-4 {
		t.Errorf("only %d of %d chunks agree with Split past the ramp", same, len(plain))
	}
}

func TestGrowthEdgeCases(t *testing.T) {
	for _, g := range []Growth{{}, {First: 200, MinFirst: 24, MinClause: 40, Factor: 1}, {First: 0, MinFirst: 1, MinClause: 1, Factor: 2}} {
		if _, err := SplitGrowing("Some text.", 100, g); err == nil {
			t.Errorf("%+v accepted", g)
		}
	}
	if _, err := SplitGrowing("Some text.", 0, DefaultGrowth); err == nil {
		t.Error("limit 0 accepted")
	}
	// A huge factor reaches the cap at once, without overflowing.
	huge := DefaultGrowth
	huge.Factor = 1 << 62
	if c := grow(t, benchText(20_000), 1<<30, huge); len(c) != 2 {
		t.Errorf("factor 2^62: %d chunks, want the first sentence and the rest", len(c))
	}
	// Under a cap of First or less, the chunks are Split's.
	text := randomText(rand.New(rand.NewPCG(8, 8)), 5000)
	for _, limit := range []int{60, DefaultGrowth.First} {
		if a, b := split(t, text, limit), grow(t, text, limit, DefaultGrowth); strings.Join(texts(a), "|") != strings.Join(texts(b), "|") {
			t.Errorf("cap %d: growing chunks differ from Split's", limit)
		}
	}
	if c, _ := SplitGrowing(" \n ", 300, DefaultGrowth); len(c) != 0 {
		t.Errorf("white space gave chunks: %+v", c)
	}
}

// bookText is prose with paragraphs of a few sentences of varied length.
func bookText(r *rand.Rand, n int) string {
	words := strings.Fields("the a river king of mountains quickly light glass doors evening cold bright whose lands stretched sea beyond under over clocks were striking thirteen winston slipped through")
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		m := 5 + r.IntN(25)
		for j := range m {
			w := words[r.IntN(len(words))]
			if j == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
			if j == m-1 {
				b.WriteString(". ")
			} else if r.IntN(9) == 0 {
				b.WriteString(", ")
			} else {
				b.WriteString(" ")
			}
		}
		if r.IntN(5) == 0 {
			b.WriteString("\n\n")
		}
	}
	return b.String()
}

// Editing one sentence, or inserting one, changes one chunk at nearly
// every position tried, in the ramp and past it, and at least as often as
// with Split.
func TestGrowthEditsChangeOneChunk(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for name, text := range map[string]string{"prose": bookText(r, 20_000), "bench": benchText(20_000)} {
		before := grow(t, text, 4096, DefaultGrowth)
		plain := split(t, text, 4096)
		sentences := Sentences(text)
		one, onePlain, tried := 0, 0, 0
		for k := 0; k < len(sentences); k += 5 {
			sp := sentences[k]
			for _, edited := range []string{
				text[:sp.Start] + "An edited sentence, a little longer than before." + text[sp.End:],
				text[:sp.Start] + "A new sentence. " + text[sp.Start:],
			} {
				tried++
				d := diff(before, grow(t, edited, 4096, DefaultGrowth))
				if d == 1 {
					one++
				}
				if diff(plain, split(t, edited, 4096)) == 1 {
					onePlain++
				}
			}
		}
		t.Logf("%s: %d of %d edits changed exactly one chunk (Split: %d)", name, one, tried, onePlain)
		if name == "prose" && one*20 < tried*19 {
			t.Errorf("%s: only %d of %d edits changed exactly one chunk", name, one, tried)
		}
		// The bench text's paragraphs are all the same length, so an
		// insertion that tips a chunk over the half-full mark moves the
		// next boundaries by one paragraph each (Split alike): growth must
		// not make that worse.
		if one < onePlain-tried/20 {
			t.Errorf("%s: %d edits changed exactly one chunk, %d with Split", name, one, onePlain)
		}
	}
}

func benchText(chars int) string {
	var b strings.Builder
	for i := 0; b.Len() < chars; i++ {
		fmt.Fprintf(&b, "This is sentence number %d of the long benchmark text, read aloud. ", i)
		if i%6 == 5 {
			b.WriteString("\n\n")
		}
	}
	return b.String()[:chars]
}

func TestGrowthPropertiesRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for range 300 {
		text := randomText(r, r.IntN(20_000))
		g := Growth{First: 1 + r.IntN(300), MinFirst: 1 + r.IntN(60), MinClause: 1 + r.IntN(80), Factor: 2 + r.IntN(15)}
		grow(t, text, 1+r.IntN(5000), g)
		grow(t, text, 4096, DefaultGrowth)
	}
}

func FuzzSplitGrowing(f *testing.F) {
	for _, s := range []string{"", "Hello. World.", "a\n\nb", "Dr. X paid 3.5 at a.com.", "今日は。明日", "e\u0301e\u0301", "👩\u200d👩\u200d👧 family", "\xff\xfe bad utf8. ok",
		strings.Repeat("Short one. ", 40), strings.Repeat("long,", 100)} {
		f.Add(s, 50, 20, 5, 10, 3)
	}
	f.Fuzz(func(t *testing.T, text string, limit, first, minFirst, minClause, factor int) {
		limit = 1 + abs(limit)%500
		g := Growth{First: 1 + abs(first)%300, MinFirst: 1 + abs(minFirst)%100, MinClause: 1 + abs(minClause)%100, Factor: 2 + abs(factor)%20}
		c, err := SplitGrowing(text, limit, g)
		if err != nil {
			t.Fatal(err)
		}
		check(t, text, limit, c)
		checkGrowth(t, limit, g, c)
		checkWords(t, text, c)
	})
}
