package resample

import (
	"errors"
	"io"
	"math"
	"math/cmplx"
	"testing"

	"chorus/audio"
)

// sliceSource serves samples from memory, at most chunk frames per Read.
type sliceSource struct {
	f     audio.Format
	data  []float32
	chunk int
	err   error // returned at the end instead of io.EOF when set
}

func (s *sliceSource) Format() audio.Format { return s.f }

func (s *sliceSource) Read(p []float32) (int, error) {
	if len(s.data) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		return 0, io.EOF
	}
	n := min(len(p), len(s.data), s.chunk*s.f.Channels)
	n -= n % s.f.Channels
	copy(p, s.data[:n])
	s.data = s.data[n:]
	return n, nil
}

func tone(rate, frames int, amp float64, freqs ...float64) []float32 {
	out := make([]float32, frames)
	for i := range out {
		v := 0.0
		for _, f := range freqs {
			v += amp * math.Sin(2*math.Pi*f*float64(i)/float64(rate))
		}
		out[i] = float32(v)
	}
	return out
}

func drain(t *testing.T, src audio.Source, buf int) []float32 {
	t.Helper()
	var out []float32
	p := make([]float32, buf)
	for {
		n, err := src.Read(p)
		out = append(out, p[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatal("Read returned nothing and no error")
		}
	}
}

// fft is an in-place radix-2 transform; len(x) must be a power of two.
func fft(x []complex128) {
	n := len(x)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		w := cmplx.Exp(complex(0, -2*math.Pi/float64(size)))
		for start := 0; start < n; start += size {
			wk := complex(1, 0)
			for k := 0; k < size/2; k++ {
				a, b := x[start+k], x[start+k+size/2]*wk
				x[start+k], x[start+k+size/2] = a+b, a-b
				wk *= w
			}
		}
	}
}

// spectrum returns the magnitude spectrum (dB, relative to a full-scale
// sine) of n samples from s starting at off, with a Blackman-Harris window
// (sidelobes below -92 dB).
func spectrum(s []float32, off, n int) []float64 {
	x := make([]complex128, n)
	var wsum float64
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n-1)
		w := 0.35875 - 0.48829*math.Cos(a) + 0.14128*math.Cos(2*a) - 0.01168*math.Cos(3*a)
		wsum += w
		x[i] = complex(float64(s[off+i])*w, 0)
	}
	fft(x)
	db := make([]float64, n/2)
	for i := range db {
		db[i] = 20 * math.Log10(2*cmplx.Abs(x[i])/wsum+1e-30)
	}
	return db
}

// goertzelLevel returns the amplitude of freq in s[off:off+n] (n should
// hold a whole number of cycles).
func goertzelLevel(s []float32, off, n, rate int, freq float64) float64 {
	var re, im float64
	for i := range n {
		a := 2 * math.Pi * freq * float64(i) / float64(rate)
		re += float64(s[off+i]) * math.Cos(a)
		im += float64(s[off+i]) * math.Sin(a)
	}
	return 2 * math.Hypot(re, im) / float64(n)
}

