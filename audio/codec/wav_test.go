package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"chorus/audio"
)

// TestWAVAgainstFFmpeg decodes ffmpeg-made WAV files in every supported
// sample format, from a file and from a pipe (streamed sizes), whole and
// byte by byte, and compares with ffmpeg's own decode.
func TestWAVAgainstFFmpeg(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		codec string
		rate  int
		ch    int
		tol   float64 // max sample difference from ffmpeg's decode
	}{
		{"pcm_u8", 8000, 1, 1e-6},
		{"pcm_s16le", 24000, 1, 1e-6},
		{"pcm_s16le", 44100, 2, 1e-6},
		{"pcm_s24le", 48000, 2, 1e-6},
		{"pcm_s32le", 16000, 1, 1e-6},
		{"pcm_f32le", 22050, 2, 1e-6},
		{"pcm_f64le", 24000, 1, 1e-6},
		{"pcm_mulaw", 8000, 1, 1e-6},
		{"pcm_alaw", 8000, 2, 1e-6},
	}
	for _, c := range cases {
		for _, piped := range []bool{false, true} {
			name := c.codec + "_" + itoa(c.rate) + "_" + itoa(c.ch)
			if piped {
				name += "_pipe"
			}
			t.Run(name, func(t *testing.T) {
				f := audio.Format{SampleRate: c.rate, Channels: c.ch}
				var data []byte
				path := filepath.Join(dir, name+".wav")
				if piped {
					// ffmpeg writing to a pipe cannot seek back: sizes stay 0xFFFFFFFF
					data = runFFmpeg(t, "-f", "lavfi", "-i", testSignal(c.rate, c.ch, 0.5), "-c:a", c.codec, "-f", "wav", "pipe:1")
					if got := binary.LittleEndian.Uint32(data[4:8]); got != 0xFFFFFFFF {
						t.Fatalf("expected ffmpeg to write a streamed RIFF size, got %#x", got)
					}
					if err := os.WriteFile(path, data, 0o644); err != nil {
						t.Fatal(err)
					}
				} else {
					makeFixture(t, dir, name+".wav", c.rate, c.ch, 0.5, "-c:a", c.codec)
					data = readFile(t, path)
				}
				ref := refDecode(t, path, f)
				for _, oneByte := range []bool{false, true} {
					gf, got := decodeBytes(t, data, audio.WAV, audio.Format{}, oneByte)
					if gf != f {
						t.Fatalf("format = %v, want %v", gf, f)
					}
					if len(got) != len(ref) {
						t.Fatalf("oneByte=%v: %d samples, ffmpeg decoded %d", oneByte, len(got), len(ref))
					}
					if d := maxAbsDiff(got, ref); d > c.tol {
						t.Fatalf("oneByte=%v: max difference from ffmpeg %g", oneByte, d)
					}
				}
			})
		}
	}
}

// wavOpts describes a hand-built WAV file.
type wavOpts struct {
	tag        uint16
	bits       int
	ch         int
	rate       int
	extensible bool
	riffSize   uint32 // 0 = exact
	dataSize   uint32 // 1 = exact (0 and 0xFFFFFFFF are streaming values)
	before     [][2]string
	after      string
}

// buildWAV assembles a WAV file around payload.
func buildWAV(o wavOpts, payload []byte) []byte {
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(0))
	b.WriteString("WAVE")
	for _, c := range o.before {
		b.WriteString(c[0])
		binary.Write(&b, binary.LittleEndian, uint32(len(c[1])))
		b.WriteString(c[1])
		if len(c[1])%2 == 1 {
			b.WriteByte(0)
		}
	}
	container := (o.bits + 7) / 8
	fmtLen := 16
	if o.extensible {
		fmtLen = 40
	}
	b.WriteString("fmt ")
	binary.Write(&b, binary.LittleEndian, uint32(fmtLen))
	tag := o.tag
	if o.extensible {
		tag = wavTagExtensible
	}
	binary.Write(&b, binary.LittleEndian, tag)
	binary.Write(&b, binary.LittleEndian, uint16(o.ch))
	binary.Write(&b, binary.LittleEndian, uint32(o.rate))
	binary.Write(&b, binary.LittleEndian, uint32(o.rate*o.ch*container))
	binary.Write(&b, binary.LittleEndian, uint16(o.ch*container))
	binary.Write(&b, binary.LittleEndian, uint16(o.bits))
	if o.extensible {
		binary.Write(&b, binary.LittleEndian, uint16(22))
		binary.Write(&b, binary.LittleEndian, uint16(o.bits))
		binary.Write(&b, binary.LittleEndian, uint32(0))
		binary.Write(&b, binary.LittleEndian, o.tag)
		b.WriteString("\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71")
	}
	b.WriteString("data")
	ds := o.dataSize
	if ds == 1 {
		ds = uint32(len(payload))
	}
	binary.Write(&b, binary.LittleEndian, ds)
	b.Write(payload)
	b.WriteString(o.after)
	out := b.Bytes()
	rs := o.riffSize
	if rs == 0 {
		rs = uint32(len(out) - 8)
	}
	binary.LittleEndian.PutUint32(out[4:], rs)
	return out
}

