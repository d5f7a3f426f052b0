// Package e2e runs Chorus on real parts: the built binary, espeak-ng, oto
// into a PulseAudio null sink that is recorded, and a real window under Xvfb.
// scripts/test.sh provides the desktop; without it these tests skip.
package e2e

import (
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"chorus/core"
	"chorus/internal/audiotest"
	"chorus/player"
	"chorus/providers"
	_ "chorus/providers/all"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chorus-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "chorus")
	build := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", binary, "..")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		panic("building chorus: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func chorus(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// `chorus speak --out` writes a valid WAV whose samples are espeak-ng's own.
func TestSpeakOutMatchesEspeak(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "hello.wav")
	if _, stderr, code := chorus(t, "speak", "Hello world", "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	ref := filepath.Join(dir, "ref.wav")
	os.WriteFile(ref, audiotest.Espeak(t, context.Background(), "en-us", "Hello world", 175), 0o644)
	got, want := audiotest.Decode(t, out, 22050), audiotest.Decode(t, ref, 22050)
	if len(got) != len(want) || len(got) < 10000 {
		t.Fatalf("%d samples, espeak-ng gives %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("sample %d differs", i)
		}
	}
	probe, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=sample_rate,channels,codec_name", "-of", "csv=p=0", out).Output()
	if err != nil || strings.TrimSpace(string(probe)) != "pcm_s16le,22050,1" {
		t.Errorf("ffprobe: %q %v", probe, err)
	}
	if _, stderr, code := chorus(t, "speak", "Hello world", "--out", out); code != 2 || !strings.Contains(stderr, "--force") {
		t.Errorf("overwrite without --force: exit %d %s", code, stderr)
	}
}

func TestVoicesCommand(t *testing.T) {
	stdout, stderr, code := chorus(t, "voices", "--provider", "local")
	if code != 0 || !strings.Contains(stdout, "en-us") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
}

func TestCLIErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"speak", ""}, 2, "empty"},
		{[]string{"speak", "--provider", "acme", "hi"}, 2, "unknown provider"},
		{[]string{"speak", "--voice", "qq-none", "hi"}, 2, "qq-none"},
		{[]string{"speak", "--speed", "9", "hi"}, 2, "0.5 to 2.5"},
	} {
		_, stderr, code := chorus(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d %q, want %d with %q", c.args, code, stderr, c.code, c.want)
		}
	}
	// No audio device at all: a clear message, exit 1, and --out still works.
	cmd := exec.Command(binary, "speak", "hi")
	cmd.Env = append(os.Environ(), "PULSE_SERVER=unix:/nonexistent", "ALSA_CONFIG_PATH=/nonexistent")
	out, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), "no audio output") {
		t.Errorf("no device: exit %d %q", cmd.ProcessState.ExitCode(), out)
	}
}

// Speech from the local provider is heard through oto and PulseAudio, and
// matches what espeak-ng produced.
func TestLocalSpeechIsHeard(t *testing.T) {
	audiotest.RequireReal(t)
	const rate = 22050
	text := "The quick brown fox jumps over the lazy dog."
	rec := audiotest.Record(t, rate)
	e := &core.Engine{}
	res, err := e.Speak(context.Background(), core.Job{Provider: "local", Request: providers.Request{Text: text, Voice: "en-us"}, Play: true})
	if err != nil {
		t.Fatal(err)
	}
	heard := audiotest.Trim(rec.Stop(), 0.01)
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref.wav")
	os.WriteFile(ref, audiotest.Espeak(t, context.Background(), "en-us", text, 175), 0o644)
	want := audiotest.Trim(audiotest.Decode(t, ref, rate), 0.01)
	ratio := float64(len(heard)) / float64(len(want))
	t.Logf("heard %.2f s, espeak-ng %.2f s, first audio after %.0f ms", float64(len(heard))/rate, float64(len(want))/rate, res.Stats.FirstAudioMs)
	if ratio < 0.9 || ratio > 1.1 {
		t.Fatalf("heard %d samples, espeak-ng made %d: duration off by more than 10%%", len(heard), len(want))
	}
	// Compare loudness envelopes (10 ms windows): robust to resampling.
	c := audiotest.Correlation(audiotest.Envelope(heard, rate/100), audiotest.Envelope(want, rate/100), 10)
	if c < 0.9 {
		t.Errorf("envelope correlation %.3f < 0.9: what was heard is not what espeak-ng said", c)
	}
	// And the waveform itself, sample-accurate after alignment.
	if c := audiotest.WindowedCorrelation(heard, want, rate/5, 600); c < 0.8 {
		t.Errorf("waveform correlation (median of 0.2 s windows) %.3f < 0.8", c)
	}
}

// Stop silences the device within 100 ms, and the request is cancelled.
func TestStopSilencesQuickly(t *testing.T) {
	audiotest.RequireReal(t)
	const rate = 48000
	sink, err := player.OpenDevice()
	if err != nil {
		t.Fatal(err)
	}
	rec := audiotest.Record(t, rate)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		// A steady vowel-free hum would be ideal; long speech works with a low threshold.
		_, err := (&core.Engine{}).Speak(ctx, core.Job{Provider: "local", Play: true, Sink: sink,
			Request: providers.Request{Text: strings.Repeat("Mmmmmmmmmmmmmmmmmmmm. ", 40), Voice: "en-us"}})
		done <- err
	}()
	var first time.Time
	deadline := time.Now().Add(5 * time.Second)
	for first.IsZero() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		first = sink.Stats().FirstAudio
	}
	if first.IsZero() {
		t.Fatal("no audio reached the device within 5 s")
	}
	time.Sleep(800 * time.Millisecond)
	stopAt := time.Now()
	cancel()
	select {
	case err := <-done:
		if providers.KindOf(err) != providers.KindCanceled {
			t.Errorf("Speak returned %v after Stop, want canceled", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Speak did not return within 1 s of Stop")
	}
	if d := time.Since(stopAt); d > 200*time.Millisecond {
		t.Errorf("Speak took %v to return after Stop", d)
	}
	heard := rec.Stop()
	start, end := audiotest.Active(heard, 0.005), lastActive(heard, 0.005)
	if start < 0 {
		t.Fatal("nothing was heard")
	}
	soundFor := time.Duration(float64(end-start) / rate * float64(time.Second))
	playedBeforeStop := stopAt.Sub(first)
	tail := soundFor - playedBeforeStop
	t.Logf("sound lasted %v; %v were played before Stop; tail after Stop %v", soundFor, playedBeforeStop, tail)
	if tail > 100*time.Millisecond {
		t.Errorf("sound went on for %v after Stop, want at most 100 ms", tail)
	}
	if soundFor < 500*time.Millisecond {
		t.Errorf("only %v of sound was heard before Stop: playback did not run", soundFor)
	}
}

func lastActive(x []float64, threshold float64) int {
	for i := len(x) - 1; i >= 0; i-- {
		if math.Abs(x[i]) >= threshold {
			return i
		}
	}
	return -1
}

// Killing a long export politely (SIGTERM, as a desktop session or a
// supervisor does) leaves neither the file nor a temporary one.
func TestTerminatedExportLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "long.txt")
	os.WriteFile(text, []byte(strings.Repeat("A sentence that takes espeak some time to say. ", 4000)), 0o644)
	outDir := filepath.Join(dir, "out")
	os.Mkdir(outDir, 0o755)
	cmd := exec.Command(binary, "speak", "--file", text, "--out", filepath.Join(outDir, "long.flac"), "--no-cache")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(errb.String(), "stopped") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	if entries, _ := os.ReadDir(outDir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}
