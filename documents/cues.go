package documents

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Cue is one timed subtitle: the text to speak and when it is on screen.
type Cue struct {
	Start, End time.Duration
	Text       string
}

// ReadCues reads the cues of an .srt or .vtt file in order, with their start
// and end times, so speech can be placed at each cue's start.
func ReadCues(path string) ([]Cue, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".srt" && ext != ".vtt" {
		return nil, fmt.Errorf("%s is not a subtitle file: timed speech needs .srt or .vtt", path)
	}
	s, err := readAll(path)
	if err != nil {
		return nil, err
	}
	s = strings.TrimPrefix(strings.ReplaceAll(s, "\r\n", "\n"), "\ufeff")
	var cues []Cue
	for _, block := range strings.Split(s, "\n\n") {
		var c Cue
		timed := false
		var text []string
		for _, l := range strings.Split(strings.TrimSpace(block), "\n") {
			l = strings.TrimSpace(l)
			switch {
			case !timed && strings.Contains(l, "-->"):
				start, end, err := parseCueTimes(l)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", path, err)
				}
				c.Start, c.End, timed = start, end, true
			case timed && l != "":
				text = append(text, cueTag.ReplaceAllString(l, ""))
			}
		}
		if timed && len(text) > 0 {
			c.Text = strings.Join(text, " ")
			cues = append(cues, c)
		}
	}
	return cues, nil
}

// parseCueTimes reads "00:00:01,000 --> 00:00:02,500 settings".
func parseCueTimes(l string) (time.Duration, time.Duration, error) {
	a, b, _ := strings.Cut(l, "-->")
	fields := strings.Fields(b)
	if len(fields) == 0 {
		return 0, 0, fmt.Errorf("cue timing %q has no end time; write it as 00:00:01,000 --> 00:00:02,000", l)
	}
	start, err := parseCueTime(strings.TrimSpace(a))
	if err != nil {
		return 0, 0, err
	}
	end, err := parseCueTime(fields[0])
	if err != nil {
		return 0, 0, err
	}
	return start, end, nil
}

// parseCueTime reads hh:mm:ss,mmm (SRT), hh:mm:ss.mmm or mm:ss.mmm (WebVTT).
func parseCueTime(s string) (time.Duration, error) {
	bad := fmt.Errorf("cue time %q is not hh:mm:ss,mmm or mm:ss.mmm", s)
	s = strings.Replace(s, ",", ".", 1)
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, bad
	}
	var d time.Duration
	for i, p := range parts {
		if i == len(parts)-1 {
			sec, err := strconv.ParseFloat(p, 64)
			if err != nil || sec < 0 || sec >= 60 {
				return 0, bad
			}
			d = d*60 + time.Duration(sec*float64(time.Second)+0.5)
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return 0, bad
		}
		d = d*60 + time.Duration(n)*time.Second
	}
	return d, nil
}
