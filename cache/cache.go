// Package cache keeps every synthesized chunk on disk so that replaying or
// re-exporting unchanged text sends no request (and costs nothing), and
// keeps the history of past clips.
//
// Audio is stored as the provider sent it (encoded bytes, their encoding
// and PCM format hint) in one file per chunk, named by the chunk's key. The
// index is a bbolt database. A chunk is written in two steps: the audio
// file atomically (temporary file, sync, rename), then its index entry in a
// transaction. A crash between the two leaves only an orphan file, which
// Check removes; an index entry always points at a complete file, and Get
// verifies size and checksum before trusting it.
//
// The database is opened for each operation and closed after it, so the
// window and the command line can share one cache: bbolt locks the file,
// and a second process waits for at most a few seconds.
package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"chorus/audio"
	"chorus/export"
	"chorus/providers"
)

// DefaultMaxBytes is the default size limit of the audio kept: 1 GiB.
const DefaultMaxBytes = 1 << 30

var (
	bucketChunks  = []byte("chunks")
	bucketHistory = []byte("history")
	bucketMeta    = []byte("meta")
	keyTotal      = []byte("total")
)

// Store is a cache folder. Its methods are safe for concurrent use.
type Store struct {
	dir      string
	maxBytes int64
	mu       *sync.Mutex
	now      func() time.Time

	// afterFile, when set (tests), runs between writing an audio file and
	// indexing it; an error simulates a crash at that point.
	afterFile func() error
}

// locks serializes access to one database within this process (bbolt's
// file lock would otherwise make a second opener wait).
var (
	locksMu sync.Mutex
	locks   = map[string]*sync.Mutex{}
)

// Open returns the cache in dir, creating the folder. maxBytes limits the
// audio kept (least recently used chunks go first); 0 means DefaultMaxBytes.
func Open(dir string, maxBytes int64) (*Store, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if err := os.MkdirAll(filepath.Join(dir, "audio"), 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the cache folder %s: %w; check its permissions or run with --no-cache", dir, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	locksMu.Lock()
	mu := locks[abs]
	if mu == nil {
		mu = &sync.Mutex{}
		locks[abs] = mu
	}
	locksMu.Unlock()
	s := &Store{dir: abs, maxBytes: maxBytes, mu: mu, now: time.Now}
	err = s.update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketChunks, bucketHistory, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// DefaultDir is os.UserCacheDir()/chorus.
func DefaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder: %w; set XDG_CACHE_HOME or HOME", err)
	}
	return filepath.Join(d, "chorus"), nil
}

// OpenDefault opens the cache in DefaultDir with the default size limit,
// after removing what an interrupted run left behind.
func OpenDefault() (*Store, error) {
	dir, err := DefaultDir()
	if err != nil {
		return nil, err
	}
	s, err := Open(dir, 0)
	if err != nil {
		return nil, err
	}
	_ = s.Check()
	return s, nil
}

// Dir is the cache folder.
func (s *Store) Dir() string { return s.dir }

// MaxBytes is the size limit.
func (s *Store) MaxBytes() int64 { return s.maxBytes }

func (s *Store) db() (*bolt.DB, error) {
	db, err := s.openIndex()
	if err != nil {
		return nil, fmt.Errorf("cannot open the cache index in %s: %w; another Chorus may be holding it (try again), or run with --no-cache", s.dir, err)
	}
	return db, nil
}

func (s *Store) update(fn func(*bolt.Tx) error) error {
	return s.withDB(func(db *bolt.DB) error { return db.Update(fn) })
}

func (s *Store) view(fn func(*bolt.Tx) error) error {
	return s.withDB(func(db *bolt.DB) error { return db.View(fn) })
}

// withDB opens the index, runs use on it and closes it again, holding
// s.mu throughout.
func (s *Store) withDB(use func(*bolt.DB) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	db, err := s.db()
	if err != nil {
		return err
	}
	defer db.Close()
	return use(db)
}

// Key identifies one chunk's audio.
type Key string

