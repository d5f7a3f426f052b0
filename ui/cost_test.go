package ui

import (
	"testing"

	"chorus/core"
)

// The finished run's status tells what it cost when it is known.
func TestCostNote(t *testing.T) {
	cases := []struct {
		st   core.Stats
		want string
	}{
		{core.Stats{}, ""},
		{core.Stats{CostKnown: true}, ""}, // a free local voice says nothing
		{core.Stats{BilledChars: 500}, " Cost: 500 characters billed."},
		{core.Stats{BilledChars: 500, CostKnown: true, CostUSD: 0.005}, " Cost: 500 characters billed, about $0.0050."},
		{core.Stats{CostKnown: true, CostUSD: 0.0123}, " Cost: about $0.0123."},
	}
	for _, c := range cases {
		if got := costNote(c.st); got != c.want {
			t.Errorf("costNote(%+v) = %q, want %q", c.st, got, c.want)
		}
	}
}