// TestWAVHeaders covers header variants: extensible, extra and odd-sized
// chunks, streamed sizes, trailing chunks after sized data.
func TestWAVHeaders(t *testing.T) {
	samples := []int16{0, 1000, -1000, 32767, -32768, 12345, -12345, 7}
	payload := make([]byte, 2*len(samples))
	for i, s := range samples {
		binary.LittleEndian.PutUint16(payload[2*i:], uint16(s))
	}
	want := make([]float32, len(samples))
	for i, s := range samples {
		want[i] = float32(s) / 32768
	}
	cases := map[string]wavOpts{
		"plain":          {tag: 1, bits: 16, ch: 1, rate: 24000, dataSize: 1},
		"extensible":     {tag: 1, bits: 16, ch: 2, rate: 24000, dataSize: 1, extensible: true},
		"streamed ffff":  {tag: 1, bits: 16, ch: 1, rate: 24000, riffSize: 0xFFFFFFFF, dataSize: 0xFFFFFFFF},
		"streamed zero":  {tag: 1, bits: 16, ch: 2, rate: 22050, riffSize: 0xFFFFFFFF, dataSize: 0},
		"odd LIST, fact": {tag: 1, bits: 16, ch: 1, rate: 16000, dataSize: 1, before: [][2]string{{"LIST", "INFOISFT\x05\x00\x00\x00Lavf\x00"}, {"JUNK", "abc"}, {"fact", "\x08\x00\x00\x00"}}},
		"trailing chunk": {tag: 1, bits: 16, ch: 1, rate: 8000, dataSize: 1, after: "LIST\x04\x00\x00\x00abcd"},
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			data := buildWAV(o, payload)
			for _, oneByte := range []bool{false, true} {
				f, got := decodeBytes(t, data, audio.WAV, audio.Format{}, oneByte)
				if f.SampleRate != o.rate || f.Channels != o.ch {
					t.Fatalf("format %v", f)
				}
				if maxAbsDiff(got, want) != 0 || len(got) != len(want) {
					t.Fatalf("got %v want %v", got, want)
				}
			}
		})
	}
}

// TestWAVSampleFormats checks exact values for each payload type, including
// extensible float and G.711 in WAV.
func TestWAVSampleFormats(t *testing.T) {
	f32 := make([]byte, 8)
	binary.LittleEndian.PutUint32(f32, math.Float32bits(0.25))
	binary.LittleEndian.PutUint32(f32[4:], math.Float32bits(-2)) // clamped
	cases := []struct {
		name    string
		o       wavOpts
		payload []byte
		want    []float32
	}{
		{"u8", wavOpts{tag: 1, bits: 8, ch: 1, rate: 8000}, []byte{128, 255, 0}, []float32{0, 127.0 / 128, -1}},
		{"s24", wavOpts{tag: 1, bits: 24, ch: 1, rate: 48000}, []byte{0, 0, 0x40, 0xFF, 0xFF, 0xFF}, []float32{0.5, -1.0 / (1 << 23)}},
		{"s32 ext", wavOpts{tag: 1, bits: 32, ch: 1, rate: 48000, extensible: true}, []byte{0, 0, 0, 0xC0}, []float32{-0.5}},
		{"f32 ext", wavOpts{tag: 3, bits: 32, ch: 2, rate: 24000, extensible: true}, f32, []float32{0.25, -1}},
		{"mulaw", wavOpts{tag: 7, bits: 8, ch: 1, rate: 8000}, []byte{0xFF, 0x80, 0x00}, []float32{0, 32124.0 / 32768, -32124.0 / 32768}},
		{"alaw", wavOpts{tag: 6, bits: 8, ch: 1, rate: 8000}, []byte{0xD5, 0xAA, 0x2A}, []float32{8.0 / 32768, 32256.0 / 32768, -32256.0 / 32768}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.o.dataSize = 1
			_, got := decodeBytes(t, buildWAV(c.o, c.payload), audio.WAV, audio.Format{}, true)
			if len(got) != len(c.want) || maxAbsDiff(got, c.want) > 1e-9 {
				t.Fatalf("got %v want %v", got, c.want)
			}
		})
	}
}

