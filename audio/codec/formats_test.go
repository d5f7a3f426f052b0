package codec

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"chorus/audio"
)

func TestFormatTableLookups(t *testing.T) {
	for name, want := range map[string]audio.Encoding{
		"wav": audio.WAV, "WAVE": audio.WAV, ".mp3": audio.MP3, "ogg": audio.Opus, "opus": audio.Opus,
		"flac": audio.FLAC, "aac": audio.AAC, "raw": audio.PCM, "pcm": audio.PCM, "ulaw": audio.MuLaw,
		"mulaw": audio.MuLaw, "alaw": audio.ALaw,
	} {
		f, ok := Lookup(name)
		if !ok || f.Encoding != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", name, f.Encoding, ok, want)
		}
	}
	for _, bad := range []string{"", "vorbis", "txt", "m4a"} {
		if f, ok := Lookup(bad); ok {
			t.Errorf("Lookup(%q) = %q", bad, f.Encoding)
		}
	}
	for path, want := range map[string]audio.Encoding{"a.WAV": audio.WAV, "b/c.opus": audio.Opus, "x.oga": audio.Opus, "d.ul": audio.MuLaw} {
		f, ok := ByExtension(path)
		if !ok || f.Encoding != want {
			t.Errorf("ByExtension(%q) = %q, %v", path, f.Encoding, ok)
		}
	}
	for _, bad := range []string{"notes.txt", "noext", filepath.Join("a.mp3", "b")} {
		if f, ok := ByExtension(bad); ok {
			t.Errorf("ByExtension(%q) = %q", bad, f.Encoding)
		}
	}
	names := ExportNames()
	for _, want := range []string{"wav", "mp3", "flac", "opus", "aac", "pcm"} {
		if !slices.Contains(names, want) {
			t.Errorf("ExportNames() = %v lacks %s", names, want)
		}
	}
	if slices.Contains(names, "ulaw") {
		t.Errorf("ExportNames() offers mu-law: %v", names)
	}
	if l := ExportList(); !strings.HasPrefix(l, "wav, ") || !strings.Contains(l, " or ") {
		t.Errorf("ExportList() = %q", l)
	}
	if len(ExportExtensions()) != len(names) {
		t.Errorf("ExportExtensions %v vs names %v", ExportExtensions(), names)
	}
}

// Every entry's encoder and decoder fit together: what one writes, the
// other reads back as audio of the same shape.
func TestFormatTableRoundTrip(t *testing.T) {
	needTool(t, "ffmpeg")
	f := audio.Format{SampleRate: 48000, Channels: 1} // Opus always decodes at 48 kHz
	in := signal(f, 0.5)
	for _, e := range Formats() {
		t.Run(string(e.Encoding), func(t *testing.T) {
			if e.Decode == nil || e.Encode == nil || len(e.Extensions) == 0 || e.Name == "" {
				t.Fatalf("incomplete entry %+v", e)
			}
			var buf bytes.Buffer
			encodeTo(t, onlyWriter{&buf}, e.Encoding, f, in)
			if e.Magic != "" && !bytes.HasPrefix(buf.Bytes(), []byte(e.Magic)) {
				t.Fatalf("%s output starts with % x, not %q", e.Name, buf.Bytes()[:8], e.Magic)
			}
			got, samples := decodeBytes(t, buf.Bytes(), e.Encoding, f, false)
			if got.SampleRate != f.SampleRate {
				t.Fatalf("decoded as %s", got)
			}
			if got.Channels == 2 { // the MP3 decoder always gives stereo
				mono := make([]float32, len(samples)/2)
				for i := range mono {
					mono[i] = samples[2*i]
				}
				samples = mono
			}
			if len(samples) < len(in)*9/10 {
				t.Fatalf("decoded %d samples of %d", len(samples), len(in))
			}
			if lag, corr := bestLag(in, samples, 1, 3000); corr < 0.9 {
				t.Fatalf("correlation %.3f (lag %d)", corr, lag)
			}
		})
	}
}

func TestAACPlaysThroughFFmpeg(t *testing.T) {
	needTool(t, "ffmpeg")
	dir := t.TempDir()
	path := makeFixture(t, dir, "x.aac", 24000, 1, 1, "-c:a", "aac", "-f", "adts")
	data := readFile(t, path)
	if err := CheckADTS(data); err != nil {
		t.Fatalf("CheckADTS on ffmpeg's AAC: %v", err)
	}
	f, got := decodeBytes(t, data, audio.AAC, audio.Format{}, false)
	if f.SampleRate != 24000 || f.Channels != 1 || len(got) < 22000 {
		t.Fatalf("decoded %s, %d samples", f, len(got))
	}
	ref := refDecode(t, path, f)
	if corr := correlation(ref, got); corr < 0.999 {
		t.Fatalf("correlation with ffmpeg's own decode %.4f", corr)
	}
	// Garbage after valid frames is a structural error.
	bad := append(append([]byte(nil), data[:len(data)/2]...), bytes.Repeat([]byte{0x42}, 4000)...)
	if err := CheckADTS(bad); err == nil || !strings.Contains(err.Error(), "corrupt") && !strings.Contains(err.Error(), "cut off") {
		t.Fatalf("CheckADTS on garbage: %v", err)
	}
	if err := CheckADTS([]byte("{\"error\":\"x\"}")); err == nil {
		t.Fatal("CheckADTS accepted JSON")
	}
	// Without ffmpeg, AAC says plainly that it cannot be played.
	t.Setenv("PATH", dir)
	if _, err := NewDecoder(bytes.NewReader(data), audio.AAC, audio.Format{}); !errors.Is(err, ErrAACPlayback) {
		t.Fatalf("without ffmpeg: %v", err)
	}
	if CanDecode(audio.AAC) {
		t.Fatal("CanDecode(AAC) without ffmpeg")
	}
}
