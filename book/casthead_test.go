package book

import "testing"

func TestWithCastRewritesTheHeaderAndParsesBack(t *testing.T) {
	in := "[cast: narrator = a/m1/v1]\n[say: X = ex]\n[cast: old = b]\n[voice: narrator]\nHello."
	got := WithCast(in, Cast{"narrator": {Provider: "b", Voice: "v9"}, "hero": {Provider: "a", Model: "m2"}})
	want := "[cast: hero = a/m2]\n[cast: narrator = b//v9]\n[say: X = ex]\n[voice: narrator]\nHello."
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	s, err := ParseScript(got)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Check(nil)
	if err != nil || c["narrator"] != (Voice{Provider: "b", Voice: "v9"}) || c["hero"] != (Voice{Provider: "a", Model: "m2"}) {
		t.Fatalf("parsed back %+v %v", c, err)
	}
	if got := WithCast("Plain.", Cast{"n": {Provider: "a"}}); got != "[cast: n = a]\nPlain." {
		t.Fatalf("no header: %q", got)
	}
}

func TestVoiceNamesInOrderOfFirstUse(t *testing.T) {
	got := VoiceNames("[cast: n = a]\n[voice: Narrator ]\nHi.\n[voice: hero]\nYo.\n  [VOICE: narrator]\nBye.\n[voice of reason]")
	if len(got) != 2 || got[0] != "narrator" || got[1] != "hero" {
		t.Fatalf("names %q", got)
	}
}
