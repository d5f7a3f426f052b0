package player

import (
	"context"
	"sync"
	"time"

	"chorus/audio"
)

// MemorySink collects played samples in memory. Tests use it to check what
// the pipeline would have sent to a device; the app uses it as the "no audio
// output" sink so export keeps working.
type MemorySink struct {
	format audio.Format
	// Discard drops samples instead of keeping them (no-device mode).
	Discard bool

	mu      sync.Mutex
	samples []float32
	first   time.Time
	played  int
	stops   int
}

// NewMemorySink returns a sink of the given format.
func NewMemorySink(f audio.Format) *MemorySink { return &MemorySink{format: f} }

// Format is the sink's format.
func (m *MemorySink) Format() audio.Format { return m.format }

// Write keeps the samples.
func (m *MemorySink) Write(ctx context.Context, samples []float32) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.first.IsZero() {
		m.first = time.Now()
	}
	m.played += len(samples)
	if !m.Discard {
		m.samples = append(m.samples, samples...)
	}
	return nil
}

// Drain returns at once: memory has no latency.
func (m *MemorySink) Drain(ctx context.Context) error { return ctx.Err() }

// Stop counts the stop.
func (m *MemorySink) Stop() {
	m.mu.Lock()
	m.stops++
	m.mu.Unlock()
}

// Pause does nothing in memory.
func (m *MemorySink) Pause() {}

// Resume does nothing in memory.
func (m *MemorySink) Resume() {}

// Stats reports the samples received.
func (m *MemorySink) Stats() SinkStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	frames := m.played / m.format.Channels
	return SinkStats{Played: time.Duration(frames) * time.Second / time.Duration(m.format.SampleRate), FirstAudio: m.first}
}

// Samples returns a copy of everything written.
func (m *MemorySink) Samples() []float32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]float32(nil), m.samples...)
}

// Stops returns how many times Stop was called.
func (m *MemorySink) Stops() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stops
}
