// Package scripted is a provider whose answers a test writes: it lets core,
// CLI and GUI tests control timing, content and failures exactly, without a
// network or an engine.
package scripted

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"

	"chorus/audio"
	"chorus/providers"
)

// Provider answers Synthesize with whatever Respond returns.
type Provider struct {
	ID   string
	Caps providers.Capabilities
	// Respond builds the audio for a request; nil answers with Tone(0.5 s).
	Respond func(ctx context.Context, req providers.Request) (*providers.Audio, error)

	mu       sync.Mutex
	requests []providers.Request
}

// Register makes p available under p.ID and removes it when the test ends.
func Register(t interface{ Cleanup(func()) }, p *Provider) *Provider {
	if p.Caps.Formats == nil {
		p.Caps = providers.Capabilities{
			Models:  []providers.Model{{ID: "m1"}, {ID: "m2", Instructions: true}},
			Formats: []string{"wav", "pcm"}, Speed: providers.Range{Min: 0.5, Max: 2, Default: 1},
			Streaming: true,
		}
	}
	providers.Register(providers.Registration{
		Info: p.Info(), Capabilities: p.Caps, Order: 50,
		New: func(providers.Config) (providers.Provider, error) { return p, nil },
	})
	t.Cleanup(func() { providers.Unregister(p.ID) })
	return p
}

// Info describes the provider.
func (p *Provider) Info() providers.Info {
	return providers.Info{ID: p.ID, Name: "Scripted " + p.ID}
}

// Capabilities are Caps.
func (p *Provider) Capabilities() providers.Capabilities { return p.Caps }

// Voices returns two fixed voices.
func (p *Provider) Voices(context.Context, string) ([]providers.Voice, error) {
	return []providers.Voice{{ID: "v1", Name: "Voice One"}, {ID: "v2", Name: "Voice Two"}}, nil
}

// Synthesize records the request, as prepared by core, and calls Respond.
func (p *Provider) Synthesize(ctx context.Context, req providers.Request) (*providers.Audio, error) {
	p.mu.Lock()
	p.requests = append(p.requests, req)
	p.mu.Unlock()
	if p.Respond != nil {
		return p.Respond(ctx, req)
	}
	return &providers.Audio{Body: io.NopCloser(bytes.NewReader(ToneWAV(24000, 0.5, 440))), Encoding: audio.WAV, Requests: 1}, nil
}

// Requests returns the requests received so far.
func (p *Provider) Requests() []providers.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]providers.Request(nil), p.requests...)
}

// TonePCM returns seconds of a sine at freq Hz as 16-bit mono samples.
func TonePCM(rate int, seconds, freq float64) []byte {
	n := int(float64(rate) * seconds)
	b := make([]byte, 2*n)
	for i := range n {
		v := 0.5 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))
		binary.LittleEndian.PutUint16(b[2*i:], uint16(int16(v*32767)))
	}
	return b
}

// ToneWAV wraps TonePCM in a WAV header with exact sizes.
func ToneWAV(rate int, seconds, freq float64) []byte {
	pcm := TonePCM(rate, seconds, freq)
	return append(WAVHeader(rate, uint32(len(pcm))), pcm...)
}

// WAVHeader is a 44-byte header for 16-bit mono PCM; pass 0xFFFFFFFF as
// size for a streamed header.
func WAVHeader(rate int, size uint32) []byte {
	h := make([]byte, 44)
	copy(h, "RIFF")
	riff := size + 36
	if size == 0xFFFFFFFF {
		riff = size
	}
	binary.LittleEndian.PutUint32(h[4:], riff)
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1)
	binary.LittleEndian.PutUint16(h[22:], 1)
	binary.LittleEndian.PutUint32(h[24:], uint32(rate))
	binary.LittleEndian.PutUint32(h[28:], uint32(rate*2))
	binary.LittleEndian.PutUint16(h[32:], 2)
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], size)
	return h
}

// Stream is a body the test feeds piece by piece.
type Stream struct {
	pr *io.PipeReader
	pw *io.PipeWriter
}

// NewStream returns a body and the writer end the test controls. Like an
// HTTP body, it fails with ctx's error once ctx ends.
func NewStream(ctx context.Context) *Stream {
	pr, pw := io.Pipe()
	context.AfterFunc(ctx, func() { pw.CloseWithError(ctx.Err()) })
	return &Stream{pr: pr, pw: pw}
}

// Body is the reader end, for providers.Audio.Body.
func (s *Stream) Body() io.ReadCloser { return s.pr }

// Send writes bytes to the body (blocks until read).
func (s *Stream) Send(b []byte) error { _, err := s.pw.Write(b); return err }

// End ends the body cleanly.
func (s *Stream) End() { s.pw.Close() }

// Fail ends the body with an error, like a cut connection.
func (s *Stream) Fail(err error) { s.pw.CloseWithError(err) }

// ToneWAVFile writes ToneWAV to a file in t's temporary folder and returns
// its path (a stand-in recording, e.g. a voice reference to clone).
func ToneWAVFile(t interface {
	TempDir() string
	Fatal(...any)
}, rate int, seconds, freq float64) string {
	p := filepath.Join(t.TempDir(), "tone.wav")
	if err := os.WriteFile(p, ToneWAV(rate, seconds, freq), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
