package core

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
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
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isStripped(r) {
			b.WriteString(s[i : i+size]) // bytes as they were, even invalid ones
		}
		i += size
	}
	return b.String(), n
}

// cleanMap takes byte offsets in a cleaned text back to the text as it was
// given, so progress can point into the front end's own copy.
type cleanMap struct {
	at    []int // offsets in the clean text where removed bytes were
	shift []int // bytes removed up to and including at[i]
}

// newCleanMap records where CleanText removes characters from s; nil when
// it removes none.
func newCleanMap(s string) *cleanMap {
	var m *cleanMap
	clean, removed := 0, 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if !isStripped(r) {
			clean += size
			continue
		}
		if m == nil {
			m = &cleanMap{}
		}
		removed += size
		if n := len(m.at); n > 0 && m.at[n-1] == clean {
			m.shift[n-1] = removed
		} else {
			m.at, m.shift = append(m.at, clean), append(m.shift, removed)
		}
	}
	return m
}

// original is the offset in the given text of offset off in the clean one.
func (m *cleanMap) original(off int) int {
	if m == nil {
		return off
	}
	k := sort.SearchInts(m.at, off+1) // removals at or before off
	if k == 0 {
		return off
	}
	return off + m.shift[k-1]
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
