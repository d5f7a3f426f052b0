package longtext

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// check verifies the invariants every chunking must keep.
func check(t *testing.T, text string, limit int, chunks []Chunk) {
	t.Helper()
	var b strings.Builder
	prevEnd, prevRune := 0, 0
	for i, c := range chunks {
		if c.Index != i {
			t.Fatalf("chunk %d has index %d", i, c.Index)
		}
		if c.Start < prevEnd || c.End <= c.Start || c.End > len(text) {
			t.Fatalf("chunk %d spans [%d,%d) after %d in %d bytes", i, c.Start, c.End, prevEnd, len(text))
		}
		if text[c.Start:c.End] != c.Text {
			t.Fatalf("chunk %d text differs from its offsets", i)
		}
		if n := utf8.RuneCountInString(c.Text); n > limit || n != c.Runes() {
			t.Fatalf("chunk %d has %d runes (offsets say %d), limit %d: %q", i, n, c.Runes(), limit, c.Text)
		}
		if c.RuneStart != prevRune+utf8.RuneCountInString(text[prevEnd:c.Start]) {
			t.Fatalf("chunk %d rune offset %d is wrong", i, c.RuneStart)
		}
		if strings.TrimSpace(c.Text) != c.Text {
			t.Fatalf("chunk %d is not trimmed: %q", i, c.Text)
		}
		if gap := text[prevEnd:c.Start]; strings.TrimFunc(gap, unicode.IsSpace) != "" {
			t.Fatalf("text lost between chunks: %q", gap)
		}
		b.WriteString(noSpace(c.Text))
		prevEnd, prevRune = c.End, c.RuneEnd
	}
	if rest := text[prevEnd:]; strings.TrimFunc(rest, unicode.IsSpace) != "" {
		t.Fatalf("text lost at the end: %q", rest)
	}
	if b.String() != noSpace(text) {
		t.Fatal("chunks joined differ from the input")
	}
}

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func split(t *testing.T, text string, limit int) []Chunk {
	t.Helper()
	c, err := Split(text, limit)
	if err != nil {
		t.Fatal(err)
	}
	check(t, text, limit, c)
	return c
}

func texts(cs []Chunk) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Text)
	}
	return out
}

func TestShortTextIsOneChunk(t *testing.T) {
	c := split(t, "  Hello there.  ", 100)
	if len(c) != 1 || c[0].Text != "Hello there." || c[0].Start != 2 || c[0].RuneStart != 2 {
		t.Fatalf("%+v", c)
	}
	if c := split(t, " \n\t ", 10); len(c) != 0 {
		t.Fatalf("white space gave chunks: %+v", c)
	}
	if _, err := Split("x", 0); err == nil {
		t.Fatal("limit 0 accepted")
	}
}

func TestSentenceBoundaries(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"Dr. Smith paid $3.50 at example.com today. Then he left.", []string{"Dr. Smith paid $3.50 at example.com today.", "Then he left."}},
		{"See https://example.com/a.b?x=1. It works.", []string{"See https://example.com/a.b?x=1.", "It works."}},
		{`He said "Stop." Then he ran. "Why?" she asked.`, []string{`He said "Stop."`, `Then he ran.`, `"Why?" she asked.`}},
		{"J. R. R. Tolkien wrote it. E.g. this one.", []string{"J. R. R. Tolkien wrote it.", "E.g. this one."}},
		{"Wait... what? Yes!", []string{"Wait... what?", "Yes!"}},
		{"今日は晴れです。明日は雨でしょう。「本当？」と聞いた。", []string{"今日は晴れです。", "明日は雨でしょう。", "「本当？」", "と聞いた。"}},
		{"यह पहला वाक्य है। यह दूसरा है।", []string{"यह पहला वाक्य है।", "यह दूसरा है।"}},
		{"هل أنت هنا؟ نعم.", []string{"هل أنت هنا؟", "نعم."}},
		{"Title\nFirst line. Second.", []string{"Title", "First line.", "Second."}},
	} {
		var got []string
		for _, s := range Sentences(c.text) {
			got = append(got, c.text[s.Start:s.End])
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("Sentences(%q)\n got %q\nwant %q", c.text, got, c.want)
		}
	}
}

