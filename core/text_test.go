package core

import (
	"context"
	"strings"
	"sync"
	"testing"

	"chorus/providers"
)

func TestCleanTextKeepsEverythingElseAsItWas(t *testing.T) {
	for in, want := range map[string]string{
		"plain\ttext\r\n":         "plain\ttext\r\n",
		"a\x00b\x1bc\x7fd":        "abcd",
		"é\u0085ü\u009f!":         "éü!",
		"bad \xff byte\x00 stays": "bad \xff byte stays", // invalid UTF-8 is not rewritten
		"\x00\x01\x02":            "",
	} {
		got, n := CleanText(in)
		if got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
		if removed := len([]rune(in)) - len([]rune(got)); n != removed {
			t.Errorf("CleanText(%q) counted %d, removed %d", in, n, removed)
		}
	}
}

func TestCleanMapFindsTheOriginalOffsets(t *testing.T) {
	in := "\x00Hello\x00\x00 wörld\u0085, and more\x07"
	clean, _ := CleanText(in)
	m := newCleanMap(in)
	for _, word := range []string{"Hello", "wörld", "and more"} {
		c := strings.Index(clean, word)
		o := m.original(c)
		if !strings.HasPrefix(in[o:], word) {
			t.Errorf("%q: clean offset %d maps to %d (%q)", word, c, o, in[o:])
		}
	}
	if newCleanMap("nothing to remove") != nil {
		t.Error("a map for text with nothing removed")
	}
	var none *cleanMap
	if none.original(7) != 7 {
		t.Error("a nil map moved an offset")
	}
}

// Progress points into the text as the front end gave it, control
// characters and all, so its highlight lands on the sentence spoken.
func TestProgressOffsetsIgnoreStrippedCharacters(t *testing.T) {
	newFakeLong(t, "l-ctlprog", 120, 3)
	e, _ := monoEngine()
	text := strings.Repeat("\x00\x00\x00\x00", 10) + longText(12)
	var events []Progress
	var mu sync.Mutex
	_, err := e.Speak(context.Background(), Job{Provider: "l-ctlprog", Request: providers.Request{Text: text}, Play: true,
		OnProgress: func(p Progress) { mu.Lock(); events = append(events, p); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) == 0 {
		t.Fatal("no progress")
	}
	for _, p := range events {
		if p.Start < 40 || p.End > len(text) || p.Start >= p.End {
			t.Fatalf("progress %+v is not in the text as given", p)
		}
		s := text[p.Start:p.End]
		if !strings.HasPrefix(strings.TrimSpace(s), "Sentence number") {
			t.Fatalf("progress %d–%d selects %q, not a sentence", p.Start, p.End, s)
		}
	}
}
