package audio

import (
	"errors"
	"io"
	"testing"
)

type sliceSource struct {
	f   Format
	s   []float32
	err error
}

func (s *sliceSource) Format() Format { return s.f }

func (s *sliceSource) Read(p []float32) (int, error) {
	if len(s.s) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		return 0, io.EOF
	}
	n := copy(p, s.s)
	s.s = s.s[n:]
	return n, nil
}

func readAll(t *testing.T, src Source) ([]float32, error) {
	t.Helper()
	var out []float32
	buf := make([]float32, 3)
	for {
		n, err := src.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			if err == io.EOF {
				return out, nil
			}
			return out, err
		}
	}
}

func TestSeqJoinsSourcesInOrder(t *testing.T) {
	f := Format{SampleRate: 8000, Channels: 1}
	parts := [][]float32{{1, 2, 3, 4}, {}, {5}, {6, 7}}
	var asked []int
	seq := Seq(&sliceSource{f: f, s: parts[0]}, func(i int) (Source, error) {
		asked = append(asked, i)
		if i >= len(parts) {
			return nil, io.EOF
		}
		return &sliceSource{f: f, s: parts[i]}, nil
	})
	got, err := readAll(t, seq)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, 2, 3, 4, 5, 6, 7}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if len(asked) != 4 || asked[3] != 4 || seq.Index() != 3 {
		t.Errorf("next was asked for %v; index %d", asked, seq.Index())
	}
}

func TestSeqStopsAtTheFirstError(t *testing.T) {
	f := Format{SampleRate: 8000, Channels: 1}
	boom := errors.New("boom")
	calls := 0
	seq := Seq(&sliceSource{f: f, s: []float32{1, 2}, err: boom}, func(int) (Source, error) {
		calls++
		return &sliceSource{f: f, s: []float32{9}}, nil
	})
	got, err := readAll(t, seq)
	if !errors.Is(err, boom) || len(got) != 2 || calls != 0 {
		t.Fatalf("got %v, %v after %d calls", got, err, calls)
	}
	if _, err := seq.Read(make([]float32, 4)); !errors.Is(err, boom) {
		t.Errorf("a failed sequence read again gave %v", err)
	}
	seq = Seq(&sliceSource{f: f, s: []float32{1}}, func(int) (Source, error) { return nil, boom })
	if got, err := readAll(t, seq); !errors.Is(err, boom) || len(got) != 1 {
		t.Errorf("an error opening the next source: got %v, %v", got, err)
	}
}
