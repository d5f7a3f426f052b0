package documents

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCueTimesSRTAndVTT(t *testing.T) {
	dir := t.TempDir()
	srt := filepath.Join(dir, "a.srt")
	os.WriteFile(srt, []byte("1\n00:00:01,000 --> 00:00:02,500\nHello <i>there</i>\n\n2\n01:02:03,250 --> 01:02:04,000\nSecond\nwraps\n"), 0o644)
	cues, err := ReadCues(srt)
	if err != nil {
		t.Fatal(err)
	}
	want := []Cue{{time.Second, 2500 * time.Millisecond, "Hello there"},
		{time.Hour + 2*time.Minute + 3250*time.Millisecond, time.Hour + 2*time.Minute + 4*time.Second, "Second wraps"}}
	if len(cues) != 2 || cues[0] != want[0] || cues[1] != want[1] {
		t.Fatalf("srt cues %+v", cues)
	}
	vtt := filepath.Join(dir, "a.vtt")
	os.WriteFile(vtt, []byte("WEBVTT\n\nNOTE a comment\n\nid1\n00:05.125 --> 00:06.000 align:start\nShort form\n"), 0o644)
	cues, err = ReadCues(vtt)
	if err != nil || len(cues) != 1 || cues[0].Start != 5125*time.Millisecond || cues[0].End != 6*time.Second || cues[0].Text != "Short form" {
		t.Fatalf("vtt cues %+v %v", cues, err)
	}
	bad := filepath.Join(dir, "b.srt")
	os.WriteFile(bad, []byte("1\n00:00:xx,000 --> 00:00:02,000\nHi\n"), 0o644)
	if _, err := ReadCues(bad); err == nil || !strings.Contains(err.Error(), "hh:mm:ss,mmm") {
		t.Fatalf("bad time: %v", err)
	}
	if _, err := ReadCues(filepath.Join(dir, "a.txt")); err == nil || !strings.Contains(err.Error(), ".srt or .vtt") {
		t.Fatalf("not subtitles: %v", err)
	}
}
