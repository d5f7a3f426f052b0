package codec

import (
	"bytes"
	"io"
	"log"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"chorus/audio"
)

// lossyCase is one compressed fixture compared against ffmpeg's decode.
type lossyCase struct {
	name     string
	enc      audio.Encoding
	rate, ch int
	args     []string // ffmpeg output args
	refArgs  []string // ffmpeg input args for the reference decode
	frame    int      // samples per channel in one codec frame
}

// checkAgainstReference decodes fixture bytes whole and byte by byte and
// compares with ffmpeg: correlation > 0.99 at zero lag and length within one
// codec frame.
func checkAgainstReference(t *testing.T, c lossyCase, path string) {
	t.Helper()
	data := readFile(t, path)
	f := audio.Format{SampleRate: c.rate, Channels: c.ch}
	ref := refDecode(t, path, f, c.refArgs...)
	for _, oneByte := range []bool{false, true} {
		gf, got := decodeBytes(t, data, c.enc, audio.Format{}, oneByte)
		if gf != f {
			t.Fatalf("format %v, want %v", gf, f)
		}
		if d := len(got)/c.ch - len(ref)/c.ch; d > c.frame || d < -c.frame {
			t.Fatalf("oneByte=%v: %d frames, ffmpeg %d (difference %d > one codec frame %d)", oneByte, len(got)/c.ch, len(ref)/c.ch, d, c.frame)
		}
		if corr := correlation(got, ref); corr < 0.99 {
			lag, best := bestLag(got, ref, c.ch, 2000)
			t.Fatalf("oneByte=%v: correlation with ffmpeg %.4f at lag 0 (best %.4f at lag %d frames)", oneByte, corr, best, lag)
		}
		if !oneByte {
			t.Logf("%d frames (ffmpeg %d), correlation %.5f", len(got)/c.ch, len(ref)/c.ch, correlation(got, ref))
		}
	}
}

func TestMP3AgainstFFmpeg(t *testing.T) {
	dir := t.TempDir()
	cases := []lossyCase{
		{name: "lame24mono", enc: audio.MP3, rate: 24000, ch: 1, args: []string{"-c:a", "libmp3lame", "-b:a", "64k"}, frame: 576},
		{name: "lame44stereo", enc: audio.MP3, rate: 44100, ch: 2, args: []string{"-c:a", "libmp3lame", "-b:a", "128k"}, frame: 1152},
		{name: "lame48vbr", enc: audio.MP3, rate: 48000, ch: 1, args: []string{"-c:a", "libmp3lame", "-q:a", "4"}, frame: 1152},
		{name: "lame22noxing", enc: audio.MP3, rate: 22050, ch: 2, args: []string{"-c:a", "libmp3lame", "-write_xing", "0", "-id3v2_version", "0"}, frame: 576},
		{name: "shine32", enc: audio.MP3, rate: 32000, ch: 1, args: []string{"-c:a", "libshine"}, frame: 1152},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := makeFixture(t, dir, c.name+".mp3", c.rate, c.ch, 1.5, c.args...)
			checkAgainstReference(t, c, path)
		})
	}
}

// TestMP3Trim checks that LAME delay and padding are removed: a 1.0 s clip
// decodes to 1.0 s, not 1.0 s plus a frame or two of silence.
func TestMP3Trim(t *testing.T) {
	dir := t.TempDir()
	path := makeFixture(t, dir, "trim.mp3", 24000, 1, 1.0, "-c:a", "libmp3lame")
	_, got := decodeBytes(t, readFile(t, path), audio.MP3, audio.Format{}, false)
	if len(got) != 24000 {
		t.Fatalf("decoded %d samples from a 24000-sample clip", len(got))
	}
	// The signal starts at full level right away (no leading silence).
	var peak float32
	for _, v := range got[:240] {
		peak = max(peak, v, -v)
	}
	if peak < 0.05 {
		t.Fatalf("first 10 ms are silent (peak %.3f): encoder delay not trimmed", peak)
	}
}

// TestMP3Errors covers cut streams and non-audio bodies.
func TestMP3Errors(t *testing.T) {
	dir := t.TempDir()
	data := readFile(t, makeFixture(t, dir, "e.mp3", 24000, 1, 0.5, "-c:a", "libmp3lame"))
	got := expectCut(t, data[:len(data)-37], audio.MP3)
	if len(got) < 8000 {
		t.Fatalf("only %d samples before the cut was reported", len(got))
	}
	expectOpenErrors(t, audio.MP3, map[string]string{
		"":                                   "empty",
		"<html><title>403 Forbidden</title>": "403 Forbidden",
		`{"message":"quota exceeded"}`:       "quota exceeded",
		"RIFF\x10\x00\x00\x00WAVEfmt ":       "got WAV",
	})
}

