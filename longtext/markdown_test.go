package longtext

import "testing"

// SpeakableMarkdown drops heading marks, emphasis, link targets, fences,
// bullets, quotes and rules, keeps every word (code lines too), and makes
// headings sentences of their own.
func TestSpeakableMarkdown(t *testing.T) {
	md := "# Release notes\r\n\r\n" +
		"This is **bold**, __strong__, *leaning*, _italic_, ~~gone~~ and `code`.\n" +
		"See [the docs](https://example.com/docs) and ![a diagram](d.png).\n\n" +
		"## Install.\n\n" +
		"- First step\n" +
		"1. Second *step*\n\n" +
		"```go\nfmt.Println(\"hi\")\n```\n\n" +
		"> A quote <b>here</b>.\n\n" +
		"---\n\nThe end.\n"
	want := "Release notes.\n\n" +
		"This is bold, strong, leaning, italic, gone and code.\n" +
		"See the docs and a diagram.\n\n" +
		"Install.\n\n" +
		"First step\n" +
		"Second step\n\n" +
		"\nfmt.Println(\"hi\")\n\n\n" +
		"A quote here.\n\n" +
		"\n\nThe end.\n"
	if got := SpeakableMarkdown(md); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if plain := "Nothing to drop here.\n"; SpeakableMarkdown(plain) != plain {
		t.Errorf("plain text changed: %q", SpeakableMarkdown(plain))
	}
}