// TestWAVErrors checks that cut and non-audio streams produce telling errors.
func TestWAVErrors(t *testing.T) {
	good := buildWAV(wavOpts{tag: 1, bits: 16, ch: 2, rate: 24000, dataSize: 1}, make([]byte, 400))
	streamed := buildWAV(wavOpts{tag: 1, bits: 16, ch: 2, rate: 24000, dataSize: 0xFFFFFFFF}, make([]byte, 400))
	cases := []struct {
		name    string
		data    []byte
		inNew   bool // error from NewDecoder rather than Read
		wantMsg string
	}{
		{"empty", nil, true, "empty"},
		{"short header", good[:20], true, "cut off"},
		{"riff prefix", good[:3], true, "cut off"},
		{"html", []byte("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"), true, `"502 Bad Gateway"`},
		{"json", []byte(`{"error":{"message":"Invalid API key provided","type":"invalid_request_error"}}`), true, "Invalid API key provided"},
		{"mp3 instead", append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 20)...), true, "got MP3"},
		{"partial frame", streamed[:len(streamed)-3], false, "middle of a sample frame"},
		{"sized data cut", good[:len(good)-100], false, "cut off"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, oneByte := range []bool{false, true} {
				var r io.Reader = bytes.NewReader(c.data)
				if oneByte {
					r = iotest.OneByteReader(r)
				}
				src, err := NewDecoder(r, audio.WAV, audio.Format{})
				if err == nil {
					if c.inNew {
						t.Fatalf("NewDecoder succeeded, want error containing %q", c.wantMsg)
					}
					_, err = readAll(src, 1000)
				} else if !c.inNew {
					t.Fatalf("NewDecoder: %v", err)
				}
				if err == nil || !strings.Contains(err.Error(), c.wantMsg) {
					t.Fatalf("error = %v, want it to mention %q", err, c.wantMsg)
				}
			}
		})
	}
}

