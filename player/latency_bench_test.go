package player_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/player"
)

// BenchmarkFirstSampleHeard measures the app-added latency: from the first
// audio byte read off an HTTP response to the first sample of that audio
// heard at the PulseAudio null sink, through the decoder, the pipeline,
// player.Ring, oto and PulseAudio. The sink's monitor is captured with
// parec at a low latency and every captured block is stamped when it
// arrives, which places the first loud sample on the wall clock. For
// reference the same tone written straight to pacat (5 ms latency) is timed
// the same way, so the capture's own delay can be read off.
//
// It needs the private desktop (scripts/desktop.sh) and prints figures, it
// asserts none. CHORUS_BENCH_DEVICE_BUFFER and CHORUS_BENCH_PLAYER_BUFFER
// (milliseconds) override player.DeviceBuffer and player.PlayerBuffer;
// scripts/bench-latency.sh runs the sweep.
func BenchmarkFirstSampleHeard(b *testing.B) {
	src := os.Getenv("CHORUS_CAPTURE_SOURCE")
	if src == "" {
		b.Skip("needs the private PulseAudio of scripts/desktop.sh (CHORUS_CAPTURE_SOURCE): run scripts/bench-latency.sh")
	}
	if v := os.Getenv("CHORUS_BENCH_DEVICE_BUFFER"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms <= 0 {
			b.Fatalf("CHORUS_BENCH_DEVICE_BUFFER=%q: give whole milliseconds, e.g. 30", v)
		}
		player.DeviceBuffer = time.Duration(ms) * time.Millisecond
	}
	if v := os.Getenv("CHORUS_BENCH_PLAYER_BUFFER"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms <= 0 {
			b.Fatalf("CHORUS_BENCH_PLAYER_BUFFER=%q: give whole milliseconds, e.g. 50", v)
		}
		player.PlayerBuffer = time.Duration(ms) * time.Millisecond
	}
	sink, err := player.OpenDevice()
	if err != nil {
		b.Fatal(err)
	}
	runs := 10
	if v, err := strconv.Atoi(os.Getenv("CHORUS_BENCH_RUNS")); err == nil && v > 0 {
		runs = v
	}
	const rate = 24000
	tone := toneSamples(rate, 1500*time.Millisecond)
	pcm := s16(tone)
	var mp3 bytes.Buffer
	enc, err := codec.NewEncoder(&mp3, audio.MP3, audio.Format{SampleRate: rate, Channels: 1})
	if err != nil {
		b.Fatal(err)
	}
	enc.Write(tone)
	enc.Close()
	// The MP3 itself starts with the encoder's delay: the first loud decoded
	// sample is content, not latency, so it is subtracted.
	mp3Lead := leadIn(b, mp3.Bytes(), audio.MP3, rate)

	b.ResetTimer()
	for range b.N {
		for _, c := range []struct {
			name string
			enc  audio.Encoding
			body []byte
			lead time.Duration
		}{{"pcm", audio.PCM, pcm, 0}, {"mp3", audio.MP3, mp3.Bytes(), mp3Lead}} {
			var lat []float64
			under, gaps := 0, 0
			for range runs {
				d, u, g := heardThroughPlayer(b, src, sink, c.enc, c.body, rate)
				lat = append(lat, float64(d-c.lead)/float64(time.Millisecond))
				under += u
				gaps += g
			}
			report(b, c.name, lat, under, gaps)
		}
		var ref []float64
		refGaps := 0
		for range runs {
			d, g := heardThroughPacat(b, src, pcm, rate)
			ref = append(ref, float64(d)/float64(time.Millisecond))
			refGaps += g
		}
		report(b, "pacat-5ms", ref, 0, refGaps)
	}
}

func report(b *testing.B, name string, ms []float64, underruns, gaps int) {
	slices.Sort(ms)
	b.Logf("%-9s buffer %3d ms, player %3d ms: first sample heard %6.1f ms median, %6.1f min, %6.1f max over %d runs; ring underruns %d, gaps heard %d",
		name, player.DeviceBuffer.Milliseconds(), player.PlayerBuffer.Milliseconds(), ms[len(ms)/2], ms[0], ms[len(ms)-1], len(ms), underruns, gaps)
	b.ReportMetric(ms[len(ms)/2], name+"-ms")
}

// toneSamples is a 440 Hz tone at half scale that is loud from its first
// sample (a cosine).
func toneSamples(rate int, d time.Duration) []float32 {
	n := int(int64(d) * int64(rate) / int64(time.Second))
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(0.5 * math.Cos(2*math.Pi*440*float64(i)/float64(rate)))
	}
	return out
}

func s16(x []float32) []byte {
	out := make([]byte, 2*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint16(out[2*i:], uint16(int16(math.Round(float64(v)*32767))))
	}
	return out
}

const loud = 0.1

