package comparetab

import "testing"

func TestVotesInWords(t *testing.T) {
	for n, want := range map[int]string{0: "0 votes", 1: "1 vote", 2: "2 votes"} {
		if got := Votes(n); got != want {
			t.Errorf("Votes(%d) = %q, want %q", n, got, want)
		}
	}
}
