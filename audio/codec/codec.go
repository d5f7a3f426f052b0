// Package codec decodes and encodes the audio formats providers send and
// users export, as streams: decoders consume bytes as they arrive and emit
// samples as soon as they can; encoders write as samples arrive.
package codec

import (
	"io"

	"chorus/audio"
)

// Encoder writes samples in one encoding. Close finishes the stream (writes
// trailers, patches headers when the writer can seek) but does not close the
// underlying writer.
type Encoder interface {
	Write(samples []float32) error
	Close() error
}

// NewDecoder returns a Source that decodes r as enc. hint gives the rate and
// channel count of headerless encodings (PCM, mu-law, A-law) and is ignored
// otherwise. It reads as much as it needs to learn the format (a WAV header,
// the first MP3 frame) and no more.
//
// Implemented in decode_*.go.
var _ = func(r io.Reader, enc audio.Encoding, hint audio.Format) (audio.Source, error) { return nil, nil }
