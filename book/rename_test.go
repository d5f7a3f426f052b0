package book

import "testing"

// Names are renamed all at once (two can swap) and only on voice lines.
func TestRenameVoicesSwapsAndKeepsTheRest(t *testing.T) {
	in := "[voice: A]\nA said hi to b.\n  [Voice: b ]\nB answered.\n[voice: c]\nC."
	got := RenameVoices(in, map[string]string{"a": "b", "b": "a"})
	want := "[voice: b]\nA said hi to b.\n[voice: a]\nB answered.\n[voice: c]\nC."
	if got != want {
		t.Errorf("RenameVoices:\n%s\nwant:\n%s", got, want)
	}
	if RenameVoices(in, nil) != in {
		t.Error("no renames changed the text")
	}
}