// TestToneLevelAndImages measures a 1 kHz tone after conversion: its level
// must stay within 0.1 dB, and every other spectral component (images,
// aliases, noise) must be below -60 dB.
func TestToneLevelAndImages(t *testing.T) {
	cases := []struct{ in, out int }{
		{24000, 48000}, {22050, 48000}, {48000, 24000}, {16000, 48000}, {44100, 48000}, {8000, 48000}, {48000, 22050}, {24000, 44100},
	}
	const amp = 0.5
	for _, c := range cases {
		t.Run(itoa(c.in)+"to"+itoa(c.out), func(t *testing.T) {
			t.Parallel()
			src := &sliceSource{f: audio.Format{SampleRate: c.in, Channels: 1}, data: tone(c.in, c.in*2, amp, 1000), chunk: 1000}
			out := drain(t, New(src, c.out), 4096)
			if want := (2*c.in*c.out + c.in - 1) / c.in; len(out) != want {
				t.Fatalf("%d output frames, want %d", len(out), want)
			}
			// Level: Goertzel over 0.5 s (500 whole cycles) from the middle.
			level := goertzelLevel(out, c.out/2, c.out/2, c.out, 1000)
			if db := 20 * math.Log10(level/amp); math.Abs(db) > 0.1 {
				t.Fatalf("1 kHz level changed by %.3f dB", db)
			}
			// Spurs: everything further than 100 Hz from the tone.
			n := 16384
			spec := spectrum(out, c.out/4, n)
			peak, spur, spurHz := -999.0, -999.0, 0.0
			for i, v := range spec {
				hz := float64(i) * float64(c.out) / float64(n)
				if math.Abs(hz-1000) < 100 {
					peak = math.Max(peak, v)
				} else if v > spur {
					spur, spurHz = v, hz
				}
			}
			if spur-peak > -60 {
				t.Fatalf("spur at %.0f Hz is %.1f dB below the tone, want at least 60", spurHz, peak-spur)
			}
			t.Logf("level ok; worst spur %.1f dB at %.0f Hz", spur-peak, spurHz)
		})
	}
}

// TestAliasRejection feeds a tone above the output Nyquist frequency: it
// must not fold back into the audible band.
func TestAliasRejection(t *testing.T) {
	cases := []struct {
		in, out int
		freq    float64
	}{{48000, 24000, 15000}, {44100, 22050, 13000}, {48000, 16000, 9000}, {24000, 8000, 5000}}
	for _, c := range cases {
		t.Run(itoa(c.in)+"to"+itoa(c.out), func(t *testing.T) {
			t.Parallel()
			src := &sliceSource{f: audio.Format{SampleRate: c.in, Channels: 1}, data: tone(c.in, c.in, 0.5, c.freq), chunk: 4096}
			out := drain(t, New(src, c.out), 4096)
			spec := spectrum(out, c.out/8, 4096)
			worst := -999.0
			for _, v := range spec {
				worst = math.Max(worst, v)
			}
			// relative to the 0.5 input amplitude (-6 dB)
			if rel := worst - 20*math.Log10(0.5); rel > -60 {
				t.Fatalf("alias of %.0f Hz only %.1f dB down", c.freq, -rel)
			}
		})
	}
}

// TestTiming checks that the output is not delayed: a resampled sine matches
// the ideal sine at the output rate sample for sample.
func TestTiming(t *testing.T) {
	for _, c := range []struct{ in, out int }{{24000, 48000}, {22050, 48000}, {48000, 24000}} {
		src := &sliceSource{f: audio.Format{SampleRate: c.in, Channels: 1}, data: tone(c.in, c.in, 0.5, 440), chunk: 512}
		out := drain(t, New(src, c.out), 1000)
		ideal := tone(c.out, len(out), 0.5, 440)
		var errSum, sigSum float64
		for i := c.out / 10; i < len(out)-c.out/10; i++ {
			d := float64(out[i] - ideal[i])
			errSum += d * d
			sigSum += float64(ideal[i]) * float64(ideal[i])
		}
		if snr := 10 * math.Log10(sigSum/errSum); snr < 60 {
			t.Fatalf("%d->%d: SNR against the ideal sine %.1f dB (timing or level error)", c.in, c.out, snr)
		}
	}
}

// TestStreamingIsChunkIndependent checks that tiny input chunks and tiny
// output buffers give the same samples as big ones, for stereo too.
func TestStreamingIsChunkIndependent(t *testing.T) {
	f := audio.Format{SampleRate: 22050, Channels: 2}
	data := make([]float32, 2*5000)
	for i := range 5000 {
		data[2*i] = float32(math.Sin(float64(i) * 0.05))
		data[2*i+1] = float32(math.Cos(float64(i) * 0.011))
	}
	big := drain(t, New(&sliceSource{f: f, data: data, chunk: 100000}, 48000), 1<<16)
	small := drain(t, New(&sliceSource{f: f, data: data, chunk: 1}, 48000), 2)
	if len(big) != len(small) {
		t.Fatalf("lengths differ: %d vs %d", len(big), len(small))
	}
	for i := range big {
		if big[i] != small[i] {
			t.Fatalf("sample %d differs: %v vs %v", i, big[i], small[i])
		}
	}
	if len(big)%2 != 0 {
		t.Fatal("odd sample count for stereo")
	}
}

