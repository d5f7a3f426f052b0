package compare

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chorus/audio"
)

func TestExportAll(t *testing.T) {
	fake(t, "cmp-x", 0, 0, nil)
	entries := []Entry{
		{Provider: "cmp-x", Voice: "v1"},
		{Provider: "cmp-x", Voice: "broken"},
		{Provider: "cmp-x", Model: "m2", Voice: "a/b:c"},
		{Provider: "cmp-x", Voice: "v1", Speed: 1.5}, // same voice again: gets -2
	}
	s, err := Render(context.Background(), engine(), "Hello.", entries, opts(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, enc := range []audio.Encoding{audio.WAV, audio.FLAC} {
		d := dir
		if enc != audio.WAV {
			d = t.TempDir()
		}
		out, err := Export(s, d, enc, false)
		if err != nil {
			t.Fatalf("%s: %v", enc, err)
		}
		want := []string{"cmp-x-m1-v1" + enc.Extension(), "cmp-x-m2-a_b_c" + enc.Extension(), "cmp-x-m1-v1-2" + enc.Extension()}
		if len(out.Files) != 3 {
			t.Fatalf("%s: files %v", enc, out.Files)
		}
		for i, f := range out.Files {
			if filepath.Base(f) != want[i] {
				t.Errorf("%s: file %d is %s; want %s", enc, i, filepath.Base(f), want[i])
			}
			peaks, err := FilePeaks(f, enc, audio.Format{}, 10)
			if err != nil || len(peaks) != 10 || peaks[5] < 0.45 {
				t.Errorf("%s: %s does not decode to the tone: %v %v", enc, f, peaks, err)
			}
		}
	}
	if _, err := Export(s, dir, audio.WAV, false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("export over existing files: %v", err)
	}
	if got := Existing(s, dir, audio.WAV); len(got) != 5 {
		t.Errorf("existing %v", got)
	}
	var rep Report
	b, _ := os.ReadFile(filepath.Join(dir, ReportFile))
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Text != "Hello." || len(rep.Entries) != 4 || rep.Entries[1].Error == "" || rep.Entries[0].File == "" || rep.Entries[1].File != "" {
		t.Errorf("report %s", b)
	}
	if rep.Entries[0].AudioSeconds < 0.49 || rep.Entries[0].Bytes == 0 {
		t.Errorf("report row %+v", rep.Entries[0])
	}
	f, _ := os.Open(filepath.Join(dir, CSVFile))
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 5 || rows[0][5] != "ttfb_ms" || rows[2][14] == "" {
		t.Errorf("csv %v %v", rows, err)
	}
	// A missing folder is made, with its parents; a file is not a folder.
	nested := filepath.Join(t.TempDir(), "new", "out")
	if out, err := Export(s, nested, audio.WAV, false); err != nil || len(out.Files) != 3 {
		t.Errorf("export to a missing folder: %v, %d files", err, len(out.Files))
	}
	if _, err := Export(s, filepath.Join(dir, ReportFile), audio.WAV, false); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("export to a file: %v", err)
	}
	// No temporary files left behind.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".part") {
			t.Errorf("left %s", e.Name())
		}
	}
	if _, err := Export(s, dir, audio.WAV, true); err != nil {
		t.Errorf("export with replace: %v", err)
	}
}

// TestTallyConverges simulates a listener with fixed preferences: voice
// "a" beats "b" 80% of the time, "b" beats "c" 80%, and so on. Bradley–Terry
// must rank them a > b > c > d after enough votes, whatever the order.
func TestTallyConverges(t *testing.T) {
	strength := map[string]float64{"p:m:a": 8, "p:m:b": 4, "p:m:c": 2, "p:m:d": 1}
	keys := []string{"p:m:a", "p:m:b", "p:m:c", "p:m:d"}
	rng := rand.New(rand.NewPCG(1, 2))
	tally, _ := LoadTally("")
	type vote struct{ w, l string }
	var votes []vote
	for range 400 {
		i, j := rng.IntN(4), rng.IntN(3)
		if j >= i {
			j++
		}
		a, b := keys[i], keys[j]
		if rng.Float64() < strength[a]/(strength[a]+strength[b]) {
			votes = append(votes, vote{a, b})
		} else {
			votes = append(votes, vote{b, a})
		}
	}
	for _, v := range votes {
		tally.Record(v.w, v.l)
	}
	rank := tally.Ranking()
	for i, s := range rank {
		if s.Key != keys[i] {
			t.Fatalf("ranking %+v; want a, b, c, d", rank)
		}
	}
	if rank[0].Score < 0.65 || rank[3].Score > 0.4 || tally.Total() != 400 {
		t.Errorf("scores %+v", rank)
	}
	votesSeen := 0
	for _, s := range rank {
		votesSeen += s.Votes()
	}
	if votesSeen != 800 {
		t.Errorf("each vote counts for two voices: %d", votesSeen)
	}
	// Order does not matter.
	other, _ := LoadTally("")
	for i := len(votes) - 1; i >= 0; i-- {
		other.Record(votes[i].w, votes[i].l)
	}
	for i, s := range other.Ranking() {
		if s.Key != rank[i].Key || math.Abs(s.Score-rank[i].Score) > 1e-9 {
			t.Fatalf("reversed order changed the ranking: %+v vs %+v", s, rank[i])
		}
	}
}

