package compare

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"

	"chorus/export"
)

// TallyFile and ListsFile are the file names under the config folder.
const (
	TallyFile = "compare-tally.json"
	ListsFile = "compare-lists.json"
)

// DefaultDir is where the tally, favourites and shortlist live:
// os.UserConfigDir()/chorus.
func DefaultDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the config folder (%w); set $HOME or $XDG_CONFIG_HOME", err)
	}
	return filepath.Join(dir, "chorus"), nil
}

// Tally ranks voices from blind A/B votes with the Bradley–Terry model.
//
// Why Bradley–Terry and not Elo: Elo updates ratings vote by vote, so the
// result depends on the order of the votes and on a step size (K) that
// must be tuned; with the few dozen votes one person casts, that noise is
// large. Bradley–Terry gives each voice a strength p so that A beats B
// with probability p_A/(p_A+p_B), and fits all strengths to all the votes
// at once (maximum likelihood, by Hunter's MM iteration). The same votes
// always give the same ranking, whatever their order. To keep a voice that
// has never lost (or never won) finite, every voice also gets half a win
// and half a loss against a virtual average voice of strength 1; Score is
// then the estimated chance to beat that average voice.
//
// Only the win counts per ordered pair are stored, so the file stays small.
type Tally struct {
	path string

	mu   sync.Mutex
	wins map[[2]string]int // [winner, loser] -> count
}

// tallyJSON is the file format.
type tallyJSON struct {
	Version int        `json:"version"`
	Votes   []voteJSON `json:"votes"`
}

type voteJSON struct {
	Winner string `json:"winner"`
	Loser  string `json:"loser"`
	Count  int    `json:"count"`
}

// Standing is one voice's place in the ranking.
type Standing struct {
	Key    string  // PROVIDER:MODEL:VOICE
	Score  float64 // chance to beat an average voice, 0–1
	Wins   int
	Losses int
}

// Votes is the number of votes the voice took part in.
func (s Standing) Votes() int { return s.Wins + s.Losses }

// LoadTally reads the tally at path; a missing file is an empty tally. An
// empty path keeps the tally in memory only.
func LoadTally(path string) (*Tally, error) {
	t := &Tally{path: path, wins: map[[2]string]int{}}
	if path == "" {
		return t, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return t, fmt.Errorf("cannot read the voice tally %s: %w", path, err)
	}
	var f tallyJSON
	if err := json.Unmarshal(b, &f); err != nil {
		return t, fmt.Errorf("the voice tally %s is damaged (%v); reset it or delete the file", path, err)
	}
	for _, v := range f.Votes {
		if v.Count > 0 && v.Winner != "" && v.Loser != "" && v.Winner != v.Loser {
			t.wins[[2]string{v.Winner, v.Loser}] += v.Count
		}
	}
	return t, nil
}

// Record adds a vote (winner beat loser) and saves the tally.
func (t *Tally) Record(winner, loser string) error {
	if winner == "" || loser == "" || winner == loser {
		return errors.New("a vote needs two different voices")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.wins[[2]string{winner, loser}]++
	return t.save()
}

// Reset forgets every vote and saves the empty tally.
func (t *Tally) Reset() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.wins = map[[2]string]int{}
	return t.save()
}

// Total is the number of votes cast.
func (t *Tally) Total() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, c := range t.wins {
		n += c
	}
	return n
}

func (t *Tally) save() error {
	if t.path == "" {
		return nil
	}
	f := tallyJSON{Version: 1, Votes: []voteJSON{}}
	for k, c := range t.wins {
		f.Votes = append(f.Votes, voteJSON{Winner: k[0], Loser: k[1], Count: c})
	}
	sort.Slice(f.Votes, func(i, j int) bool {
		if f.Votes[i].Winner != f.Votes[j].Winner {
			return f.Votes[i].Winner < f.Votes[j].Winner
		}
		return f.Votes[i].Loser < f.Votes[j].Loser
	})
	b, _ := json.MarshalIndent(f, "", "  ")
	if err := os.MkdirAll(filepath.Dir(t.path), 0o700); err != nil {
		return fmt.Errorf("cannot save the voice tally: %w; check that %s is writable", err, filepath.Dir(t.path))
	}
	if err := export.WriteFile(t.path, b, true); err != nil {
		return fmt.Errorf("cannot save the voice tally: %w", err)
	}
	return nil
}

// Ranking fits the Bradley–Terry strengths and returns every voice that has
// votes, best first (ties by more votes, then by key).
func (t *Tally) Ranking() []Standing {
	t.mu.Lock()
	defer t.mu.Unlock()
	idx := map[string]int{}
	var keys []string
	for k := range t.wins {
		for _, v := range k {
			if _, ok := idx[v]; !ok {
				idx[v] = len(keys)
				keys = append(keys, v)
			}
		}
	}
	n := len(keys)
	wins := make([]float64, n)
	games := make([][]float64, n) // games[i][j]: votes between i and j
	out := make([]Standing, n)
	for i := range n {
		games[i] = make([]float64, n)
		out[i].Key = keys[i]
	}
	for k, c := range t.wins {
		w, l := idx[k[0]], idx[k[1]]
		wins[w] += float64(c)
		games[w][l] += float64(c)
		games[l][w] += float64(c)
		out[w].Wins += c
		out[l].Losses += c
	}
	const prior = 0.5 // virtual wins and losses against a strength-1 voice
	p := make([]float64, n)
	for i := range p {
		p[i] = 1
	}
	next := make([]float64, n)
	for range 10000 {
		change := 0.0
		for i := range n {
			den := 2 * prior / (p[i] + 1)
			for j := range n {
				if games[i][j] > 0 {
					den += games[i][j] / (p[i] + p[j])
				}
			}
			next[i] = (wins[i] + prior) / den
			change = max(change, math.Abs(math.Log(next[i]/p[i])))
		}
		copy(p, next)
		if change < 1e-10 {
			break
		}
	}
	for i := range out {
		out[i].Score = p[i] / (p[i] + 1)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.Votes() != b.Votes() {
			return a.Votes() > b.Votes()
		}
		return a.Key < b.Key
	})
	return out
}

// CSV is the ranking as CSV: rank, voice, score, wins, losses, votes.
func (t *Tally) CSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"rank", "voice", "score", "wins", "losses", "votes"})
	for i, s := range t.Ranking() {
		w.Write([]string{strconv.Itoa(i + 1), s.Key, strconv.FormatFloat(s.Score, 'f', 4, 64),
			strconv.Itoa(s.Wins), strconv.Itoa(s.Losses), strconv.Itoa(s.Votes())})
	}
	w.Flush()
	return b.Bytes()
}

// ExportCSV writes the ranking to path atomically, replacing it.
func (t *Tally) ExportCSV(path string) error {
	return export.WriteFile(path, t.CSV(), true)
}