// expectCut decodes data, a stream that ends early, as enc and checks that
// the decoder reports the cut; it returns the samples decoded before it.
func expectCut(t *testing.T, data []byte, enc audio.Encoding) []float32 {
	t.Helper()
	src, err := NewDecoder(bytes.NewReader(data), enc, audio.Format{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(src, 4096)
	if err == nil || !strings.Contains(err.Error(), "cut off") {
		t.Fatalf("cut stream: err = %v after %d samples", err, len(got))
	}
	return got
}

// expectOpenErrors checks that each body, read one byte at a time, fails to
// open as enc with an error that contains the text it maps to.
func expectOpenErrors(t *testing.T, enc audio.Encoding, bodies map[string]string) {
	t.Helper()
	for body, want := range bodies {
		_, err := NewDecoder(iotest.OneByteReader(strings.NewReader(body)), enc, audio.Format{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("body %q: err = %v, want %q", body, err, want)
		}
	}
}

// TestLossyFirstSampleBeforeEnd checks that MP3, Opus and FLAC decoding
// starts while the writer still has most of the stream to send.
func TestLossyFirstSampleBeforeEnd(t *testing.T) {
	dir := t.TempDir()
	fixtures := map[audio.Encoding][]string{
		audio.MP3:  {"-c:a", "libmp3lame", "-f", "mp3"},
		audio.Opus: {"-c:a", "libopus", "-f", "ogg"},
		audio.FLAC: {"-c:a", "flac", "-f", "flac"},
	}
	for enc, args := range fixtures {
		t.Run(string(enc), func(t *testing.T) {
			path := makeFixture(t, dir, "first."+string(enc), 24000, 1, 3, args...)
			data := readFile(t, path)
			pr, pw := io.Pipe()
			half := len(data) / 3
			go func() {
				pw.Write(data[:half]) // the rest is never sent while we wait
			}()
			done := make(chan error, 1)
			go func() {
				src, err := NewDecoder(pr, enc, audio.Format{})
				if err == nil {
					_, err = src.Read(make([]float32, 4096))
				}
				done <- err
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no samples although a third of the stream has arrived")
			}
			pw.Close()
		})
	}
}

func TestOpusAgainstLibopus(t *testing.T) {
	dir := t.TempDir()
	libopus := []string{"-c:a", "libopus"} // ffmpeg's native decoder differs on SILK; libopus is the reference
	cases := []lossyCase{
		{name: "voip24mono", enc: audio.Opus, rate: 48000, ch: 1, args: []string{"-ar", "24000", "-c:a", "libopus", "-b:a", "24k", "-application", "voip"}, refArgs: libopus, frame: 960},
		{name: "audio48stereo", enc: audio.Opus, rate: 48000, ch: 2, args: []string{"-c:a", "libopus", "-b:a", "64k"}, refArgs: libopus, frame: 960},
		{name: "lowdelay16", enc: audio.Opus, rate: 48000, ch: 1, args: []string{"-ar", "16000", "-c:a", "libopus", "-b:a", "32k", "-application", "lowdelay"}, refArgs: libopus, frame: 960},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := 48000
			if strings.Contains(c.name, "24") {
				in = 24000
			} else if strings.Contains(c.name, "16") {
				in = 16000
			}
			path := makeFixture(t, dir, c.name+".ogg", in, c.ch, 1.5, c.args...)
			checkAgainstReference(t, c, path)
		})
	}
}

func TestOpusErrors(t *testing.T) {
	dir := t.TempDir()
	data := readFile(t, makeFixture(t, dir, "e.ogg", 48000, 1, 2, "-c:a", "libopus"))
	expectCut(t, data[:len(data)-50], audio.Opus)
	expectOpenErrors(t, audio.Opus, map[string]string{
		"":                                 "empty",
		"OggS\x00\x02":                     "cut off",
		"<html><title>Not Found</title>":   "Not Found",
		`{"error":"unsupported format"}`:   "unsupported format",
		"fLaC\x00\x00\x00\x22\x00\x00\x00": "got FLAC",
	})
}

func TestFLACAgainstFFmpeg(t *testing.T) {
	dir := t.TempDir()
	cases := []lossyCase{
		{name: "s16_24k_mono", enc: audio.FLAC, rate: 24000, ch: 1, args: []string{"-c:a", "flac"}, frame: 0},
		{name: "s16_44k_stereo", enc: audio.FLAC, rate: 44100, ch: 2, args: []string{"-c:a", "flac"}, frame: 0},
		{name: "s24_48k_stereo", enc: audio.FLAC, rate: 48000, ch: 2, args: []string{"-c:a", "flac", "-sample_fmt", "s32"}, frame: 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := makeFixture(t, dir, c.name+".flac", c.rate, c.ch, 1.5, c.args...)
			checkAgainstReference(t, c, path)
			ref := refDecode(t, path, audio.Format{SampleRate: c.rate, Channels: c.ch})
			_, got := decodeBytes(t, readFile(t, path), audio.FLAC, audio.Format{}, false)
			if d := maxAbsDiff(got, ref); d > 1e-6 || len(got) != len(ref) {
				t.Fatalf("lossless decode differs from ffmpeg by %g (len %d vs %d)", d, len(got), len(ref))
			}
		})
	}
}

// TestFLACLogQuiet checks that mewkiz/flac's per-frame message for 24 kHz
// streams does not reach the log, while other log lines still do.
func TestFLACLogQuiet(t *testing.T) {
	var buf bytes.Buffer
	old, flags := log.Writer(), log.Flags()
	log.SetOutput(&buf)
	defer func() { log.SetOutput(old); log.SetFlags(flags) }()
	dir := t.TempDir()
	path := makeFixture(t, dir, "q.flac", 24000, 1, 1, "-c:a", "flac")
	decodeBytes(t, readFile(t, path), audio.FLAC, audio.Format{}, false)
	log.Print("other message")
	if strings.Contains(buf.String(), "test cases") || !strings.Contains(buf.String(), "other message") {
		t.Fatalf("log output: %q", buf.String())
	}
}

func TestFLACErrors(t *testing.T) {
	dir := t.TempDir()
	data := readFile(t, makeFixture(t, dir, "e.flac", 24000, 1, 2, "-c:a", "flac"))
	expectCut(t, data[:len(data)-100], audio.FLAC)
	expectOpenErrors(t, audio.FLAC, map[string]string{
		"":                                    "empty",
		"fLaC\x00\x00":                        "cut off",
		"<!doctype html><h1>Bad Gateway</h1>": "Bad Gateway",
	})
}
