package scripted_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"chorus/audio"
	"chorus/internal/scripted"
	"chorus/providers"
	"chorus/providers/providertest"
)

// slowTone streams five seconds of a tone as a streamed WAV, a tenth of a
// second every 50 ms, until the body is closed or ctx ends.
func slowTone(ctx context.Context, req providers.Request) (*providers.Audio, error) {
	s := scripted.NewStream(ctx)
	go func() {
		if s.Send(scripted.WAVHeader(24000, 0xFFFFFFFF)) != nil {
			return
		}
		pcm := scripted.TonePCM(24000, 5, 440)
		for len(pcm) > 0 {
			k := min(4800, len(pcm))
			if s.Send(pcm[:k]) != nil {
				return
			}
			pcm = pcm[k:]
			select {
			case <-ctx.Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
		s.End()
	}()
	return &providers.Audio{Body: s.Body(), Encoding: audio.WAV, Requests: 1}, nil
}

// The scripted provider, with the capabilities Register gives it and its
// default answer, passes the contract every provider does.
func TestContract(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "scripted"})
	providertest.Contract(t, providertest.ContractHarness{
		Provider: p,
		Reset:    func() { p.Respond = nil }, // the default answer
		Work:     func() int { return len(p.Requests()) },
		Slow: func(t *testing.T) providers.Request {
			p.Respond = slowTone
			return providers.Request{Text: "A long story, told slowly.", Voice: "v1"}
		},
	})
	if len(p.Requests()) == 0 {
		t.Error("no request was recorded")
	}
}

func TestToneWAVHeader(t *testing.T) {
	b := scripted.ToneWAV(8000, 0.25, 440)
	if len(b) != 44+2*2000 || !strings.HasPrefix(string(b), "RIFF") || string(b[8:16]) != "WAVEfmt " {
		t.Fatalf("ToneWAV: %d bytes, header % x", len(b), b[:16])
	}
}
