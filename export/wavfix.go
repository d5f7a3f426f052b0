package export

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
)

// FixWAVSizes rewrites the RIFF and data chunk sizes of a WAV file to match
// its length. Streamed WAV (espeak-ng, many providers) carries placeholder
// sizes such as 0 or 0xFFFFFFFF; a saved file should be exact.
func FixWAVSizes(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	head := make([]byte, 12)
	if _, err := f.ReadAt(head, 0); err != nil {
		return errors.New("not a WAV file: too short")
	}
	if string(head[0:4]) != "RIFF" || string(head[8:12]) != "WAVE" {
		return errors.New("not a WAV file")
	}
	off := int64(12)
	hdr := make([]byte, 8)
	for off+8 <= size {
		if _, err := f.ReadAt(hdr, off); err != nil && err != io.EOF {
			return err
		}
		if string(hdr[0:4]) == "data" {
			data := size - off - 8
			if data > 0xFFFFFFFF || size-8 > 0xFFFFFFFF {
				return nil // too large for RIFF sizes: leave the streaming markers
			}
			var b [4]byte
			binary.LittleEndian.PutUint32(b[:], uint32(data))
			if _, err := f.WriteAt(b[:], off+4); err != nil {
				return err
			}
			binary.LittleEndian.PutUint32(b[:], uint32(size-8))
			_, err := f.WriteAt(b[:], 4)
			return err
		}
		n := int64(binary.LittleEndian.Uint32(hdr[4:8]))
		off += 8 + n + n%2
	}
	return errors.New("WAV file has no data chunk")
}
