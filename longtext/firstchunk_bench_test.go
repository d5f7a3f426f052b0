package longtext

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// model is the latency model of issue 12 on a simulated clock: a request
// for n characters gives its first byte after Base + PerChar·n and its last
// after Stream·n more; Play·n is how long the audio lasts (0: an export,
// read as fast as it arrives). It schedules chunks as core's pipeline
// does: in order, at most Conc requests at once, none more than Conc
// chunks past the one being read.
type model struct {
	Base, PerChar, Stream, Play time.Duration
	Conc                        int
}

// schedule is what one run of a chunking gives under a model.
type schedule struct {
	first, wall, stalls time.Duration // stalls: silence after the first audio while playing
}

func (m model) run(sizes []int) schedule {
	n := len(sizes)
	slots := make([]time.Duration, m.Conc) // when each slot is free
	readEnd := make([]time.Duration, n)
	var out schedule
	for i, size := range sizes {
		k := 0
		for j := range slots {
			if slots[j] < slots[k] {
				k = j
			}
		}
		start := slots[k]
		if j := i - m.Conc - 1; j >= 0 {
			start = max(start, readEnd[j]) // the look-ahead window
		}
		firstByte := start + m.Base + time.Duration(size)*m.PerChar
		last := firstByte + time.Duration(size)*m.Stream
		slots[k] = last
		readStart := firstByte
		if i == 0 {
			out.first = firstByte
		} else {
			if readStart > readEnd[i-1] && m.Play > 0 {
				out.stalls += readStart - readEnd[i-1]
			}
			readStart = max(readStart, readEnd[i-1])
		}
		readEnd[i] = max(last, readStart+time.Duration(size)*m.Play)
	}
	out.wall = readEnd[n-1]
	return out
}

// capIdeal is the bound for a cap whatever the chunking: the fewest
// requests the cap allows, their time spread evenly over the slots.
func (m model) capIdeal(chars, limit int) time.Duration {
	reqs := time.Duration((chars + limit - 1) / limit)
	return (reqs*m.Base + time.Duration(chars)*(m.PerChar+m.Stream)) / time.Duration(m.Conc)
}

// chunksIdeal is the bound for given chunks: their request times spread
// evenly over the slots.
func (m model) chunksIdeal(sizes []int) time.Duration {
	var sum time.Duration
	for _, n := range sizes {
		sum += m.Base + time.Duration(n)*(m.PerChar+m.Stream)
	}
	return sum / time.Duration(m.Conc)
}

// issueModel is issue 12's provider: 200 ms + 2 ms per character to the
// first byte, the audio (4 ms per character, time-scaled as in core's
// benchmarks) at 10× real time, three requests at once.
var issueModel = model{Base: 200 * time.Millisecond, PerChar: 2 * time.Millisecond, Stream: 400 * time.Microsecond, Conc: 3}

// speechRate is real speech: about 65 ms per character.
const speechRate = 65 * time.Millisecond

func sizes(cs []Chunk) []int {
	out := make([]int, len(cs))
	for i, c := range cs {
		out[i] = c.Runes()
	}
	return out
}

// proseText is prose: sentences of 4 to 24 words, paragraphs of 1 to 7
// sentences (the text of core's BenchmarkFirstAudio).
func proseText(chars int) string {
	r := rand.New(rand.NewPCG(12, 1))
	words := strings.Fields("the river ran clear under a bright cold sky and the clocks were striking thirteen while winston slipped quickly through the glass doors of victory mansions though not quickly enough to keep a swirl of gritty dust from entering along with him")
	var b strings.Builder
	for b.Len() < chars {
		for range 1 + r.IntN(7) {
			m := 4 + r.IntN(21)
			for j := range m {
				w := words[r.IntN(len(words))]
				if j == 0 {
					w = strings.ToUpper(w[:1]) + w[1:]
				}
				b.WriteString(w)
				switch {
				case j == m-1:
					b.WriteString(". ")
				case r.IntN(8) == 0:
					b.WriteString(", ")
				default:
					b.WriteString(" ")
				}
			}
		}
		b.WriteString("\n\n")
	}
	return strings.TrimSpace(b.String()[:chars])
}

