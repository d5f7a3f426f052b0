package longtext

import (
	"regexp"
	"strings"
)

var (
	mdFence    = regexp.MustCompile("(?m)^[ \\t]*(```|~~~).*$")
	mdHeading  = regexp.MustCompile(`(?m)^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$`)
	mdImage    = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink     = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
	mdEmphasis = regexp.MustCompile(`(\*\*|__|\*|_|~~|` + "`" + `)([^*_~` + "`" + `\n]+?)(\*\*|__|\*|_|~~|` + "`" + `)`)
	mdBullet   = regexp.MustCompile(`(?m)^[ \t]*([-*+]|\d+[.)])[ \t]+`)
	mdQuote    = regexp.MustCompile(`(?m)^[ \t]*>[ \t]?`)
	mdRule     = regexp.MustCompile(`(?m)^[ \t]*([-*_][ \t]*){3,}$`)
	mdHTML     = regexp.MustCompile(`<[^>\n]+>`)
)

// SpeakableMarkdown keeps the words of a Markdown text and drops the
// markup a voice should not read: heading marks, emphasis, link targets,
// images (their alt text stays), bullets, quotes, rules, fences and HTML
// tags. Headings become sentences of their own; the lines of a code block
// are kept as they are. The GUI's editor shows this text for a Markdown
// file and chorus speak --file speaks it, so both say the same words.
func SpeakableMarkdown(md string) string {
	t := strings.ReplaceAll(md, "\r\n", "\n")
	t = mdFence.ReplaceAllString(t, "")
	t = mdRule.ReplaceAllString(t, "")
	t = mdHeading.ReplaceAllString(t, "$1.")
	t = mdImage.ReplaceAllString(t, "$1")
	t = mdLink.ReplaceAllString(t, "$1")
	for range 2 {
		t = mdEmphasis.ReplaceAllString(t, "$2")
	}
	t = mdBullet.ReplaceAllString(t, "")
	t = mdQuote.ReplaceAllString(t, "")
	t = mdHTML.ReplaceAllString(t, "")
	return strings.ReplaceAll(t, "..\n", ".\n") // a heading that already ended with a full stop
}
