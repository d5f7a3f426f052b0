package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"chorus/audio"
)

// needTool fails the test (it does not skip) when a reference tool is missing:
// CI installs ffmpeg, so its absence is a broken environment.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is required for this test but is not on PATH: install it (Debian: apt-get install %s)", name, name)
	}
	return p
}

// runFFmpeg runs ffmpeg with args and returns its stdout.
func runFFmpeg(t testing.TB, args ...string) []byte {
	t.Helper()
	bin := needTool(t, "ffmpeg")
	cmd := exec.Command(bin, append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.Bytes()
}

// testSignal is the lavfi source used for fixtures: a tone plus a slow sweep,
// different per channel, so channel swaps and timing errors show up.
func testSignal(rate, channels int, seconds float64) string {
	left := "0.4*sin(2*PI*440*t)+0.3*sin(2*PI*(200+1500*t)*t)"
	right := "0.35*sin(2*PI*660*t)+0.3*sin(2*PI*(300+1000*t)*t)"
	expr := left
	if channels == 2 {
		expr = left + "|" + right
	}
	return "aevalsrc=" + expr + ":s=" + itoa(rate) + ":d=" + ftoa(seconds)
}

func itoa(v int) string { return strconv.Itoa(v) }

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// makeFixture encodes the test signal with ffmpeg output args into dir and
// returns the file path.
func makeFixture(t testing.TB, dir, name string, rate, channels int, seconds float64, outArgs ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	args := []string{"-f", "lavfi", "-i", testSignal(rate, channels, seconds)}
	args = append(args, outArgs...)
	runFFmpeg(t, append(args, path)...)
	return path
}

// refDecode decodes path with ffmpeg to float32 at the given shape.
func refDecode(t testing.TB, path string, f audio.Format, inArgs ...string) []float32 {
	t.Helper()
	args := append(append([]string{}, inArgs...), "-i", path, "-f", "f32le", "-ac", itoa(f.Channels), "-ar", itoa(f.SampleRate), "-")
	raw := runFFmpeg(t, args...)
	out := make([]float32, len(raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return out
}

// readAll drains src with reads of bufSamples samples.
func readAll(src audio.Source, bufSamples int) ([]float32, error) {
	var out []float32
	buf := make([]float32, bufSamples)
	ch := src.Format().Channels
	for {
		n, err := src.Read(buf)
		if n%ch != 0 {
			return out, errors.New("Read returned a partial frame")
		}
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if n == 0 {
			return out, errors.New("Read returned 0 samples and no error")
		}
	}
}

// decodeBytes decodes data as enc, whole or one byte per Read.
func decodeBytes(t testing.TB, data []byte, enc audio.Encoding, hint audio.Format, oneByte bool) (audio.Format, []float32) {
	t.Helper()
	var r io.Reader = bytes.NewReader(data)
	if oneByte {
		r = iotest.OneByteReader(r)
	}
	src, err := NewDecoder(r, enc, hint)
	if err != nil {
		t.Fatalf("NewDecoder(%s, oneByte=%v): %v", enc, oneByte, err)
	}
	got, err := readAll(src, 4096)
	if err != nil {
		t.Fatalf("decoding %s (oneByte=%v): %v", enc, oneByte, err)
	}
	return src.Format(), got
}

// correlation returns the normalised correlation of a and b over their
// common length.
func correlation(a, b []float32) float64 {
	n := min(len(a), len(b))
	var ab, aa, bb float64
	for i := range n {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

// bestLag finds the shift of b (in frames, within ±maxLag) that best
// matches a, and the correlation at that shift.
func bestLag(a, b []float32, ch, maxLag int) (int, float64) {
	best, bestC := 0, -2.0
	for lag := -maxLag; lag <= maxLag; lag++ {
		var x, y []float32
		if lag >= 0 {
			x, y = a, b[min(lag*ch, len(b)):]
		} else {
			x, y = a[min(-lag*ch, len(a)):], b
		}
		if c := correlation(x, y); c > bestC {
			best, bestC = lag, c
		}
	}
	return best, bestC
}

// maxAbsDiff returns the largest sample difference over the common length.
func maxAbsDiff(a, b []float32) float64 {
	m := 0.0
	for i := range min(len(a), len(b)) {
		m = math.Max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
