package book

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"strings"
	"testing"
	"time"

	"chorus/core"
	"chorus/internal/scripted"
)

// onsets finds where sound starts after at least minGap of silence.
func onsets(samples []float32, rate int, minGap time.Duration) []time.Duration {
	var out []time.Duration
	quiet := int(minGap.Seconds() * float64(rate))
	run := quiet // the start counts as after silence
	for i, v := range samples {
		if math.Abs(float64(v)) > 0.01 {
			if run >= quiet {
				out = append(out, time.Duration(i)*time.Second/time.Duration(rate))
			}
			run = 0
		} else {
			run++
		}
	}
	return out
}

func floats(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func TestTimedCuesStartAtTheirTimesAndOverrunsAreReported(t *testing.T) {
	scripted.Register(t, &scripted.Provider{ID: "cue-fake", Respond: tone(0.5, 440, 0.5)})
	r := &Renderer{Engine: &core.Engine{}, Default: Voice{Provider: "cue-fake"}}
	cues := []Cue{{Start: time.Second, Text: "One."}, {Start: 2500 * time.Millisecond, Text: "Two."}, {Start: 4 * time.Second, Text: "Three."}}
	var buf bytes.Buffer
	n, ov, err := r.RenderTimed(context.Background(), cues, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if ov.Count != 0 || !strings.Contains(ov.String(), "on time") {
		t.Fatalf("no overrun expected: %+v", ov)
	}
	got := onsets(floats(buf.Bytes()), 24000, 200*time.Millisecond)
	if len(got) != 3 {
		t.Fatalf("onsets %v", got)
	}
	for i, c := range cues {
		if d := got[i] - c.Start; d < -5*time.Millisecond || d > 5*time.Millisecond {
			t.Fatalf("cue %d starts at %s, want %s", i+1, got[i], c.Start)
		}
	}
	if want := int64(4.5 * 24000); n != want {
		t.Fatalf("frames %d, want %d", n, want)
	}

	// A 0.5 s cue at 1.0 s runs past the one at 1.2 s (late by 0.3 s), which
	// then runs to 1.5+0.5 = 2.0 s, past the one at 1.8 s (late by 0.2 s); the
	// one at 3 s is back on time.
	cues = []Cue{{Start: time.Second, Text: "A."}, {Start: 1200 * time.Millisecond, Text: "B."}, {Start: 1800 * time.Millisecond, Text: "C."}, {Start: 3 * time.Second, Text: "D."}}
	buf.Reset()
	if _, ov, err = r.RenderTimed(context.Background(), cues, &buf); err != nil {
		t.Fatal(err)
	}
	if ov.Count != 2 || ov.Total != 500*time.Millisecond || ov.Max != 300*time.Millisecond {
		t.Fatalf("overruns %+v", ov)
	}
	if !strings.Contains(ov.String(), "2 cue(s) started late") {
		t.Fatalf("report %q", ov.String())
	}
	if got := onsets(floats(buf.Bytes()), 24000, 200*time.Millisecond); len(got) != 2 || got[1] < 2990*time.Millisecond || got[1] > 3010*time.Millisecond {
		t.Fatalf("onsets after overrun %v", got)
	}

	if _, _, err := r.RenderTimed(context.Background(), []Cue{{Start: 2 * time.Second, Text: "x"}, {Start: time.Second, Text: "y"}}, &buf); err == nil || !strings.Contains(err.Error(), "time order") {
		t.Fatalf("out of order: %v", err)
	}
}
