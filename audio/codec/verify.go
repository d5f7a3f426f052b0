package codec

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"chorus/audio"
)

// Verify decodes a whole stream of enc and reports how many samples per
// channel it holds. It fails when the stream does not decode to the end (a
// valid start followed by garbage, a cut) or holds no audio at all, so a
// file is only called saved when it plays. hint is the shape of headerless
// encodings. AAC without ffmpeg is checked frame by frame (CheckADTS).
func Verify(r io.Reader, enc audio.Encoding, hint audio.Format) (int64, error) {
	if enc == audio.AAC && !CanDecode(enc) {
		data, err := io.ReadAll(r)
		if err != nil {
			return 0, err
		}
		if err := CheckADTS(data); err != nil {
			return 0, fmt.Errorf("codec: %w", err)
		}
		return int64(len(data)), nil // frames are checked, not decoded: a count of bytes
	}
	if !hint.Valid() {
		hint = audio.Format{SampleRate: 24000, Channels: 1}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(64)
	if err := CheckAudio(head, enc); err != nil {
		return 0, fmt.Errorf("codec: %w", err)
	}
	src, err := NewDecoder(br, enc, hint)
	if err != nil {
		return 0, err
	}
	ch := max(src.Format().Channels, 1)
	buf := make([]float32, 8192*ch)
	var n int64
	for {
		k, err := src.Read(buf)
		n += int64(k / ch)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, fmt.Errorf("the %s data is corrupt: %w", describe(enc), err)
		}
		if k == 0 {
			return n, fmt.Errorf("the %s decoder stopped without an end", describe(enc))
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("the %s data holds no audio", describe(enc))
	}
	return n, nil
}
