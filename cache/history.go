package cache

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Clip is one past synthesis in the history: what was said, how, and the
// chunks its audio is made of (in the cache, in order).
type Clip struct {
	ID        uint64            `json:"id"`
	Text      string            `json:"text"`
	Provider  string            `json:"provider"`
	BaseURL   string            `json:"base_url,omitempty"`
	Model     string            `json:"model,omitempty"`
	Voice     string            `json:"voice,omitempty"`
	Format    string            `json:"format,omitempty"`
	Speed     float64           `json:"speed,omitempty"`
	Language  string            `json:"language,omitempty"`
	Options   map[string]string `json:"options,omitempty"`
	Created   time.Time         `json:"created"`
	Duration  time.Duration     `json:"duration"`
	Chunks    []Key             `json:"chunks"`
	Out       string            `json:"out,omitempty"` // the file it was exported to, if any
	CacheHits int               `json:"cache_hits,omitempty"`
	// SynthTime is how long the requests sent for the clip took, added up
	// one by one (each from sending to its last byte), and SynthChars the
	// characters they carried: the provider's measured speed, for time
	// estimates. Zero when every chunk came from the cache.
	SynthTime  time.Duration `json:"synth_time,omitempty"`
	SynthChars int           `json:"synth_chars,omitempty"`
}

// Title is the text's first line, shortened to n characters.
func (c Clip) Title(n int) string {
	t := strings.Join(strings.Fields(c.Text), " ")
	if r := []rune(t); len(r) > n {
		t = string(r[:max(n-1, 1)]) + "…"
	}
	return t
}

// ErrNoClip is returned for an unknown history ID.
var ErrNoClip = fmt.Errorf("no such clip in the history; list them with `chorus history list`")

func idKey(id uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, id)
	return b
}

// AddClip records a clip and returns its ID. Repeating the same text with
// the same settings moves the old entry to the top instead of adding one.
func (s *Store) AddClip(c Clip) (uint64, error) {
	if c.Created.IsZero() {
		c.Created = s.now()
	}
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHistory)
		var dup [][]byte
		_ = b.ForEach(func(k, v []byte) error {
			var old Clip
			if json.Unmarshal(v, &old) == nil && sameClip(old, c) {
				dup = append(dup, bytes.Clone(k))
			}
			return nil
		})
		for _, k := range dup {
			var old Clip
			if c.SynthChars == 0 && json.Unmarshal(b.Get(k), &old) == nil {
				// Replayed from the cache: keep the speed measured before.
				c.SynthTime, c.SynthChars = old.SynthTime, old.SynthChars
			}
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		c.ID = id
		v, err := json.Marshal(c)
		if err != nil {
			return err
		}
		return b.Put(idKey(id), v)
	})
	return c.ID, err
}

func sameClip(a, b Clip) bool {
	if len(a.Chunks) != len(b.Chunks) || a.Out != b.Out {
		return false
	}
	for i := range a.Chunks {
		if a.Chunks[i] != b.Chunks[i] {
			return false
		}
	}
	return true
}

// Clips lists the history, newest first.
func (s *Store) Clips() ([]Clip, error) {
	var out []Clip
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketHistory).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var clip Clip
			if json.Unmarshal(v, &clip) == nil {
				out = append(out, clip)
			}
		}
		return nil
	})
	return out, err
}

// Clip returns one history entry.
func (s *Store) Clip(id uint64) (Clip, error) {
	var clip Clip
	found := false
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketHistory).Get(idKey(id))
		if v != nil {
			found = json.Unmarshal(v, &clip) == nil
		}
		return nil
	})
	if err == nil && !found {
		err = fmt.Errorf("clip %d: %w", id, ErrNoClip)
	}
	return clip, err
}

// DeleteClip removes a clip from the history. Its audio stays cached until
// it is evicted, so speaking the same text again is still free.
func (s *Store) DeleteClip(id uint64) error {
	if _, err := s.Clip(id); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketHistory).Delete(idKey(id)) })
}

// ClearHistory removes every clip from the history.
func (s *Store) ClearHistory() error {
	return s.update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketHistory); err != nil {
			return err
		}
		_, err := tx.CreateBucket(bucketHistory)
		return err
	})
}

// Playable reports whether all of a clip's chunks are still cached.
func (s *Store) Playable(c Clip) bool {
	if len(c.Chunks) == 0 {
		return false
	}
	ok := true
	_ = s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketChunks)
		for _, k := range c.Chunks {
			if b.Get([]byte(k)) == nil {
				ok = false
			}
		}
		return nil
	})
	return ok
}
