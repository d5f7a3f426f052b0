// Package codec decodes and encodes the audio formats providers send and
// users export, as streams: decoders consume bytes as they arrive and emit
// samples as soon as they can; encoders write as samples arrive.
//
// Decoders return interleaved float32 samples in [-1, 1] through
// audio.Source. A Read error other than io.EOF means the stream was cut off or
// corrupt, and its text says which.
package codec

import (
	"fmt"
	"io"

	"chorus/audio"
	"chorus/providers"
)

// Encoder writes samples in one encoding. Close finishes the stream (writes
// trailers, patches headers when the writer can seek) but does not close the
// underlying writer.
type Encoder interface {
	// Write encodes interleaved samples; len(samples) should be a multiple
	// of the channel count given to NewEncoder.
	Write(samples []float32) error
	// Close flushes buffered samples and finishes the stream.
	Close() error
}

// NewDecoder returns a Source that decodes r as enc. hint gives the rate and
// channel count of headerless encodings (PCM, mu-law, A-law) and is ignored
// otherwise. It reads as much as it needs to learn the format (a WAV header,
// the first MP3 frame) and no more, so it blocks until those bytes arrive.
//
// When the bytes are not audio at all (an HTML error page, a JSON error body,
// nothing), the error says what came back instead.
func NewDecoder(r io.Reader, enc audio.Encoding, hint audio.Format) (audio.Source, error) {
	if r == nil {
		return nil, fmt.Errorf("codec: no input to decode %s from", describe(enc))
	}
	f, ok := entry(enc)
	if !ok {
		return nil, unknownEncoding("decode", enc)
	}
	return f.Decode(r, enc, hint)
}

// ErrAACPlayback is returned when asked to decode AAC without ffmpeg: Chorus
// can save AAC as the provider sent it, but playing it needs ffmpeg. It is a
// *providers.Error of kind KindUnavailable, so front ends show its message
// as it is (never as a cut stream).
var ErrAACPlayback error = &providers.Error{Kind: providers.KindUnavailable,
	Message: "AAC cannot be played here because ffmpeg is not installed",
	Hint:    "install ffmpeg, or choose mp3, opus, wav or pcm to listen (AAC can still be saved to a file)"}

// NewEncoder returns an Encoder that writes samples of format f to w as enc.
// WAV is 16-bit PCM; PCM is raw s16le; MuLaw and ALaw are raw G.711 bytes;
// MP3 is 128 kb/s (pure Go, rates 8000–48000 of the MPEG set); FLAC is 16-bit;
// Opus and AAC need ffmpeg on PATH.
func NewEncoder(w io.Writer, enc audio.Encoding, f audio.Format) (Encoder, error) {
	if w == nil {
		return nil, fmt.Errorf("codec: no output to write %s to", describe(enc))
	}
	if !f.Valid() {
		return nil, fmt.Errorf("codec: cannot encode %s at %s: rate must be 1000–384000 Hz and 1–8 channels", describe(enc), f)
	}
	e, ok := entry(enc)
	if !ok {
		return nil, unknownEncoding("encode", enc)
	}
	return e.Encode(w, enc, f)
}

// EncodingFromPath guesses the encoding from a file name's extension, using
// the format table (.wav .mp3 .ogg .opus .flac .aac .pcm .raw .ulaw .alaw …).
func EncodingFromPath(path string) (audio.Encoding, bool) {
	f, ok := ByExtension(path)
	return f.Encoding, ok
}

// CanDecode reports whether NewDecoder can decode enc right now. AAC is true
// only when ffmpeg is on PATH: there is no maintained pure-Go AAC decoder.
func CanDecode(enc audio.Encoding) bool {
	f, ok := entry(enc)
	if !ok {
		return false
	}
	return !f.DecodeNeedsFFmpeg || HasFFmpeg()
}

// CanEncode reports whether NewEncoder can encode enc right now. Formats that
// need ffmpeg (Opus, AAC) are true only when ffmpeg is on PATH.
func CanEncode(enc audio.Encoding) bool {
	f, ok := entry(enc)
	if !ok {
		return false
	}
	return !f.NeedsFFmpeg || HasFFmpeg()
}

// describe names an encoding for messages: "WAV", "MP3", "raw PCM".
func describe(enc audio.Encoding) string {
	if f, ok := entry(enc); ok {
		return f.Name
	}
	return fmt.Sprintf("%q", string(enc))
}
