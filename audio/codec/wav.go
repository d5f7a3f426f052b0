package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"chorus/audio"
)

// WAV format tags understood by the decoder.
const (
	wavTagPCM        = 0x0001
	wavTagFloat      = 0x0003
	wavTagALaw       = 0x0006
	wavTagMuLaw      = 0x0007
	wavTagExtensible = 0xFFFE
)

// maxSkippedChunk bounds a non-audio chunk before "data" (LIST, fact, JUNK):
// a larger one is treated as corruption rather than read and thrown away.
const maxSkippedChunk = 8 << 20

// newWAVDecoder parses a RIFF/WAVE (or RF64) header up to the start of the
// "data" chunk and returns a Source over the samples. Sizes of 0 or
// 0xFFFFFFFF, as streaming servers write them, mean "until the end".
func newWAVDecoder(r io.Reader) (audio.Source, error) {
	var head [12]byte
	if n, err := io.ReadFull(r, head[:]); err != nil {
		return nil, badStart(r, head[:n], audio.WAV, err)
	}
	id := string(head[0:4])
	if (id != "RIFF" && id != "RF64") || string(head[8:12]) != "WAVE" {
		return nil, badStart(r, head[:], audio.WAV, nil)
	}
	rf64 := id == "RF64"
	var (
		f        audio.Format
		kind     sampleKind
		haveFmt  bool
		dataSize int64 = -1 // from ds64, for RF64
		offset         = 12
	)
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return nil, wavHeaderCut(offset, "chunk header", err)
		}
		offset += 8
		cid := string(ch[0:4])
		size := int64(binary.LittleEndian.Uint32(ch[4:8]))
		switch cid {
		case "fmt ":
			if size < 16 || size > 1024 {
				return nil, fmt.Errorf("codec: the WAV header is corrupt: its fmt chunk is %d bytes (expected 16–40)", size)
			}
			body := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, body); err != nil {
				return nil, wavHeaderCut(offset, "fmt chunk", err)
			}
			offset += len(body)
			var err error
			if f, kind, err = parseWAVFmt(body[:size]); err != nil {
				return nil, err
			}
			haveFmt = true
		case "ds64":
			if size < 24 || size > 1024 {
				return nil, fmt.Errorf("codec: the RF64 header is corrupt: its ds64 chunk is %d bytes", size)
			}
			body := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, body); err != nil {
				return nil, wavHeaderCut(offset, "ds64 chunk", err)
			}
			offset += len(body)
			if ds := binary.LittleEndian.Uint64(body[8:16]); ds < 1<<62 {
				dataSize = int64(ds)
			}
		case "data":
			if !haveFmt {
				return nil, errors.New("codec: the WAV header is corrupt: audio data starts before the fmt chunk that describes it")
			}
			switch {
			case rf64 && size == 0xFFFFFFFF:
				size = dataSize
			case isStreamingSize(size):
				size = -1
			}
			return newPCMSource(r, f, kind, "WAV", size), nil
		default:
			if size > maxSkippedChunk {
				return nil, fmt.Errorf("codec: the WAV header is corrupt: a %q chunk of %d bytes comes before the audio data", cid, size)
			}
			skip := size + size%2 // chunks are padded to even sizes
			if n, err := io.CopyN(io.Discard, r, skip); err != nil {
				return nil, wavHeaderCut(offset+int(n), fmt.Sprintf("%q chunk", cid), err)
			}
			offset += int(skip)
		}
	}
}

// isStreamingSize reports whether a data chunk size is a placeholder written
// by a server that did not know the length: 0, 0xFFFFFFFF, or close to 2^31.
func isStreamingSize(size int64) bool {
	return size == 0 || size == 0xFFFFFFFF || (size >= 0x7FFFF000 && size <= 0x80000000)
}

// wavHeaderCut explains an error while reading the header.
func wavHeaderCut(offset int, what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("codec: the WAV header was cut off after %s, in the %s, before any audio data: the response is truncated", plural(offset, "byte"), what)
	}
	return fmt.Errorf("codec: reading the WAV header failed after %s: %w", plural(offset, "byte"), err)
}

// parseWAVFmt reads a fmt chunk body.
func parseWAVFmt(b []byte) (audio.Format, sampleKind, error) {
	tag := binary.LittleEndian.Uint16(b[0:2])
	f := audio.Format{
		Channels:   int(binary.LittleEndian.Uint16(b[2:4])),
		SampleRate: int(binary.LittleEndian.Uint32(b[4:8])),
	}
	blockAlign := int(binary.LittleEndian.Uint16(b[12:14]))
	bits := int(binary.LittleEndian.Uint16(b[14:16]))
	if tag == wavTagExtensible {
		if len(b) < 40 {
			return f, 0, fmt.Errorf("codec: the WAV header is corrupt: WAVE_FORMAT_EXTENSIBLE fmt chunk is %d bytes, need 40", len(b))
		}
		tag = binary.LittleEndian.Uint16(b[24:26]) // first two bytes of the sub-format GUID
	}
	if !f.Valid() {
		return f, 0, fmt.Errorf("codec: the WAV header announces %d Hz with %d channels, which Chorus cannot play (1000–384000 Hz, 1–8 channels)", f.SampleRate, f.Channels)
	}
	// The container size per sample: blockAlign/channels when it is sane,
	// else derived from the bit depth.
	container := (bits + 7) / 8
	if blockAlign > 0 && blockAlign%f.Channels == 0 && blockAlign/f.Channels >= container {
		container = blockAlign / f.Channels
	}
	var kind sampleKind
	switch tag {
	case wavTagPCM:
		switch container {
		case 1:
			kind = kindU8
		case 2:
			kind = kindS16
		case 3:
			kind = kindS24
		case 4:
			kind = kindS32
		default:
			return f, 0, fmt.Errorf("codec: WAV with %d-bit integer samples is not supported (8, 16, 24 and 32 are)", bits)
		}
	case wavTagFloat:
		switch container {
		case 4:
			kind = kindF32
		case 8:
			kind = kindF64
		default:
			return f, 0, fmt.Errorf("codec: WAV with %d-bit float samples is not supported (32 and 64 are)", bits)
		}
	case wavTagMuLaw, wavTagALaw:
		if container != 1 {
			return f, 0, fmt.Errorf("codec: the WAV header is corrupt: G.711 samples must be 8-bit, not %d", bits)
		}
		kind = kindMuLaw
		if tag == wavTagALaw {
			kind = kindALaw
		}
	default:
		return f, 0, fmt.Errorf("codec: WAV format tag 0x%04X (compressed) is not supported; ask for PCM WAV, or mp3/opus/pcm", tag)
	}
	return f, kind, nil
}