// KeyFor computes the key of a request: every field that changes the audio
// (provider, base URL, model, voice, format, sample rate, speed, options,
// instructions, language, text, and the recording and transcript of a
// voice to clone). Transport and batch mode do not.
func KeyFor(provider, baseURL string, req providers.Request) Key {
	opts := make([]string, 0, len(req.Options))
	for k, v := range req.Options {
		opts = append(opts, k+"="+v)
	}
	slices.Sort(opts)
	fields := []any{"v1", provider, baseURL, req.Model, req.Voice, req.Format, req.SampleRate,
		strconv.FormatFloat(req.Speed, 'g', -1, 64), opts, req.Instructions, req.Language, req.Text}
	if r := req.Reference; r != nil {
		// Only with a reference, so every other key stays as it was.
		digest := sha256.Sum256(r.Audio)
		fields = append(fields, "reference", hex.EncodeToString(digest[:]), r.Transcript)
	}
	b, _ := json.Marshal(fields)
	sum := sha256.Sum256(b)
	return Key(hex.EncodeToString(sum[:]))
}

// Entry describes one cached chunk.
type Entry struct {
	Key      Key                      `json:"-"`
	Encoding audio.Encoding           `json:"encoding"`
	Format   audio.Format             `json:"format"` // hint for headerless encodings
	Size     int64                    `json:"size"`
	Sum      string                   `json:"sha256"`
	Words    []providers.WordBoundary `json:"words,omitempty"`
	Seconds  float64                  `json:"seconds,omitempty"` // decoded length, when known
	Created  time.Time                `json:"created"`
	Used     time.Time                `json:"used"`
}

func (s *Store) path(k Key) string { return filepath.Join(s.dir, "audio", string(k)+".bin") }

func validKey(k Key) bool {
	if len(k) != 64 {
		return false
	}
	_, err := hex.DecodeString(string(k))
	return err == nil
}

// Get returns a chunk's audio and marks it used. ok is false on a miss,
// including an entry whose file is missing or damaged (it is then dropped).
func (s *Store) Get(k Key) (data []byte, e Entry, ok bool, err error) {
	if !validKey(k) {
		return nil, e, false, nil
	}
	var raw []byte
	err = s.view(func(tx *bolt.Tx) error {
		raw = bytes.Clone(tx.Bucket(bucketChunks).Get([]byte(k)))
		return nil
	})
	if err != nil || raw == nil {
		return nil, e, false, err
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		_ = s.Delete(k)
		return nil, e, false, nil
	}
	e.Key = k
	data, rerr := os.ReadFile(s.path(k))
	sum := sha256.Sum256(data)
	if rerr != nil || int64(len(data)) != e.Size || hex.EncodeToString(sum[:]) != e.Sum {
		_ = s.Delete(k)
		return nil, e, false, nil
	}
	e.Used = s.now()
	_ = s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketChunks)
		if b.Get([]byte(k)) == nil {
			return nil
		}
		v, _ := json.Marshal(e)
		return b.Put([]byte(k), v)
	})
	return data, e, true, nil
}

// Has reports whether a chunk is indexed (without reading or touching it).
func (s *Store) Has(k Key) bool {
	found := false
	_ = s.view(func(tx *bolt.Tx) error {
		found = tx.Bucket(bucketChunks).Get([]byte(k)) != nil
		return nil
	})
	return found
}