// leadIn is how long the decoded body stays quiet before its first loud sample.
func leadIn(b *testing.B, body []byte, enc audio.Encoding, rate int) time.Duration {
	dec, err := codec.NewDecoder(bytes.NewReader(body), enc, audio.Format{SampleRate: rate, Channels: 1})
	if err != nil {
		b.Fatal(err)
	}
	ch := dec.Format().Channels
	buf := make([]float32, 4096)
	frames := 0
	for {
		n, err := dec.Read(buf)
		for i := 0; i < n; i++ {
			if math.Abs(float64(buf[i])) >= loud {
				return time.Duration(frames+i/ch) * time.Second / time.Duration(dec.Format().SampleRate)
			}
		}
		frames += n / ch
		if err != nil {
			b.Fatalf("the encoded tone decodes to silence (%v)", err)
		}
	}
}

// capture records the sink monitor, stamping each block on arrival.
type capture struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	first  time.Time // wall time of the first loud sample
	all    []byte    // everything captured, for finding gaps
	done   chan struct{}
	reader io.ReadCloser
}

const captureRate = 48000

func startCapture(b *testing.B, src string) *capture {
	c := &capture{done: make(chan struct{})}
	c.cmd = exec.Command("parec", "-d", src, "--format=s16le", "--rate="+strconv.Itoa(captureRate), "--channels=1", "--latency-msec=2")
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		b.Fatalf("parec: %v (scripts/deps.sh installs pulseaudio-utils)", err)
	}
	go func() {
		defer close(c.done)
		buf := make([]byte, 192) // 2 ms
		for {
			n, err := out.Read(buf)
			now := time.Now()
			n -= n % 2
			c.mu.Lock()
			c.all = append(c.all, buf[:n]...)
			c.mu.Unlock()
			for i := 0; i < n; i += 2 {
				v := float64(int16(binary.LittleEndian.Uint16(buf[i:]))) / 32768
				if math.Abs(v) >= loud {
					// The block ends now; this sample is (n-i)/2 samples before its end.
					c.mu.Lock()
					if c.first.IsZero() {
						c.first = now.Add(-time.Duration((n-i)/2) * time.Second / captureRate)
					}
					c.mu.Unlock()
					break
				}
			}
			if err != nil {
				return
			}
		}
	}()
	time.Sleep(300 * time.Millisecond) // let the capture settle
	return c
}

func (c *capture) stop(b *testing.B) time.Time {
	c.cmd.Process.Kill()
	<-c.done
	c.cmd.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.first.IsZero() {
		b.Fatal("nothing loud was captured at the null sink")
	}
	return c.first
}

// gaps counts the dropouts heard inside the tone: runs of 2 ms or more
// without a loud sample (the 440 Hz tone peaks every 1.1 ms) between the
// first and the last loud sample. A device underrun shows as one.
func (c *capture) gaps() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	var loudAt []int
	for i := 0; i+1 < len(c.all); i += 2 {
		if v := float64(int16(binary.LittleEndian.Uint16(c.all[i:]))) / 32768; math.Abs(v) >= loud {
			loudAt = append(loudAt, i/2)
		}
	}
	n := 0
	for i := 1; i < len(loudAt); i++ {
		if loudAt[i]-loudAt[i-1] >= captureRate/500 {
			n++
			if os.Getenv("CHORUS_BENCH_DEBUG") != "" {
				fmt.Printf("gap at %.1f ms for %.1f ms\n", float64(loudAt[i-1]-loudAt[0])/48, float64(loudAt[i]-loudAt[i-1])/48)
			}
		}
	}
	return n
}

// firstByte stamps the first byte read from a response body.
type firstByte struct {
	r  io.Reader
	at time.Time
}

func (f *firstByte) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if n > 0 && f.at.IsZero() {
		f.at = time.Now()
	}
	return n, err
}

// heardThroughPlayer serves body over HTTP, plays the response through the
// decoder and the sink, and returns first byte → first sample heard and
// the underruns the ring counted and the gaps heard in the tone.
func heardThroughPlayer(b *testing.B, src string, sink *player.OtoSink, enc audio.Encoding, body []byte, rate int) (time.Duration, int, int) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(body)
	}))
	defer srv.Close()
	c := startCapture(b, src)
	resp, err := http.Get(srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	fb := &firstByte{r: resp.Body}
	dec, err := codec.NewDecoder(fb, enc, audio.Format{SampleRate: rate, Channels: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := player.Play(context.Background(), dec, sink); err != nil {
		b.Fatal(err)
	}
	heard := c.stop(b)
	return heard.Sub(fb.at), sink.Stats().Underruns, c.gaps()
}

// heardThroughPacat writes the PCM to pacat and returns write → heard and
// the gaps heard.
func heardThroughPacat(b *testing.B, src string, pcm []byte, rate int) (time.Duration, int) {
	c := startCapture(b, src)
	cmd := exec.Command("pacat", "--playback", "--format=s16le", "--rate="+strconv.Itoa(rate), "--channels=1", "--latency-msec=5")
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(fmt.Errorf("pacat: %w", err))
	}
	time.Sleep(200 * time.Millisecond) // connected and playing silence, like the open device
	start := time.Now()
	in.Write(pcm)
	in.Close()
	cmd.Wait()
	return c.stop(b).Sub(start), c.gaps()
}
