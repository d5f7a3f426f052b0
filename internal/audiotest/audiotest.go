// Package audiotest has what the audio tests share: recording what the
// PulseAudio null sink played, comparing signals, and running the reference
// tools (espeak-ng, ffmpeg).
package audiotest

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"
)

// RequireReal skips t unless the test script set CHORUS_TEST_REAL=1, in
// which case real parts (sound server, display, keychain) must be present
// and their absence fails the test.
func RequireReal(t testing.TB) {
	t.Helper()
	if os.Getenv("CHORUS_TEST_REAL") != "1" {
		t.Skip("needs the real desktop parts: run scripts/test.sh (sets CHORUS_TEST_REAL=1)")
	}
}

// Recorder records the null sink's monitor as 16-bit mono samples.
type Recorder struct {
	Rate int
	cmd  *exec.Cmd
	out  bytes.Buffer
}

// Record starts recording the sink monitor named by CHORUS_CAPTURE_SOURCE.
func Record(t testing.TB, rate int) *Recorder {
	t.Helper()
	src := os.Getenv("CHORUS_CAPTURE_SOURCE")
	if src == "" {
		t.Fatal("CHORUS_CAPTURE_SOURCE is not set: run the tests through scripts/test.sh")
	}
	r := &Recorder{Rate: rate}
	r.cmd = exec.Command("parec", "-d", src, "--format=s16le", "--rate="+strconv.Itoa(rate), "--channels=1", "--latency-msec=20")
	r.cmd.Stdout = &r.out
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("parec: %v", err)
	}
	t.Cleanup(func() { r.cmd.Process.Kill(); r.cmd.Wait() })
	time.Sleep(300 * time.Millisecond) // let the stream settle so nothing is missed
	return r
}

// Stop ends the recording and returns the samples, scaled to [-1, 1].
func (r *Recorder) Stop() []float64 {
	time.Sleep(300 * time.Millisecond)
	r.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		r.cmd.Process.Kill()
		<-done
	}
	return S16(r.out.Bytes())
}

// Raw is the recording as 16-bit little-endian bytes (after Stop).
func (r *Recorder) Raw() []byte { return r.out.Bytes() }

// S16 converts little-endian 16-bit samples to floats.
func S16(b []byte) []float64 {
	out := make([]float64, len(b)/2)
	for i := range out {
		out[i] = float64(int16(binary.LittleEndian.Uint16(b[2*i:]))) / 32768
	}
	return out
}

// Trim drops leading and trailing samples quieter than threshold.
func Trim(x []float64, threshold float64) []float64 {
	start, end := 0, len(x)
	for start < end && math.Abs(x[start]) < threshold {
		start++
	}
	for end > start && math.Abs(x[end-1]) < threshold {
		end--
	}
	return x[start:end]
}

// Active returns the index of the first sample louder than threshold, or -1.
func Active(x []float64, threshold float64) int {
	for i, v := range x {
		if math.Abs(v) >= threshold {
			return i
		}
	}
	return -1
}

// Correlation is the peak normalized cross-correlation of a and b over lags
// up to maxLag samples either way: 1 means identical shape.
func Correlation(a, b []float64, maxLag int) float64 {
	best := 0.0
	for lag := -maxLag; lag <= maxLag; lag++ {
		var sab, saa, sbb float64
		for i := range a {
			j := i + lag
			if j < 0 || j >= len(b) {
				continue
			}
			sab += a[i] * b[j]
			saa += a[i] * a[i]
			sbb += b[j] * b[j]
		}
		if saa == 0 || sbb == 0 {
			continue
		}
		if c := sab / math.Sqrt(saa*sbb); c > best {
			best = c
		}
	}
	return best
}

// WindowedCorrelation aligns each window of n samples of a within b (lags up
// to maxLag) and returns the median of the per-window correlations. Unlike
// one long correlation, a single timing hiccup in a recording under load
// only spoils one window.
func WindowedCorrelation(a, b []float64, n, maxLag int) float64 {
	var cs []float64
	for start := 0; start+n <= len(a) && start+n <= len(b); start += n {
		lo := max(0, start-maxLag)
		hi := min(len(b), start+n+maxLag)
		// Correlate a's window against b's neighbourhood, with a's window at offset start-lo.
		best := 0.0
		for lag := lo; lag+n <= hi; lag++ {
			var sab, saa, sbb float64
			for i := 0; i < n; i++ {
				x, y := a[start+i], b[lag+i]
				sab += x * y
				saa += x * x
				sbb += y * y
			}
			if saa > 0 && sbb > 0 {
				best = max(best, sab/math.Sqrt(saa*sbb))
			}
		}
		cs = append(cs, best)
	}
	if len(cs) == 0 {
		return 0
	}
	slices.Sort(cs)
	return cs[len(cs)/2]
}

// Envelope is the RMS of each window of n samples: a shape that survives
// resampling and small timing shifts.
func Envelope(x []float64, n int) []float64 {
	var out []float64
	for i := 0; i+n <= len(x); i += n {
		var s float64
		for _, v := range x[i : i+n] {
			s += v * v
		}
		out = append(out, math.Sqrt(s/float64(n)))
	}
	return out
}

// Decode runs ffmpeg to decode any file into mono float samples at rate.
func Decode(t testing.TB, path string, rate int) []float64 {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "s16le", "-ac", "1", "-ar", strconv.Itoa(rate), "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg decoding %s: %v (ffmpeg is installed by scripts/deps.sh)", path, err)
	}
	return S16(out)
}

// Espeak renders text with espeak-ng itself, the reference for the local provider.
func Espeak(t testing.TB, ctx context.Context, voice, text string, wpm int) []byte {
	t.Helper()
	out, err := exec.CommandContext(ctx, "espeak-ng", "-v", voice, "-s", strconv.Itoa(wpm), "--stdout", text).Output()
	if err != nil {
		t.Fatalf("espeak-ng: %v", err)
	}
	return out
}
