// Package book turns documents into audiobooks: a multi-voice script syntax
// with a cast, a pronunciation lexicon, chapter rendering through core, and
// exports with chapter markers, tags and loudness normalisation (ffmpeg).
package book

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Voice is what a cast name stands for.
type Voice struct {
	Provider string `json:"provider"`
	Model    string `json:"model,omitempty"`
	Voice    string `json:"voice,omitempty"`
	BaseURL  string `json:"base_url,omitempty"`
}

// Cast maps the names used in [voice: name] lines to voices.
type Cast map[string]Voice

// Names lists the cast's names, sorted.
func (c Cast) Names() []string {
	var out []string
	for n := range c {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// LoadCast reads a cast file: {"narrator": {"provider": "openai", "model":
// "tts-1", "voice": "alloy"}, ...}.
func LoadCast(path string) (Cast, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Cast
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s is not a cast file (JSON: name → {provider, model, voice}): %w", path, err)
	}
	for n, v := range c {
		if v.Provider == "" {
			return nil, fmt.Errorf("%s: %q has no provider", path, n)
		}
		delete(c, n)
		c[normName(n)] = v
	}
	return c, nil
}

// Segment is a stretch of a script: text for one voice, or a pause.
type Segment struct {
	Voice string        // cast name; "" for the default voice
	Text  string        // what to say (empty for a pause)
	Pause time.Duration // silence to insert
	Line  int           // line in the script where it starts (1-based)
}

// Script is a parsed multi-voice text.
type Script struct {
	Cast     Cast    // from [cast: name = provider/model/voice] header lines
	Lexicon  Lexicon // from [say: word = replacement] header lines
	Segments []Segment
}

var (
	voiceLine = regexp.MustCompile(`(?i)^\[\s*voice\s*:\s*([^\]]+?)\s*\]$`)
	pauseLine = regexp.MustCompile(`(?i)^\[\s*pause\s+([0-9.]+)\s*(ms|s)?\s*\]$`)
	castLine  = regexp.MustCompile(`(?i)^\[\s*cast\s*:\s*([^=\]]+?)\s*=\s*([^\]]+?)\s*\]$`)
	sayLine   = regexp.MustCompile(`(?i)^\[\s*(say|say exact)\s*:\s*([^=\]]+?)\s*=\s*([^\]]*?)\s*\]$`)
)

func normName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ParseScript reads a text that may carry [cast: …] and [say: …] header
// lines, [voice: name] switches (until the next switch) and [pause 1.5s]
// silences. Text without any of them is one segment for the default voice.
func ParseScript(text string) (*Script, error) {
	s := &Script{Cast: Cast{}}
	voice := ""
	var cur []string
	start := 0
	flush := func() {
		t := strings.TrimSpace(strings.Join(cur, "\n"))
		if t != "" {
			s.Segments = append(s.Segments, Segment{Voice: voice, Text: t, Line: start})
		}
		cur = nil
	}
	for i, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(l)
		if m := castLine.FindStringSubmatch(t); m != nil {
			v, err := parseVoiceSpec(m[2])
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", i+1, err)
			}
			s.Cast[normName(m[1])] = v
			continue
		}
		if m := sayLine.FindStringSubmatch(t); m != nil {
			s.Lexicon = append(s.Lexicon, Entry{Word: strings.TrimSpace(m[2]), Replacement: m[3], MatchCase: strings.EqualFold(m[1], "say exact")})
			continue
		}
		if m := voiceLine.FindStringSubmatch(t); m != nil {
			flush()
			voice = normName(m[1])
			continue
		}
		if m := pauseLine.FindStringSubmatch(t); m != nil {
			flush()
			f, err := strconv.ParseFloat(m[1], 64)
			if err != nil || f > 600 {
				return nil, fmt.Errorf("line %d: %q is not a pause; write [pause 1.5s] or [pause 500ms], at most 600 s", i+1, t)
			}
			unit := time.Second
			if strings.EqualFold(m[2], "ms") {
				unit = time.Millisecond
			}
			s.Segments = append(s.Segments, Segment{Voice: voice, Pause: time.Duration(f * float64(unit)), Line: i + 1})
			continue
		}
		if len(cur) == 0 {
			start = i + 1
		}
		cur = append(cur, l)
	}
	flush()
	return s, nil
}

// parseVoiceSpec reads "provider/model/voice" (model and voice optional).
func parseVoiceSpec(spec string) (Voice, error) {
	parts := strings.SplitN(strings.TrimSpace(spec), "/", 3)
	v := Voice{Provider: strings.TrimSpace(parts[0])}
	if len(parts) > 1 {
		v.Model = strings.TrimSpace(parts[1])
	}
	if len(parts) > 2 {
		v.Voice = strings.TrimSpace(parts[2])
	}
	if v.Provider == "" {
		return v, fmt.Errorf("cast entry %q needs a provider: write [cast: name = provider/model/voice]", spec)
	}
	return v, nil
}

// ErrUnknownVoice marks a script naming a voice the cast lacks.
var ErrUnknownVoice = errors.New("unknown voice")

// Check says which voice names in the script are not in the cast, before
// anything is sent. The cast is the file's header merged over extra.
func (s *Script) Check(extra Cast) (Cast, error) {
	cast := Cast{}
	for n, v := range extra {
		cast[normName(n)] = v
	}
	for n, v := range s.Cast {
		cast[n] = v
	}
	var unknown []string
	seen := map[string]bool{}
	for _, seg := range s.Segments {
		if seg.Voice == "" || seen[seg.Voice] {
			continue
		}
		if _, ok := cast[seg.Voice]; !ok {
			seen[seg.Voice] = true
			unknown = append(unknown, fmt.Sprintf("%q (line %d)", seg.Voice, seg.Line))
		}
	}
	if len(unknown) > 0 {
		known := "the cast is empty"
		if len(cast) > 0 {
			known = "the cast has " + strings.Join(cast.Names(), ", ")
		}
		return nil, fmt.Errorf("%w %s: %s; add [cast: name = provider/model/voice] lines or a cast file", ErrUnknownVoice, strings.Join(unknown, ", "), known)
	}
	return cast, nil
}

// RenameVoices rewrites the text's [voice: old] lines to [voice: new], for
// each old name (as the cast knows it: trimmed, lower case) in renames,
// all at once (so two names can swap); every other line stays as it is.
func RenameVoices(text string, renames map[string]string) string {
	if len(renames) == 0 {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if m := voiceLine.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			if to, ok := renames[normName(m[1])]; ok {
				lines[i] = "[voice: " + to + "]"
			}
		}
	}
	return strings.Join(lines, "\n")
}

// VoiceNames lists the names of a text's [voice: name] lines, as the cast
// knows them (trimmed, lower case), each once, in order of first use.
func VoiceNames(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		if m := voiceLine.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			if n := normName(m[1]); !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}
