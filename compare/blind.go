package compare

import (
	"errors"
	"math/rand/v2"
)

// Pair is one blind round: two rendered results, by index into the
// session's Results, shown to the user only as "A" and "B".
type Pair struct{ A, B int }

// Blind is a blind A/B test over a session's rendered entries: every pair
// of voices once, in shuffled order, each with a random A/B side, so
// neither names nor positions give a voice away. Votes go to a Tally.
type Blind struct {
	s     *Session
	pairs []Pair
	next  int
	cur   *Pair
}

// NewBlind starts a blind test over the rendered entries of s. It needs at
// least two voices that rendered (and are different voices). rng shuffles;
// nil uses a random seed.
func NewBlind(s *Session, rng *rand.Rand) (*Blind, error) {
	if rng == nil {
		rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	var ok []int
	for _, r := range s.Results {
		if r.OK() {
			ok = append(ok, r.Index)
		}
	}
	b := &Blind{s: s}
	for i := range ok {
		for j := i + 1; j < len(ok); j++ {
			if s.Results[ok[i]].Entry.Key() == s.Results[ok[j]].Entry.Key() {
				continue
			}
			p := Pair{ok[i], ok[j]}
			if rng.IntN(2) == 1 {
				p.A, p.B = p.B, p.A
			}
			b.pairs = append(b.pairs, p)
		}
	}
	if len(b.pairs) == 0 {
		return nil, errors.New("a blind test needs at least two different voices that rendered; add voices and render again")
	}
	rng.Shuffle(len(b.pairs), func(i, j int) { b.pairs[i], b.pairs[j] = b.pairs[j], b.pairs[i] })
	return b, nil
}

// Next returns the next pair to judge, or false when every pair has had a
// vote.
func (b *Blind) Next() (Pair, bool) {
	if b.next >= len(b.pairs) {
		b.cur = nil
		return Pair{}, false
	}
	p := b.pairs[b.next]
	b.next++
	b.cur = &p
	return p, true
}

// Progress is how many pairs have been shown and how many there are.
func (b *Blind) Progress() (done, total int) { return b.next, len(b.pairs) }

// Reveal names the two voices of a judged pair.
type Reveal struct {
	Winner, Loser Result
}

// Vote records the user's choice for the current pair (aBetter: A won) in
// t and reveals the voices. It fails when there is no current pair or it
// was already judged.
func (b *Blind) Vote(t *Tally, aBetter bool) (Reveal, error) {
	if b.cur == nil {
		return Reveal{}, errors.New("no pair to vote on; press Next pair")
	}
	p := *b.cur
	b.cur = nil
	w, l := b.s.Results[p.A], b.s.Results[p.B]
	if !aBetter {
		w, l = l, w
	}
	return Reveal{Winner: w, Loser: l}, t.Record(w.Entry.Key(), l.Entry.Key())
}
