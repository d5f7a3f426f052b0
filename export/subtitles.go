package export

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Cue is one subtitle: text shown from Start to End.
type Cue struct {
	Start, End time.Duration
	Text       string
}

// lineChars is the usual longest subtitle line.
const lineChars = 42

// FormatSRT renders cues as SubRip: numbered blocks, "00:00:01,500 -->
// 00:00:03,000" times, text on at most two lines, blank-line separated.
func FormatSRT(cues []Cue) []byte {
	var b bytes.Buffer
	for i, c := range cues {
		fmt.Fprintf(&b, "%d\n%s --> %s\n%s\n\n", i+1, stamp(c.Start, ','), stamp(c.End, ','), wrap(c.Text))
	}
	return b.Bytes()
}

// FormatVTT renders cues as WebVTT: a "WEBVTT" header and cues with
// "00:00:01.500" times. "-->" in the text is escaped as the format requires.
func FormatVTT(cues []Cue) []byte {
	var b bytes.Buffer
	b.WriteString("WEBVTT\n\n")
	for _, c := range cues {
		t := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(wrap(c.Text))
		fmt.Fprintf(&b, "%s --> %s\n%s\n\n", stamp(c.Start, '.'), stamp(c.End, '.'), t)
	}
	return b.Bytes()
}

// stamp renders hh:mm:ss,mmm (sep ',' for SRT, '.' for VTT).
func stamp(d time.Duration, sep byte) string {
	if d < 0 {
		d = 0
	}
	ms := d.Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d%c%03d", ms/3600000, ms/60000%60, ms/1000%60, sep, ms%1000)
}

// wrap flattens white space (a blank line would end the cue) and breaks a
// long cue into two balanced lines at a space.
func wrap(text string) string {
	t := strings.Join(strings.Fields(text), " ")
	n := utf8.RuneCountInString(t)
	if n <= lineChars {
		return t
	}
	best, bestDist := -1, n
	for i, r := range t {
		if r != ' ' {
			continue
		}
		left := utf8.RuneCountInString(t[:i])
		if d := abs(2*left - n); d < bestDist {
			best, bestDist = i, d
		}
	}
	if best < 0 {
		return t
	}
	return t[:best] + "\n" + t[best+1:]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