// The growth schedule on the simulated clock: the first audio of a long
// text is that of its first sentence, playing at the speed of speech never
// waits for a chunk, and the cap is still reached.
func TestGrowthScheduleSimulated(t *testing.T) {
	for _, chars := range []int{1000, 5000, 20_000, 100_000} {
		for _, text := range []string{proseText(chars), benchText(chars), bookText(rand.New(rand.NewPCG(1, uint64(chars))), chars)} {
			cs := grow(t, text, 4096, DefaultGrowth)
			first := Sentences(text)[0]
			one := issueModel.run([]int{utf8.RuneCountInString(text[first.Start:first.End])})
			m := issueModel
			m.Play = speechRate
			got := m.run(sizes(cs))
			if len(cs) > 1 && (cs[0].End != first.End && cs[0].Runes() > DefaultGrowth.First) {
				t.Errorf("%d characters: the first chunk is %q", chars, cs[0].Text)
			}
			// Simulated time, not measured: the same every run.
			if got.first > one.first+one.first/5 || got.stalls != 0 {
				t.Errorf("%d characters: first audio %v against %v for one sentence, %v of stalls", chars, got.first, one.first, got.stalls)
			}
			if plain := split(t, text, 4096); len(cs) > len(plain)+3 {
				t.Errorf("%d characters: %d chunks, %d packed", chars, len(cs), len(plain))
			}
		}
	}
}

// BenchmarkGrowthSchedule prints, on the simulated clock, the tables of
// bench/longtext.md "First audio, simulated": packed and growing chunks of
// texts from one sentence to 200,000 characters, for an export and for
// playing at the speed of speech, then the mean and worst export wall
// time over every length from 10,000 to 60,000 characters in steps of 1,000.
func BenchmarkGrowthSchedule(b *testing.B) {
	b.Logf("model: first byte %v + %v per character, %v per character streaming, %d at once; cap 4096; playing at %v per character",
		issueModel.Base, issueModel.PerChar, issueModel.Stream, issueModel.Conc, speechRate)
	chunkings := []struct {
		name  string
		split func(string) []Chunk
	}{
		{"packed", func(t string) []Chunk { c, _ := Split(t, 4096); return c }},
		{"growing", func(t string) []Chunk { c, _ := SplitGrowing(t, 4096, DefaultGrowth); return c }},
		{"balanced", func(t string) []Chunk { c, _ := SplitBalanced(t, 4096, DefaultGrowth); return c }},
	}
	b.Logf("| characters | chunking | chunks | first audio | × one sentence | export wall | ÷ ideal for the chunks | ÷ ideal for the cap | stalls while playing |")
	for _, chars := range []int{100, 2000, 5000, 10_000, 20_000, 50_000, 200_000} {
		text := proseText(chars)
		n := utf8.RuneCountInString(text)
		first := Sentences(text)[0]
		one := issueModel.run([]int{utf8.RuneCountInString(text[first.Start:first.End])})
		for _, c := range chunkings {
			sz := sizes(c.split(text))
			exp := issueModel.run(sz)
			m := issueModel
			m.Play = speechRate
			play := m.run(sz)
			b.Logf("| %d | %s | %d | %.0f ms | %.2f | %.2f s | %.3f | %.3f | %v |", n, c.name, len(sz), exp.first.Seconds()*1000,
				exp.first.Seconds()/one.first.Seconds(), exp.wall.Seconds(), exp.wall.Seconds()/issueModel.chunksIdeal(sz).Seconds(),
				exp.wall.Seconds()/issueModel.capIdeal(n, 4096).Seconds(), play.stalls)
		}
	}
	b.Logf("| 10,000–60,000 characters (51 lengths) | chunking | most chunks added | mean ÷ ideal for the chunks | worst | mean ÷ ideal for the cap | worst |")
	for _, c := range chunkings {
		var sumC, worstC, sumK, worstK float64
		added, lengths := 0, 0
		for chars := 10_000; chars <= 60_000; chars += 1000 {
			text := proseText(chars)
			sz := sizes(c.split(text))
			exp := issueModel.run(sz).wall.Seconds()
			rc, rk := exp/issueModel.chunksIdeal(sz).Seconds(), exp/issueModel.capIdeal(utf8.RuneCountInString(text), 4096).Seconds()
			sumC, worstC, sumK, worstK = sumC+rc, max(worstC, rc), sumK+rk, max(worstK, rk)
			added = max(added, len(sz)-len(chunkings[0].split(text)))
			lengths++
		}
		b.Logf("| | %s | %d | %.3f | %.3f | %.3f | %.3f |", c.name, added, sumC/float64(lengths), worstC, sumK/float64(lengths), worstK)
	}
	text := proseText(20_000)
	sz := sizes(chunkings[1].split(text))
	for _, perChar := range []time.Duration{2, 4, 8, 16} {
		m := issueModel
		m.PerChar, m.Play = perChar*time.Millisecond, speechRate
		b.Logf("growing, 20,000 characters, playing, first byte %v + %v per character: %v of stalls", m.Base, m.PerChar, m.run(sz).stalls)
	}
	for b.Loop() {
		SplitGrowing(text, 4096, DefaultGrowth)
	}
}
