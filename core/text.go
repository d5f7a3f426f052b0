package core

import (
	"fmt"
	"strings"
	"unicode"
)

// CleanText removes the control characters no provider should be sent
// (NUL, escape, the C1 range and the like), keeping newlines, carriage
// returns and tabs, and reports how many it removed.
func CleanText(s string) (string, int) {
	n := 0
	for _, r := range s {
		if isStripped(r) {
			n++
		}
	}
	if n == 0 {
		return s, 0
	}
	return strings.Map(func(r rune) rune {
		if isStripped(r) {
			return -1
		}
		return r
	}, s), n
}

func isStripped(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r'
}

// strippedNotice tells the user that n control characters left the text.
func strippedNotice(n int) string {
	if n == 1 {
		return "removed 1 control character (such as NUL) from the text; it cannot be spoken"
	}
	return fmt.Sprintf("removed %d control characters (such as NUL) from the text; they cannot be spoken", n)
}
