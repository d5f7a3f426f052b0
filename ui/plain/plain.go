// Package plain words errors for a person at a window: no command lines
// or flags, sentences that start with a capital and end with one full
// stop, no decoder internals. Every tab of the window uses it.
package plain

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"chorus/providers"
)

var (
	cliCommand      = regexp.MustCompile("(?:run |use |try )?[`“\"']?chorus(?: [a-z][\\w-]*)+(?: --?[\\w-]+(?:[= ][^\\s`”\"']+)?)*[`”\"']?")
	cliFlag         = regexp.MustCompile(`\s*\(?--[a-z][\w-]*(?:[= ][^\s,;)]+)?\)?`)
	codecDetail     = regexp.MustCompile(`(?i)(?:at |in )?frame \d+ \(\d+ of \d+ bytes\)`)
	doubleStops     = regexp.MustCompile(`\.(\s*\.)+`)
	spaceBeforeStop = regexp.MustCompile(`\s+\.(\s|$)`)
	sentenceGaps    = regexp.MustCompile(`([.!?]) +([a-z])`)
)

// Error turns an error into sentences for a person.
func Error(err error) string {
	msg := err.Error()
	if providers.KindOf(err) == providers.KindCutStream || codecDetail.MatchString(msg) {
		msg = codecDetail.ReplaceAllString(msg, "")
		if !strings.Contains(strings.ToLower(msg), "broke") {
			msg += ". The connection broke before all the audio arrived"
		}
	}
	msg = cliCommand.ReplaceAllString(msg, "use the matching setting")
	msg = cliFlag.ReplaceAllString(msg, "")
	msg = strings.Join(strings.Fields(msg), " ")
	msg = strings.TrimSpace(strings.TrimRight(msg, " :;,"))
	msg = sentenceGaps.ReplaceAllStringFunc(msg, func(m string) string {
		r, size := utf8.DecodeLastRuneInString(m)
		return m[:len(m)-size] + string(unicode.ToUpper(r))
	})
	if r, size := utf8.DecodeRuneInString(msg); size > 0 {
		msg = string(unicode.ToUpper(r)) + msg[size:]
	}
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") && !strings.HasSuffix(msg, "!") {
		msg += "."
	}
	msg = spaceBeforeStop.ReplaceAllString(msg, ".$1")
	return doubleStops.ReplaceAllString(msg, ".")
}

// Say is prefix followed by err, in plain words: Say("Could not play it: ",
// err). The error's kind is kept for whoever looks at it.
func Say(prefix string, err error) string {
	return Error(fmt.Errorf("%s%w", prefix, err))
}
