package codec

import (
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"

	"chorus/audio"
)

// Format is one entry of the format table: everything Chorus knows about an
// encoding in one place. Adding a format means adding one entry to formats.
type Format struct {
	// Encoding is the canonical name used on the wire and in settings.
	Encoding audio.Encoding
	// Name is how messages name the format ("Ogg Opus", "raw PCM").
	Name string
	// Names are other spellings users may type (--format ogg).
	Names []string
	// Extensions are the file extensions, with the dot, the first preferred.
	Extensions []string
	// Magic is the bytes every stream starts with, if there are any.
	Magic string
	// Headerless formats carry no rate or channel count of their own.
	Headerless bool
	// Export is false for formats offered only as provider output.
	Export bool
	// NeedsFFmpeg is true when encoding runs ffmpeg.
	NeedsFFmpeg bool
	// DecodeNeedsFFmpeg is true when decoding (playing) runs ffmpeg.
	DecodeNeedsFFmpeg bool
	// Decode returns a Source for the stream; nil when Chorus cannot decode it.
	Decode func(r io.Reader, enc audio.Encoding, hint audio.Format) (audio.Source, error)
	// Encode returns an Encoder writing the format to w.
	Encode func(w io.Writer, enc audio.Encoding, f audio.Format) (Encoder, error)
}

// Ext is the preferred file extension, with the dot.
func (f Format) Ext() string { return f.Extensions[0] }

func rawDecode(r io.Reader, enc audio.Encoding, hint audio.Format) (audio.Source, error) {
	return newRawDecoder(r, enc, hint)
}

func rawEncode(w io.Writer, enc audio.Encoding, f audio.Format) (Encoder, error) {
	return newRawEncoder(w, enc, f), nil
}

// formats is the table, in the order pickers and messages list them. It is
// filled in init because the decoders' error messages read it.
var formats []Format

func init() { formats = table() }

// table returns the format table. To add a format, add its entry here.
func table() []Format {
	return []Format{
		{Encoding: audio.WAV, Name: "WAV", Names: []string{"wave"}, Extensions: []string{".wav", ".wave"}, Magic: "RIFF", Export: true,
			Decode: func(r io.Reader, _ audio.Encoding, _ audio.Format) (audio.Source, error) { return newWAVDecoder(r) },
			Encode: func(w io.Writer, _ audio.Encoding, f audio.Format) (Encoder, error) {
				e, err := newWAVEncoder(w, f)
				if err != nil {
					return nil, err
				}
				return e, nil
			}},
		{Encoding: audio.MP3, Name: "MP3", Extensions: []string{".mp3"}, Export: true,
			Decode: func(r io.Reader, _ audio.Encoding, _ audio.Format) (audio.Source, error) { return newMP3Decoder(r) },
			Encode: func(w io.Writer, _ audio.Encoding, f audio.Format) (Encoder, error) { return newMP3Encoder(w, f) }},
		{Encoding: audio.FLAC, Name: "FLAC", Extensions: []string{".flac"}, Magic: "fLaC", Export: true,
			Decode: func(r io.Reader, _ audio.Encoding, _ audio.Format) (audio.Source, error) { return newFLACDecoder(r) },
			Encode: func(w io.Writer, _ audio.Encoding, f audio.Format) (Encoder, error) { return newFLACEncoder(w, f) }},
		{Encoding: audio.Opus, Name: "Ogg Opus", Names: []string{"ogg"}, Extensions: []string{".ogg", ".opus", ".oga"}, Magic: "OggS", Export: true, NeedsFFmpeg: true,
			Decode: func(r io.Reader, _ audio.Encoding, _ audio.Format) (audio.Source, error) { return newOpusDecoder(r) },
			Encode: newFFmpegEncoder},
		{Encoding: audio.AAC, Name: "AAC", Names: []string{"adts"}, Extensions: []string{".aac"}, Export: true, NeedsFFmpeg: true, DecodeNeedsFFmpeg: true,
			Decode: newFFmpegAACDecoder, Encode: newFFmpegEncoder},
		{Encoding: audio.PCM, Name: "raw PCM", Names: []string{"raw", "s16le"}, Extensions: []string{".pcm", ".raw"}, Headerless: true, Export: true,
			Decode: rawDecode, Encode: rawEncode},
		{Encoding: audio.MuLaw, Name: "mu-law", Names: []string{"mulaw", "pcm_mulaw"}, Extensions: []string{".ulaw", ".mulaw", ".ul"}, Headerless: true,
			Decode: rawDecode, Encode: rawEncode},
		{Encoding: audio.ALaw, Name: "A-law", Names: []string{"pcm_alaw"}, Extensions: []string{".alaw", ".al"}, Headerless: true,
			Decode: rawDecode, Encode: rawEncode},
	}
}