// TestUnchangedAndErrors covers pass-through and error propagation.
func TestUnchangedAndErrors(t *testing.T) {
	src := &sliceSource{f: audio.Format{SampleRate: 24000, Channels: 1}, data: make([]float32, 10), chunk: 10}
	if New(src, 24000) != audio.Source(src) {
		t.Fatal("New with equal rates should return src")
	}
	if Channels(src, 1) != audio.Source(src) {
		t.Fatal("Channels with equal counts should return src")
	}
	boom := errors.New("the MP3 stream was cut off")
	bad := &sliceSource{f: audio.Format{SampleRate: 24000, Channels: 1}, data: make([]float32, 1000), chunk: 100, err: boom}
	r := New(bad, 48000)
	p := make([]float32, 100000)
	total := 0
	var err error
	for err == nil {
		var n int
		n, err = r.Read(p)
		total += n
	}
	if !errors.Is(err, boom) || total != 2000 {
		t.Fatalf("got %d samples then %v; want 2000 then the source error", total, err)
	}
}

// TestChannels covers downmix by averaging and upmix by copying.
func TestChannels(t *testing.T) {
	stereo := &sliceSource{f: audio.Format{SampleRate: 8000, Channels: 2}, data: []float32{1, 0, 0.5, 0.5, -1, 1}, chunk: 1}
	mono := drain(t, Channels(stereo, 1), 10)
	if want := []float32{0.5, 0.5, 0}; !equal(mono, want) {
		t.Fatalf("downmix %v, want %v", mono, want)
	}
	m := &sliceSource{f: audio.Format{SampleRate: 8000, Channels: 1}, data: []float32{0.25, -0.5}, chunk: 7}
	up := Channels(m, 2)
	if up.Format().Channels != 2 || up.Format().SampleRate != 8000 {
		t.Fatalf("format %v", up.Format())
	}
	if got, want := drain(t, up, 10), []float32{0.25, 0.25, -0.5, -0.5}; !equal(got, want) {
		t.Fatalf("upmix %v, want %v", got, want)
	}
	// An odd-sized buffer still yields whole frames.
	m2 := &sliceSource{f: audio.Format{SampleRate: 8000, Channels: 1}, data: []float32{1, 2, 3}, chunk: 7}
	if n, _ := Channels(m2, 2).Read(make([]float32, 5)); n != 4 {
		t.Fatalf("read %d samples into a 5-sample buffer, want 4", n)
	}
}

func equal(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func itoa(v int) string {
	if v == 0 {
		return "0"
	}
	s := ""
	for ; v > 0; v /= 10 {
		s = string(rune('0'+v%10)) + s
	}
	return s
}

// BenchmarkResample measures throughput; the reported x-realtime is seconds
// of audio converted per second of CPU.
func BenchmarkResample(b *testing.B) {
	for _, c := range []struct{ in, out, ch int }{{24000, 48000, 1}, {22050, 48000, 1}, {44100, 48000, 2}, {48000, 24000, 1}, {8000, 48000, 1}} {
		b.Run(itoa(c.in)+"to"+itoa(c.out)+"x"+itoa(c.ch), func(b *testing.B) {
			data := make([]float32, c.in*c.ch) // one second
			for i := range data {
				data[i] = float32(math.Sin(float64(i) * 0.01))
			}
			p := make([]float32, 4096)
			b.ResetTimer()
			for range b.N {
				r := New(&sliceSource{f: audio.Format{SampleRate: c.in, Channels: c.ch}, data: data, chunk: 4096}, c.out)
				for {
					if _, err := r.Read(p); err != nil {
						break
					}
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
		})
	}
}
