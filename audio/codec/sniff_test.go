package codec

import (
	"strings"
	"testing"

	"chorus/audio"
)

func TestSniff(t *testing.T) {
	cases := map[string]audio.Encoding{
		"RIFF\x00\x00\x00\x00WAVEfmt ":                                   audio.WAV,
		"RF64\xff\xff\xff\xffWAVEds64":                                   audio.WAV,
		"OggS\x00\x02" + strings.Repeat("\x00", 22) + "OpusHead\x01\x01": audio.Opus,
		"fLaC\x00\x00\x00\x22":                                           audio.FLAC,
		"ID3\x04\x00\x00\x00\x00\x00\x23":                                audio.MP3,
		"\xff\xfb\x90\x64":                                               audio.MP3,
		"\xff\xf3\x84\xc0":                                               audio.MP3,
		"\xff\xf1\x50\x80":                                               audio.AAC,
		"\xff\xf9\x50\x80":                                               audio.AAC,
	}
	for head, want := range cases {
		if got, ok := Sniff([]byte(head)); !ok || got != want {
			t.Errorf("Sniff(%q) = %v %v, want %v", head, got, ok, want)
		}
	}
	for _, head := range []string{"", "RIFF", "\x00\x00\x01\x00", "OggS\x00\x02" + strings.Repeat("\x00", 22) + "\x01vorbis\x00", "<html>"} {
		if got, ok := Sniff([]byte(head)); ok {
			t.Errorf("Sniff(%q) = %v, want no match", head, got)
		}
	}
}

func TestCheckAudio(t *testing.T) {
	cases := []struct {
		head    string
		claimed audio.Encoding
		want    string // "" = nil error
	}{
		{"RIFF\x24\x00\x00\x00WAVEfmt ", audio.WAV, ""},
		{"\xff\xfb\x90\x64\x00", audio.MP3, ""},
		{"\x00\x00\x10\x00\xf0\xff", audio.PCM, ""},
		{"UUUUTTTTUUUUWWWW", audio.ALaw, ""}, // quiet A-law is printable ASCII
		{"", audio.MP3, "empty"},
		{"RIFF\x24\x00", audio.WAV, "cut off"},
		{"fL", audio.FLAC, "cut off"},
		{"  <!DOCTYPE html>\n<html><head><title>Just a moment...</title>", audio.MP3, `HTML page titled "Just a moment..."`},
		{"<html><body><h1>429 Too Many Requests</h1></body></html>", audio.PCM, "429 Too Many Requests"},
		{`{"detail":{"status":"quota_exceeded","message":"You have 0 credits left"}}`, audio.MP3, "You have 0 credits left"},
		{`{"error":{"message":"Incorrect API key provided: sk-abc. You can find`, audio.PCM, "Incorrect API key provided"},
		{`[{"msg":"field required"}]`, audio.WAV, "field required"},
		{"Internal Server Error", audio.WAV, "sent text instead of WAV audio"},
		{"Internal Server Error, try again later", audio.MuLaw, `sent text instead of`},
		{"Internal Server Error, try again later", audio.PCM, `"Internal Server Error, try again later"`},
		{"~}|{zyxw~}|{zyxw~}|{", audio.MuLaw, ""}, // quiet mu-law is printable too
		{"<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code></Error>", audio.Opus, "XML"},
		{"ID3\x04\x00\x00\x00\x00\x00\x23", audio.WAV, "got MP3"},
		{"RIFF\x24\x00\x00\x00WAVEfmt ", audio.PCM, "got a WAV file"},
		{"\x00\x01\x02\x03\x04\x05", audio.FLAC, "not FLAC"},
		{"\x00\x01\x02\x03\x04\x05", "", ""},
		{"", "", "empty"},
		{`{"message":"bad voice"}`, "", "the provider sent JSON instead of audio: bad voice"},
		{"Error", "", "the provider sent text instead of audio"},
	}
	for _, c := range cases {
		err := CheckAudio([]byte(c.head), c.claimed)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("CheckAudio(%q, %s) = %v, want nil", c.head, c.claimed, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("CheckAudio(%q, %s) = %v, want %q", c.head, c.claimed, err, c.want)
		}
	}
}

func TestEncodingFromPathAndCapabilities(t *testing.T) {
	for path, want := range map[string]audio.Encoding{
		"a.wav": audio.WAV, "B.MP3": audio.MP3, "c.ogg": audio.Opus, "d.opus": audio.Opus, "e.flac": audio.FLAC,
		"f.aac": audio.AAC, "g.pcm": audio.PCM, "h.raw": audio.PCM, "i.ulaw": audio.MuLaw, "j.alaw": audio.ALaw,
	} {
		if got, ok := EncodingFromPath(path); !ok || got != want {
			t.Errorf("EncodingFromPath(%q) = %v %v", path, got, ok)
		}
	}
	if _, ok := EncodingFromPath("x.txt"); ok {
		t.Error("x.txt recognised")
	}
	for _, e := range []audio.Encoding{audio.WAV, audio.PCM, audio.MP3, audio.Opus, audio.FLAC, audio.MuLaw, audio.ALaw} {
		if !CanDecode(e) {
			t.Errorf("CanDecode(%s) = false", e)
		}
	}
	needTool(t, "ffmpeg")
	if !CanDecode(audio.AAC) {
		t.Error("CanDecode(AAC) = false with ffmpeg installed")
	}
	for _, e := range []audio.Encoding{audio.WAV, audio.PCM, audio.MP3, audio.Opus, audio.FLAC, audio.MuLaw, audio.ALaw, audio.AAC} {
		if !CanEncode(e) {
			t.Errorf("CanEncode(%s) = false", e)
		}
	}
}