func TestTallyUnbeatenStaysFinite(t *testing.T) {
	tl, _ := LoadTally("")
	for range 5 {
		tl.Record("x", "y")
	}
	r := tl.Ranking()
	if r[0].Key != "x" || r[0].Score >= 1 || r[1].Score <= 0 || r[0].Wins != 5 || r[1].Losses != 5 {
		t.Errorf("%+v", r)
	}
	if err := tl.Record("x", "x"); err == nil {
		t.Error("a vote against itself was counted")
	}
}

func TestTallyPersistenceAndReset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chorus", TallyFile)
	tl, err := LoadTally(path)
	if err != nil {
		t.Fatal(err)
	}
	tl.Record("a", "b")
	tl.Record("a", "b")
	tl.Record("b", "c")
	again, err := LoadTally(path)
	if err != nil {
		t.Fatal(err)
	}
	if again.Total() != 3 {
		t.Fatalf("reloaded %d votes", again.Total())
	}
	for i, s := range again.Ranking() {
		if s != tl.Ranking()[i] {
			t.Errorf("reloaded %+v, had %+v", s, tl.Ranking()[i])
		}
	}
	csvPath := filepath.Join(t.TempDir(), "tally.csv")
	if err := again.ExportCSV(csvPath); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(csvPath)
	if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[1], "1,a,") {
		t.Errorf("csv:\n%s", b)
	}
	if err := again.Reset(); err != nil {
		t.Fatal(err)
	}
	third, _ := LoadTally(path)
	if third.Total() != 0 || len(third.Ranking()) != 0 {
		t.Errorf("reset did not persist")
	}
	os.WriteFile(path, []byte("{not json"), 0o600)
	if _, err := LoadTally(path); err == nil || !strings.Contains(err.Error(), "reset") {
		t.Errorf("damaged file: %v", err)
	}
}

func TestBlind(t *testing.T) {
	fake(t, "cmp-b", 0, 0, nil)
	entries := []Entry{{Provider: "cmp-b", Voice: "v1"}, {Provider: "cmp-b", Voice: "v2"}, {Provider: "cmp-b", Voice: "broken"}, {Provider: "cmp-b", Model: "m2", Voice: "v1"}}
	s, err := Render(context.Background(), engine(), "Hi.", entries, opts(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBlind(s, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	tally, _ := LoadTally("")
	if _, err := b.Vote(tally, true); err == nil {
		t.Error("vote before a pair")
	}
	seen := map[[2]int]bool{}
	aFirst := 0
	for {
		p, ok := b.Next()
		if !ok {
			break
		}
		if p.A == 2 || p.B == 2 || p.A == p.B {
			t.Fatalf("pair %+v uses the failed entry or itself", p)
		}
		lo, hi := min(p.A, p.B), max(p.A, p.B)
		seen[[2]int{lo, hi}] = true
		if p.A < p.B {
			aFirst++
		}
		// The listener always prefers v2.
		aBetter := s.Results[p.A].Entry.Voice == "v2"
		rv, err := b.Vote(tally, aBetter)
		if err != nil {
			t.Fatal(err)
		}
		if rv.Winner.Index != p.A && rv.Winner.Index != p.B || rv.Winner.Index == rv.Loser.Index {
			t.Fatalf("reveal %+v for %+v", rv, p)
		}
		if _, err := b.Vote(tally, true); err == nil {
			t.Fatal("voted twice on one pair")
		}
	}
	if len(seen) != 3 || tally.Total() != 3 {
		t.Errorf("pairs %v, votes %d; want the 3 pairs of 3 voices", seen, tally.Total())
	}
	if done, total := b.Progress(); done != 3 || total != 3 {
		t.Errorf("progress %d/%d", done, total)
	}
	if r := tally.Ranking(); r[0].Key != "cmp-b::v2" {
		t.Errorf("ranking %+v", r)
	}
	one, _ := Render(context.Background(), engine(), "Hi.", entries[:1], opts(t))
	if _, err := NewBlind(one, nil); err == nil {
		t.Error("blind test with one voice")
	}
}

func TestListsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chorus", ListsFile)
	l, err := LoadLists(path)
	if err != nil {
		t.Fatal(err)
	}
	a := Entry{Provider: "openai", Model: "tts-1", Voice: "alloy"}
	b := Entry{Provider: "local", Voice: "en-us", Speed: 1.2}
	if err := l.SetFavourite(a, true); err != nil {
		t.Fatal(err)
	}
	l.SetFavourite(b, true)
	l.SetFavourite(b, true) // twice is once
	l.SetShortlist([]Entry{b, a})
	again, err := LoadLists(path)
	if err != nil {
		t.Fatal(err)
	}
	if f := again.Favourites(); len(f) != 2 || !again.IsFavourite(a) || !again.IsFavourite(Entry{Provider: "local", Voice: "en-us"}) {
		t.Errorf("favourites %+v", f)
	}
	if sl := again.Shortlist(); len(sl) != 2 || sl[0].Speed != 1.2 || sl[1].Key() != a.Key() {
		t.Errorf("shortlist %+v", sl)
	}
	again.SetFavourite(a, false)
	third, _ := LoadLists(path)
	if third.IsFavourite(a) || len(third.Favourites()) != 1 {
		t.Errorf("unstar did not persist")
	}
}