func TestPrefersParagraphThenSentence(t *testing.T) {
	p1 := "One two three. Four five six."
	p2 := "Seven eight nine. Ten eleven twelve."
	got := texts(split(t, p1+"\n\n"+p2, 40))
	if strings.Join(got, "|") != p1+"|"+p2 {
		t.Errorf("paragraph cut: %q", got)
	}
	got = texts(split(t, p1+" "+p2, 40))
	for _, c := range got {
		if !strings.HasSuffix(c, ".") {
			t.Errorf("cut inside a sentence although sentences fit: %q", got)
		}
	}
	// A long sentence is cut at a comma before a plain space.
	got = texts(split(t, "Alpha beta gamma delta, epsilon zeta eta theta iota kappa.", 30))
	if got[0] != "Alpha beta gamma delta," {
		t.Errorf("clause cut: %q", got)
	}
}

func TestNeverMidWord(t *testing.T) {
	words := strings.Fields("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor")
	var b strings.Builder
	for i := range 3000 {
		b.WriteString(words[i%len(words)])
		b.WriteByte(' ')
	}
	text := b.String() // one huge "sentence" with no punctuation
	for _, c := range split(t, text, 250) {
		for _, w := range strings.Fields(c.Text) {
			if !strings.Contains(" "+strings.Join(words, " ")+" ", " "+w+" ") {
				t.Fatalf("word cut: %q", w)
			}
		}
	}
}

func TestHugeSingleLine(t *testing.T) {
	text := strings.Repeat("a", 50_000)
	c := split(t, text, 4096)
	if len(c) != 13 {
		t.Errorf("%d chunks", len(c))
	}
	text = strings.Repeat("word, ", 10_000) // 60,000 characters on one line
	split(t, text, 250)
	text = strings.Repeat("漢字かな", 12_500) // 50,000 CJK characters, no punctuation
	split(t, text, 300)
	// Combining marks stay on their letter.
	text = strings.Repeat("e\u0301", 1000)
	for _, ch := range split(t, text, 99) {
		if r, _ := utf8.DecodeRuneInString(ch.Text); r == '\u0301' {
			t.Fatal("chunk starts with a combining mark")
		}
	}
}

// An edit that keeps the length changes one chunk; one that changes it
// changes few, and everything before it stays put.
func TestEditsStayLocal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	text := randomText(r, 20_000)
	before := split(t, text, 1000)
	i := strings.Index(text[len(text)/2:], "lorem") + len(text)/2
	edited := text[:i] + "LOREM" + text[i+5:]
	after := split(t, edited, 1000)
	if d := diff(before, after); d != 1 {
		t.Errorf("same-length edit changed %d chunks", d)
	}
	edited = text[:i] + "lorem ipsum dolor sit amet" + text[i+5:]
	after = split(t, edited, 1000)
	if d := diff(before, after); d > 3 {
		t.Errorf("a short insertion changed %d chunks of %d", d, len(before))
	}
}

func diff(a, b []Chunk) int {
	seen := map[string]int{}
	for _, c := range a {
		seen[c.Text]++
	}
	n := 0
	for _, c := range b {
		if seen[c.Text] > 0 {
			seen[c.Text]--
		} else {
			n++
		}
	}
	return n
}

func randomText(r *rand.Rand, n int) string {
	words := strings.Fields("lorem ipsum dolor sit amet, consectetur adipiscing elit; sed do eiusmod tempor Mr. 3.14 example.com «quoted» 東京。 naïve café")
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
		switch r.IntN(40) {
		case 0:
			b.WriteString(".\n\n")
		case 1, 2, 3:
			b.WriteString(". ")
		case 4:
			b.WriteString("? ")
		case 5:
			b.WriteString("\n")
		default:
			b.WriteString(" ")
		}
	}
	return b.String()
}

func TestPropertiesRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	for range 200 {
		text := randomText(r, r.IntN(5000))
		split(t, text, 1+r.IntN(400))
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"", "Hello. World.", "a\n\nb", "Dr. X paid 3.5 at a.com.", "今日は。明日", "e\u0301e\u0301", "👩\u200d👩\u200d👧 family", "\xff\xfe bad utf8. ok"} {
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, text string, limit int) {
		limit = 1 + abs(limit)%300
		c, err := Split(text, limit)
		if err != nil {
			t.Fatal(err)
		}
		check(t, text, limit, c)
		for _, s := range Sentences(text) {
			if s.Start >= s.End || s.End > len(text) {
				t.Fatalf("bad sentence span %+v", s)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n == -n {
			return 0
		}
		return -n
	}
	return n
}

func BenchmarkSplit(b *testing.B) {
	text := randomText(rand.New(rand.NewPCG(1, 1)), 200_000)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Split(text, 4096)
	}
}
