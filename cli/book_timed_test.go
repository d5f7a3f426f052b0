package cli

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chorus/internal/scripted"
)

func TestSpeakSubtitlesTimedToCues(t *testing.T) {
	a := scripted.Register(t, &scripted.Provider{ID: "cli-cue"})
	dir := t.TempDir()
	srt := filepath.Join(dir, "subs.srt")
	// Each answer is 0.5 s: cue 2 at 2.0 s runs to
	// 2.5 s, past cue 3 at 2.3 s (late by 0.2 s); cue 4 at 4.0 s is on time.
	os.WriteFile(srt, []byte("1\n00:00:01,000 --> 00:00:02,000\nOne\n\n2\n00:00:02,000 --> 00:00:02,300\nTwo\n\n3\n00:00:02,300 --> 00:00:03,000\nThree\n\n4\n00:00:04,000 --> 00:00:05,000\nFour\n"), 0o644)
	out := filepath.Join(dir, "subs.wav")
	r := run(t, "", "speak", "--provider", "cli-cue", "--file", srt, "--timed", "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := len(a.Requests()); n != 4 {
		t.Fatalf("%d requests", n)
	}
	if !strings.Contains(r.stderr, "1 cue(s) started late") || !strings.Contains(r.stderr, "200ms") {
		t.Fatalf("no overrun report: %s", r.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rate, samples := wavMono(t, b)
	// Sound starts after each silence at 1.0 s, 2.0 s and 4.0 s; cue 3 follows
	// cue 2 at 2.5 s without a gap.
	var onsets []float64
	quiet := rate / 5
	silent := quiet
	for i, v := range samples {
		if math.Abs(v) > 0.01 {
			if silent >= quiet {
				onsets = append(onsets, float64(i)/float64(rate))
			}
			silent = 0
		} else {
			silent++
		}
	}
	want := []float64{1, 2, 4}
	if len(onsets) != len(want) {
		t.Fatalf("onsets %v, want %v", onsets, want)
	}
	for i := range want {
		if math.Abs(onsets[i]-want[i]) > 0.01 {
			t.Fatalf("onsets %v, want %v", onsets, want)
		}
	}
	if d := float64(len(samples)) / float64(rate); math.Abs(d-4.5) > 0.02 {
		t.Fatalf("length %.3f s, want 4.5", d)
	}
	// Not subtitles, or no --out: clear usage errors.
	if r := run(t, "", "speak", "--provider", "cli-cue", "--file", filepath.Join(dir, "a.md"), "--timed", "--out", out); r.code != 2 || !strings.Contains(r.stderr, ".srt or .vtt") {
		t.Fatalf("not subtitles: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, "", "speak", "--provider", "cli-cue", "--file", srt, "--timed"); r.code != 2 || !strings.Contains(r.stderr, "--out") {
		t.Fatalf("no out: exit %d %s", r.code, r.stderr)
	}
}

// wavMono reads a 16-bit PCM WAV (any channel count, first channel).
func wavMono(t *testing.T, b []byte) (int, []float64) {
	t.Helper()
	if len(b) < 44 || string(b[:4]) != "RIFF" {
		t.Fatalf("not a WAV")
	}
	var rate, ch, bits int
	for off := 12; off+8 <= len(b); {
		id, size := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:]))
		body := b[off+8:]
		switch id {
		case "fmt ":
			ch, rate, bits = int(binary.LittleEndian.Uint16(body[2:])), int(binary.LittleEndian.Uint32(body[4:])), int(binary.LittleEndian.Uint16(body[14:]))
		case "data":
			if bits != 16 {
				t.Fatalf("%d-bit WAV", bits)
			}
			size = min(size, len(body))
			var out []float64
			for i := 0; i+2*ch <= size; i += 2 * ch {
				out = append(out, float64(int16(binary.LittleEndian.Uint16(body[i:])))/32768)
			}
			return rate, out
		}
		off += 8 + size + size%2
	}
	t.Fatalf("no data chunk")
	return 0, nil
}
