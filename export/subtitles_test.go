package export

import (
	"testing"
	"time"
)

func TestSRTAndVTT(t *testing.T) {
	cues := []Cue{
		{Start: 0, End: 1500 * time.Millisecond, Text: "Hello there."},
		{Start: 1500 * time.Millisecond, End: 3723004 * time.Millisecond, Text: "A much longer line that goes past forty-two characters <b> & more."},
	}
	srt := string(FormatSRT(cues))
	want := "1\n00:00:00,000 --> 00:00:01,500\nHello there.\n\n" +
		"2\n00:00:01,500 --> 01:02:03,004\nA much longer line that goes past\nforty-two characters <b> & more.\n\n"
	if srt != want {
		t.Errorf("srt:\n%q\nwant\n%q", srt, want)
	}
	vtt := string(FormatVTT(cues))
	want = "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello there.\n\n" +
		"00:00:01.500 --> 01:02:03.004\nA much longer line that goes past\nforty-two characters &lt;b&gt; &amp; more.\n\n"
	if vtt != want {
		t.Errorf("vtt:\n%q\nwant\n%q", vtt, want)
	}
	// A blank line inside a cue would end it early.
	if got := string(FormatSRT([]Cue{{End: time.Second, Text: "a\n\nb"}})); got != "1\n00:00:00,000 --> 00:00:01,000\na b\n\n" {
		t.Errorf("%q", got)
	}
}