// Put stores a chunk's audio: the file first (atomically), then the index
// entry, then evicts the least recently used chunks beyond the size limit.
func (s *Store) Put(k Key, data []byte, e Entry) error {
	if !validKey(k) {
		return fmt.Errorf("cache: bad key %q", k)
	}
	if int64(len(data)) > s.maxBytes {
		return nil // larger than the whole cache: not worth keeping
	}
	if err := export.WriteFile(s.path(k), data, true); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if s.afterFile != nil {
		if err := s.afterFile(); err != nil {
			return err
		}
	}
	sum := sha256.Sum256(data)
	now := s.now()
	e.Key, e.Size, e.Sum, e.Created, e.Used = k, int64(len(data)), hex.EncodeToString(sum[:]), now, now
	var evicted []Key
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketChunks)
		meta := tx.Bucket(bucketMeta)
		total := getInt(meta, keyTotal)
		if old := b.Get([]byte(k)); old != nil {
			var oe Entry
			if json.Unmarshal(old, &oe) == nil {
				total -= oe.Size
			}
		}
		v, _ := json.Marshal(e)
		if err := b.Put([]byte(k), v); err != nil {
			return err
		}
		total += e.Size
		if total > s.maxBytes {
			var all []Entry
			_ = b.ForEach(func(key, val []byte) error {
				var x Entry
				if json.Unmarshal(val, &x) == nil && string(key) != string(k) {
					x.Key = Key(key)
					all = append(all, x)
				}
				return nil
			})
			slices.SortFunc(all, func(a, b Entry) int { return a.Used.Compare(b.Used) })
			for _, x := range all {
				if total <= s.maxBytes {
					break
				}
				if err := b.Delete([]byte(x.Key)); err != nil {
					return err
				}
				total -= x.Size
				evicted = append(evicted, x.Key)
			}
		}
		return putInt(meta, keyTotal, total)
	})
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	for _, x := range evicted {
		os.Remove(s.path(x))
	}
	return nil
}

// Delete removes a chunk: the index entry first, then its file.
func (s *Store) Delete(k Key) error {
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketChunks)
		old := b.Get([]byte(k))
		if old == nil {
			return nil
		}
		var oe Entry
		_ = json.Unmarshal(old, &oe)
		meta := tx.Bucket(bucketMeta)
		if err := putInt(meta, keyTotal, max(0, getInt(meta, keyTotal)-oe.Size)); err != nil {
			return err
		}
		return b.Delete([]byte(k))
	})
	os.Remove(s.path(k))
	return err
}

// Usage reports how many chunks are cached and their total size.
func (s *Store) Usage() (chunks int, size int64, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		chunks = tx.Bucket(bucketChunks).Stats().KeyN
		size = getInt(tx.Bucket(bucketMeta), keyTotal)
		return nil
	})
	return chunks, size, err
}

// Check makes the folder agree with the index after a crash: it removes
// audio files without an entry and stale temporary files, drops entries
// whose file is missing or has the wrong size, and recounts the total.
func (s *Store) Check() error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketChunks)
		var total int64
		var drop [][]byte
		_ = b.ForEach(func(key, val []byte) error {
			var e Entry
			st, err := os.Stat(s.path(Key(key)))
			if json.Unmarshal(val, &e) != nil || err != nil || st.Size() != e.Size {
				drop = append(drop, bytes.Clone(key))
				return nil
			}
			total += e.Size
			return nil
		})
		for _, k := range drop {
			if err := b.Delete(k); err != nil {
				return err
			}
			os.Remove(s.path(Key(k)))
		}
		files, _ := os.ReadDir(filepath.Join(s.dir, "audio"))
		for _, f := range files {
			name := f.Name()
			if strings.HasSuffix(name, ".part") {
				if info, err := f.Info(); err == nil && time.Since(info.ModTime()) > time.Minute {
					os.Remove(filepath.Join(s.dir, "audio", name))
				}
				continue
			}
			k := strings.TrimSuffix(name, ".bin")
			if b.Get([]byte(k)) == nil {
				os.Remove(filepath.Join(s.dir, "audio", name))
			}
		}
		return putInt(tx.Bucket(bucketMeta), keyTotal, total)
	})
}

// ClearChunks removes all cached audio (the history stays, but its clips
// can then no longer be played without synthesizing again).
func (s *Store) ClearChunks() error {
	err := s.update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketChunks); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
		if _, err := tx.CreateBucket(bucketChunks); err != nil {
			return err
		}
		return putInt(tx.Bucket(bucketMeta), keyTotal, 0)
	})
	if err != nil {
		return err
	}
	files, _ := os.ReadDir(filepath.Join(s.dir, "audio"))
	for _, f := range files {
		os.Remove(filepath.Join(s.dir, "audio", f.Name()))
	}
	return nil
}

func getInt(b *bolt.Bucket, k []byte) int64 {
	v := b.Get(k)
	if len(v) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}

func putInt(b *bolt.Bucket, k []byte, n int64) error {
	v := make([]byte, 8)
	binary.BigEndian.PutUint64(v, uint64(n))
	return b.Put(k, v)
}
