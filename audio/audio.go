// Package audio holds the types every stage of Chorus's audio pipeline shares:
// the shape of decoded PCM, the stream of decoded samples, and the names of
// encoded formats as they travel on the wire.
package audio

import "fmt"

// Format is the shape of decoded PCM: interleaved float32 samples in [-1, 1].
type Format struct {
	SampleRate int // frames per second
	Channels   int // 1 = mono, 2 = stereo
}

// String renders the format as "24000 Hz mono".
func (f Format) String() string {
	ch := fmt.Sprintf("%d ch", f.Channels)
	switch f.Channels {
	case 1:
		ch = "mono"
	case 2:
		ch = "stereo"
	}
	return fmt.Sprintf("%d Hz %s", f.SampleRate, ch)
}

// Valid reports whether the format can be played or encoded.
func (f Format) Valid() bool {
	return f.SampleRate >= 1000 && f.SampleRate <= 384000 && f.Channels >= 1 && f.Channels <= 8
}

// Source is a stream of decoded, interleaved float32 samples.
//
// Read fills p with up to len(p) samples and returns how many it wrote; n is
// always a multiple of Format().Channels. It blocks until at least one frame is
// available, and returns io.EOF once the stream has ended cleanly. Any other
// error means the stream failed (cut, corrupt) and says why.
type Source interface {
	Format() Format
	Read(p []float32) (n int, err error)
}

// Encoding names an encoded audio format (a container and codec) as bytes on
// the wire or in a file.
type Encoding string

// The encodings Chorus knows how to name. Not every one can be decoded or
// encoded; the codec package says which.
const (
	WAV   Encoding = "wav"  // RIFF/WAVE, any PCM, float, mu-law or A-law payload
	PCM   Encoding = "pcm"  // raw signed 16-bit little-endian; rate and channels come from elsewhere
	MP3   Encoding = "mp3"  // MPEG-1/2 layer III
	Opus  Encoding = "opus" // Opus in an Ogg container
	FLAC  Encoding = "flac" // native FLAC stream
	AAC   Encoding = "aac"  // AAC in ADTS frames
	MuLaw Encoding = "ulaw" // raw G.711 mu-law, one byte per sample
	ALaw  Encoding = "alaw" // raw G.711 A-law, one byte per sample
)

// Extension returns the usual file extension for the encoding, with its dot.
func (e Encoding) Extension() string {
	switch e {
	case Opus:
		return ".ogg"
	case MuLaw, ALaw:
		return ".raw"
	case PCM:
		return ".pcm"
	}
	return "." + string(e)
}
