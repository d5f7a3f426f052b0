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
	"os/exec"
	"path/filepath"
	"strings"

	"chorus/audio"
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
	switch enc {
	case audio.WAV:
		return newWAVDecoder(r)
	case audio.PCM, audio.MuLaw, audio.ALaw:
		return newRawDecoder(r, enc, hint)
	case audio.MP3:
		return newMP3Decoder(r)
	case audio.Opus:
		return newOpusDecoder(r)
	case audio.FLAC:
		return newFLACDecoder(r)
	case audio.AAC:
		return nil, ErrAACPlayback
	}
	return nil, fmt.Errorf("codec: cannot decode unknown encoding %q; use wav, pcm, mp3, opus, flac, ulaw or alaw", string(enc))
}

// ErrAACPlayback is returned when asked to decode AAC, which Chorus can
// export (through ffmpeg) but not play.
var ErrAACPlayback = fmt.Errorf("AAC can be exported but not played; choose mp3, opus, wav or pcm")

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
	switch enc {
	case audio.WAV:
		return newWAVEncoder(w, f)
	case audio.PCM, audio.MuLaw, audio.ALaw:
		return newRawEncoder(w, enc, f), nil
	case audio.FLAC:
		return newFLACEncoder(w, f)
	case audio.MP3:
		return newMP3Encoder(w, f)
	case audio.Opus, audio.AAC:
		return newFFmpegEncoder(w, enc, f)
	}
	return nil, fmt.Errorf("codec: cannot encode unknown encoding %q; use wav, pcm, mp3, flac, opus, aac, ulaw or alaw", string(enc))
}

// EncodingFromPath guesses the encoding from a file name's extension:
// .wav .mp3 .ogg .opus .flac .aac .pcm .raw (raw PCM) .ulaw .alaw.
func EncodingFromPath(path string) (audio.Encoding, bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".wav", ".wave":
		return audio.WAV, true
	case ".mp3":
		return audio.MP3, true
	case ".ogg", ".opus", ".oga":
		return audio.Opus, true
	case ".flac":
		return audio.FLAC, true
	case ".aac":
		return audio.AAC, true
	case ".pcm", ".raw":
		return audio.PCM, true
	case ".ulaw", ".mulaw", ".ul":
		return audio.MuLaw, true
	case ".alaw", ".al":
		return audio.ALaw, true
	}
	return "", false
}

// CanDecode reports whether NewDecoder can decode enc. AAC is false: there
// is no maintained pure-Go AAC decoder.
func CanDecode(enc audio.Encoding) bool {
	switch enc {
	case audio.WAV, audio.PCM, audio.MuLaw, audio.ALaw, audio.MP3, audio.Opus, audio.FLAC:
		return true
	}
	return false
}

// CanEncode reports whether NewEncoder can encode enc right now. Opus and
// AAC are true only when ffmpeg is on PATH.
func CanEncode(enc audio.Encoding) bool {
	switch enc {
	case audio.WAV, audio.PCM, audio.MuLaw, audio.ALaw, audio.MP3, audio.FLAC:
		return true
	case audio.Opus, audio.AAC:
		_, err := exec.LookPath("ffmpeg")
		return err == nil
	}
	return false
}

// describe names an encoding for messages: "WAV", "MP3", "raw PCM".
func describe(enc audio.Encoding) string {
	switch enc {
	case audio.WAV:
		return "WAV"
	case audio.PCM:
		return "raw PCM"
	case audio.MP3:
		return "MP3"
	case audio.Opus:
		return "Ogg Opus"
	case audio.FLAC:
		return "FLAC"
	case audio.AAC:
		return "AAC"
	case audio.MuLaw:
		return "mu-law"
	case audio.ALaw:
		return "A-law"
	}
	return fmt.Sprintf("%q", string(enc))
}
