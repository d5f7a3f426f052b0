package resample

import (
	"fmt"
	"io"

	"chorus/audio"
)

// Channels returns a Source that delivers src with n channels. It returns
// src unchanged when the counts already match. Downmixing to mono averages
// all channels; upmixing from mono copies the one channel to every output.
// Between other counts, output channel i takes input channel i, wrapping
// around when there are fewer inputs (so stereo to 4 channels gives L R L R)
// and dropping the extra inputs when there are more.
func Channels(src audio.Source, n int) audio.Source {
	in := src.Format()
	if in.Channels == n {
		return src
	}
	if n <= 0 || in.Channels <= 0 {
		return &errSource{f: audio.Format{SampleRate: in.SampleRate, Channels: max(n, 1)},
			err: fmt.Errorf("resample: cannot convert %d channels to %d", in.Channels, n)}
	}
	return &channelMixer{src: src, in: in.Channels, out: audio.Format{SampleRate: in.SampleRate, Channels: n}}
}

// channelMixer converts the channel count frame by frame.
type channelMixer struct {
	src audio.Source
	in  int
	out audio.Format
	tmp []float32
}

// Format returns the output format.
func (c *channelMixer) Format() audio.Format { return c.out }

// Read converts as many frames as one Read of src delivers.
func (c *channelMixer) Read(p []float32) (int, error) {
	frames := len(p) / c.out.Channels
	if frames == 0 {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.ErrShortBuffer
	}
	if cap(c.tmp) < frames*c.in {
		c.tmp = make([]float32, frames*c.in)
	}
	n, err := c.src.Read(c.tmp[:frames*c.in])
	got := n / c.in
	in, out := c.in, c.out.Channels
	src := c.tmp[:got*in]
	switch {
	case out == 1:
		scale := 1 / float32(in)
		for f := range got {
			var sum float32
			for _, v := range src[f*in : (f+1)*in] {
				sum += v
			}
			p[f] = sum * scale
		}
	case in == 1:
		for f := range got {
			v := src[f]
			for i := range out {
				p[f*out+i] = v
			}
		}
	default:
		for f := range got {
			for i := range out {
				p[f*out+i] = src[f*in+i%in]
			}
		}
	}
	return got * out, err
}