// Formats returns the whole table, in display order.
func Formats() []Format { return append([]Format(nil), formats...) }

// Lookup finds a format by its encoding or any of its names, ignoring case
// and a leading dot ("mp3", "ogg", ".wav").
func Lookup(name string) (Format, bool) {
	n := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(name), "."))
	for _, f := range formats {
		if string(f.Encoding) == n {
			return f, true
		}
	}
	for _, f := range formats {
		for _, alias := range f.Names {
			if alias == n {
				return f, true
			}
		}
		for _, ext := range f.Extensions {
			if ext[1:] == n {
				return f, true
			}
		}
	}
	return Format{}, false
}

// ByExtension finds the format a file name's extension names.
func ByExtension(path string) (Format, bool) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == "" {
		return Format{}, false
	}
	for _, f := range formats {
		for _, e := range f.Extensions {
			if e == ext {
				return f, true
			}
		}
	}
	return Format{}, false
}

// ExportNames lists the encodings a user can export to, in display order
// ("wav", "mp3", …), for pickers and flag help.
func ExportNames() []string {
	var out []string
	for _, f := range formats {
		if f.Export {
			out = append(out, string(f.Encoding))
		}
	}
	return out
}

// ExportList is ExportNames for a message: "wav, mp3, flac, opus, aac or pcm".
func ExportList() string { return orList(ExportNames()) }

// ExportExtensions lists the preferred extension of every export format
// (".wav", ".mp3", …).
func ExportExtensions() []string {
	var out []string
	for _, f := range formats {
		if f.Export {
			out = append(out, f.Ext())
		}
	}
	return out
}

// ExportExtensionList is ExportExtensions for a message: ".wav, .mp3 or .pcm".
func ExportExtensionList() string { return orList(ExportExtensions()) }

// AllNames lists every encoding in the table.
func AllNames() []string {
	out := make([]string, len(formats))
	for i, f := range formats {
		out[i] = string(f.Encoding)
	}
	return out
}

// orList joins names as "a, b or c".
func orList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// ffmpegPath returns ffmpeg's path, or "" when it is not installed.
func ffmpegPath() string {
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		return ""
	}
	return p
}

// Headerless reports whether enc carries no header of its own (raw PCM,
// mu-law, A-law), so its rate and channels must come from elsewhere.
func Headerless(enc audio.Encoding) bool {
	f, ok := entry(enc)
	return ok && f.Headerless
}

// HasFFmpeg reports whether ffmpeg is on PATH.
func HasFFmpeg() bool { return ffmpegPath() != "" }

// entry returns the table entry for enc.
func entry(enc audio.Encoding) (Format, bool) {
	for _, f := range formats {
		if f.Encoding == enc {
			return f, true
		}
	}
	return Format{}, false
}

// unknownEncoding is the error for an encoding not in the table.
func unknownEncoding(verb string, enc audio.Encoding) error {
	return fmt.Errorf("codec: cannot %s unknown encoding %q; use %s", verb, string(enc), orList(AllNames()))
}
