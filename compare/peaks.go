package compare

import (
	"fmt"
	"io"
	"os"

	"chorus/audio"
	"chorus/audio/codec"
)

// FilePeaks decodes an audio file and returns its peak envelope in n points.
// hint gives the rate and channels of headerless encodings.
func FilePeaks(path string, enc audio.Encoding, hint audio.Format, n int) ([]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if hint.SampleRate == 0 {
		hint = audio.Format{SampleRate: 24000, Channels: 1}
	}
	src, err := codec.NewDecoder(f, enc, hint)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return Peaks(src, n)
}

// Peaks reads src to its end and returns its peak envelope: the highest
// absolute sample (over all channels) in each of n equal slices of the
// audio. It keeps one value per 10 ms while reading, so memory stays small
// for long audio. Short audio gives fewer than n points when it has fewer
// than n 10 ms blocks.
func Peaks(src audio.Source, n int) ([]float32, error) {
	f := src.Format()
	ch := max(f.Channels, 1)
	block := max(f.SampleRate/100, 1) * ch // samples per 10 ms
	var blocks []float32
	var cur float32
	inBlock := 0
	buf := make([]float32, 4096*ch)
	for {
		k, err := src.Read(buf)
		for _, v := range buf[:k] {
			if v < 0 {
				v = -v
			}
			cur = max(cur, v)
			inBlock++
			if inBlock == block {
				blocks = append(blocks, min(cur, 1))
				cur, inBlock = 0, 0
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if inBlock > 0 {
		blocks = append(blocks, min(cur, 1))
	}
	return downsample(blocks, n), nil
}

// downsample keeps the maximum of each of n equal ranges of v.
func downsample(v []float32, n int) []float32 {
	if n <= 0 || len(v) <= n {
		return v
	}
	out := make([]float32, n)
	for i := range n {
		lo, hi := i*len(v)/n, (i+1)*len(v)/n
		for _, x := range v[lo:max(hi, lo+1)] {
			out[i] = max(out[i], x)
		}
	}
	return out
}
