package providertest

import (
	"bytes"
	"os/exec"
	"testing"

	"chorus/audio"
)

// TestFixturesDecode checks every fixture decodes to about one second of
// audio with ffmpeg, when it is installed.
func TestFixturesDecode(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatal("ffmpeg is not installed: scripts/deps.sh installs it")
	}
	demux := map[audio.Encoding][]string{
		audio.WAV: {"-f", "wav"}, audio.MP3: {"-f", "mp3"}, audio.Opus: {"-f", "ogg"},
		audio.FLAC: {"-f", "flac"}, audio.AAC: {"-f", "aac"},
		audio.PCM:   {"-f", "s16le", "-ar", "24000", "-ac", "1"},
		audio.MuLaw: {"-f", "mulaw", "-ar", "24000", "-ac", "1"},
		audio.ALaw:  {"-f", "alaw", "-ar", "24000", "-ac", "1"},
	}
	for enc, in := range demux {
		args := append([]string{"-v", "error"}, in...)
		args = append(args, "-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", "24000", "pipe:1")
		cmd := exec.Command("ffmpeg", args...)
		cmd.Stdin = bytes.NewReader(Fixture(enc))
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%s: %v", enc, err)
			continue
		}
		if n := len(out) / 2; n < 23000 || n > 26000 {
			t.Errorf("%s decodes to %d samples, want about 24000", enc, n)
		}
	}
}
