package audio

import "io"

// Seq plays sources one after the other as one Source, with nothing added
// at the joins (the shape of beep's Seq, but pulled lazily: next is asked
// for source i only once source i-1 has ended, so a source can still be
// arriving while the previous one plays).
//
// first is source 0 and fixes the format; next(i) returns source i, or
// io.EOF when there are no more. The caller converts a source whose format
// differs before returning it. Any other error from next or a source ends
// the sequence with that error.
func Seq(first Source, next func(i int) (Source, error)) *Sequence {
	return &Sequence{format: first.Format(), cur: first, next: next}
}

// Sequence is the Source Seq returns.
type Sequence struct {
	format Format
	cur    Source
	i      int
	next   func(i int) (Source, error)
	err    error
}

// Format is the format of the first source.
func (s *Sequence) Format() Format { return s.format }

// Index is the source being read (the last one once the sequence ended).
func (s *Sequence) Index() int { return s.i }

// Read implements Source.
func (s *Sequence) Read(p []float32) (int, error) {
	for {
		if s.err != nil {
			return 0, s.err
		}
		n, err := s.cur.Read(p)
		if err == nil {
			if n > 0 {
				return n, nil
			}
			continue
		}
		if err != io.EOF {
			s.err = err
			return n, err
		}
		nx, nerr := s.next(s.i + 1)
		if nerr != nil {
			s.err = nerr
		} else {
			s.cur, s.i = nx, s.i+1
		}
		if n > 0 {
			return n, nil
		}
	}
}
