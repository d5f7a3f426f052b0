package longtext

import (
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

func balanced(t *testing.T, text string, limit int) []Chunk {
	t.Helper()
	c, err := SplitBalanced(text, limit, DefaultGrowth)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A balanced tail keeps every chunk under the cap and in order, starts as
// SplitGrowing does (the first audio does not change), ends in smaller
// chunks, costs at most three requests more than packing, and ends the
// export sooner on the simulated clock (mean over 51 lengths).
func TestBalancedTail(t *testing.T) {
	var sumGrow, sumBal float64
	for chars := 10_000; chars <= 60_000; chars += 1000 {
		text := proseText(chars)
		got, grown := balanced(t, text, 4096), grow(t, text, 4096, DefaultGrowth)
		packed := split(t, text, 4096)
		if len(got) > len(packed)+3 {
			t.Errorf("%d characters: %d chunks, packed %d", chars, len(got), len(packed))
		}
		if got[0].Start != grown[0].Start || got[0].End != grown[0].End {
			t.Errorf("%d characters: the first chunk moved", chars)
		}
		for i, c := range got {
			if c.Runes() > 4096 || c.Index != i || (i > 0 && c.Start < got[i-1].End) {
				t.Fatalf("%d characters: chunk %d %+v", chars, i, c)
			}
		}
		if chars > 3*4096 && got[len(got)-1].Runes() > 4096/3 {
			t.Errorf("%d characters: the last chunk has %d characters, want at most a third of the cap", chars, got[len(got)-1].Runes())
		}
		sg, sb := sizes(grown), sizes(got)
		sumGrow += issueModel.run(sg).wall.Seconds() / issueModel.chunksIdeal(sg).Seconds()
		sumBal += issueModel.run(sb).wall.Seconds() / issueModel.chunksIdeal(sb).Seconds()
	}
	t.Logf("export wall ÷ ideal, mean over 51 lengths: growing %.4f, balanced %.4f", sumGrow/51, sumBal/51)
	if sumBal >= sumGrow {
		t.Errorf("the balanced tail did not shorten the exports: %.4f vs %.4f", sumBal/51, sumGrow/51)
	}
	short := proseText(9000)
	if a, b := balanced(t, short, 4096), grow(t, short, 4096, DefaultGrowth); diff(a, b) != 0 {
		t.Error("a text of under three caps changed")
	}
	if utf8.RuneCountInString(short) > 3*4096 {
		t.Fatal("the short text is not short")
	}
}

// Edits and insertions of one sentence still change one chunk: the tail is
// found by paragraph starts, which sentence edits do not move.
func TestBalancedTailEditsChangeOneChunk(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for name, text := range map[string]string{"prose": bookText(r, 20_000), "bench": benchText(20_000)} {
		before, beforeGrown := balanced(t, text, 4096), grow(t, text, 4096, DefaultGrowth)
		sentences := Sentences(text)
		one, oneGrown, tried := 0, 0, 0
		for k := 0; k < len(sentences); k += 5 {
			sp := sentences[k]
			for _, edited := range []string{
				text[:sp.Start] + "An edited sentence, a little longer than before." + text[sp.End:],
				text[:sp.Start] + "A new sentence. " + text[sp.Start:],
			} {
				tried++
				if diff(before, balanced(t, edited, 4096)) == 1 {
					one++
				}
				if diff(beforeGrown, grow(t, edited, 4096, DefaultGrowth)) == 1 {
					oneGrown++
				}
			}
		}
		t.Logf("%s: %d of %d edits changed exactly one chunk (SplitGrowing: %d)", name, one, tried, oneGrown)
		if name == "prose" && one < tried {
			t.Errorf("%s: only %d of %d edits changed exactly one chunk", name, one, tried)
		}
		if one < oneGrown {
			t.Errorf("%s: %d edits changed exactly one chunk, %d with SplitGrowing", name, one, oneGrown)
		}
	}
}