// TestWAVFirstSamplesBeforeWriterFinishes proves that samples come out as
// soon as whole frames arrive, long before the stream ends.
func TestWAVFirstSamplesBeforeWriterFinishes(t *testing.T) {
	for _, enc := range []audio.Encoding{audio.WAV, audio.PCM, audio.MuLaw} {
		t.Run(string(enc), func(t *testing.T) {
			pr, pw := io.Pipe()
			defer pr.Close()
			go func() {
				if enc == audio.WAV {
					head := buildWAV(wavOpts{tag: 1, bits: 16, ch: 2, rate: 24000, dataSize: 0xFFFFFFFF}, nil)
					pw.Write(head)
				}
				// 16 bytes (enough for the raw decoders' error-page check), then
				// a pause with the writer still open.
				pw.Write([]byte{1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8, 0})
			}()
			type result struct {
				n   int
				err error
			}
			done := make(chan result, 1)
			go func() {
				src, err := NewDecoder(pr, enc, audio.Format{SampleRate: 24000, Channels: 2})
				if err != nil {
					done <- result{0, err}
					return
				}
				buf := make([]float32, 48000)
				n, err := src.Read(buf)
				done <- result{n, err}
			}()
			select {
			case r := <-done:
				if r.err != nil || r.n == 0 {
					t.Fatalf("first Read: n=%d err=%v", r.n, r.err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no samples after 5 s although whole frames were written: the decoder waits for more data")
			}
			pw.Close()
		})
	}
}

// TestRawAgainstFFmpeg decodes raw s16le, mu-law and A-law made by ffmpeg.
func TestRawAgainstFFmpeg(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		enc    audio.Encoding
		format string
		f      audio.Format
	}{
		{audio.PCM, "s16le", audio.Format{SampleRate: 24000, Channels: 1}},
		{audio.PCM, "s16le", audio.Format{SampleRate: 44100, Channels: 2}},
		{audio.MuLaw, "mulaw", audio.Format{SampleRate: 8000, Channels: 1}},
		{audio.ALaw, "alaw", audio.Format{SampleRate: 8000, Channels: 1}},
	}
	for _, c := range cases {
		t.Run(string(c.enc)+itoa(c.f.SampleRate), func(t *testing.T) {
			path := makeFixture(t, dir, string(c.enc)+itoa(c.f.SampleRate)+".raw", c.f.SampleRate, c.f.Channels, 0.5, "-f", c.format)
			ref := refDecode(t, path, c.f, "-f", c.format, "-ar", itoa(c.f.SampleRate), "-ac", itoa(c.f.Channels))
			data := readFile(t, path)
			for _, oneByte := range []bool{false, true} {
				_, got := decodeBytes(t, data, c.enc, c.f, oneByte)
				if len(got) != len(ref) || maxAbsDiff(got, ref) > 1e-6 {
					t.Fatalf("oneByte=%v: %d samples (ffmpeg %d), max diff %g", oneByte, len(got), len(ref), maxAbsDiff(got, ref))
				}
			}
		})
	}
}

// TestRawErrors checks hint validation, error bodies and cut frames.
func TestRawErrors(t *testing.T) {
	mono := audio.Format{SampleRate: 24000, Channels: 1}
	if _, err := NewDecoder(bytes.NewReader(nil), audio.PCM, audio.Format{}); err == nil || !strings.Contains(err.Error(), "sample rate") {
		t.Fatalf("missing hint: %v", err)
	}
	cases := []struct {
		name, data, want string
	}{
		{"empty", "", "empty"},
		{"json", `{"detail":"Voice not found"}`, "Voice not found"},
		{"html", "<html><head><title>Service Unavailable</title></head></html>", "Service Unavailable"},
		{"odd byte", "\x01\x00\x02\x00\x03\x00\x04\x00\x05\x00\x06\x00\x07\x00\x08\x00\x09", "middle of a sample frame"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := NewDecoder(iotest.OneByteReader(strings.NewReader(c.data)), audio.PCM, mono)
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(src, 256)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v (after %d samples), want %q", err, len(got), c.want)
			}
		})
	}
	// A short but valid stream (fewer bytes than the check window) decodes.
	src, _ := NewDecoder(strings.NewReader("\x00\x40\x00\xC0"), audio.PCM, mono)
	got, err := readAll(src, 256)
	if err != nil || len(got) != 2 || got[0] != 0.5 || got[1] != -0.5 {
		t.Fatalf("short stream: %v %v", got, err)
	}
}

// TestG711RoundTrip checks the encoders against the decoders for every code.
func TestG711RoundTrip(t *testing.T) {
	for i := range 256 {
		b := byte(i)
		if v := muLawDecode(b); muLawDecode(muLawEncode(v)) != v {
			t.Fatalf("mu-law %#x: %d re-encodes to %d", b, v, muLawDecode(muLawEncode(v)))
		}
		if v := aLawDecode(b); aLawDecode(aLawEncode(v)) != v {
			t.Fatalf("A-law %#x: %d re-encodes to %d", b, v, aLawDecode(aLawEncode(v)))
		}
	}
	// Encoding is monotonic in the decoded value.
	prevM, prevA := -1<<20, -1<<20
	for s := -32768; s <= 32767; s += 7 {
		m, a := int(muLawDecode(muLawEncode(int16(s)))), int(aLawDecode(aLawEncode(int16(s))))
		if m < prevM || a < prevA {
			t.Fatalf("not monotonic at %d", s)
		}
		prevM, prevA = m, a
	}
}

// errReader fails after delivering its data.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestWAVReaderError checks that a network error is passed on, not hidden as EOF.
func TestWAVReaderError(t *testing.T) {
	data := buildWAV(wavOpts{tag: 1, bits: 16, ch: 1, rate: 24000, dataSize: 0xFFFFFFFF}, make([]byte, 100))
	boom := errors.New("connection reset by peer")
	src, err := NewDecoder(&errReader{data: data, err: boom}, audio.WAV, audio.Format{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(src, 1000)
	if !errors.Is(err, boom) || len(got) != 50 {
		t.Fatalf("got %d samples, err %v", len(got), err)
	}
}
