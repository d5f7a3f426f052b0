package ui

import (
	"path/filepath"
	"testing"
)

// The Export dialog offers LRC (synced lyrics) beside SRT and WebVTT, and
// each choice names the subtitle file next to the audio.
func TestExportSubtitleChoices(t *testing.T) {
	want := map[string]string{"SRT": "srt", "WebVTT": "vtt", "LRC": "lrc"}
	for _, c := range subtitleChoices {
		if ext, ok := want[c.label]; ok {
			if c.ext != ext {
				t.Errorf("%s writes .%s, want .%s", c.label, c.ext, ext)
			}
			delete(want, c.label)
		}
	}
	if len(want) != 0 {
		t.Errorf("the dialog does not offer %v", want)
	}
	dir := t.TempDir()
	job := exportJob(filepath.Join(dir, "talk.mp3"), false, ExportChoice{Subtitles: "lrc"})
	if job.Subtitles != filepath.Join(dir, "talk.lrc") {
		t.Errorf("subtitles go to %q", job.Subtitles)
	}
}
