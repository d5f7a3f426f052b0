package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"chorus/audio/codec"
	"chorus/export"
)

// damaged reports whether err from opening the index means the file is
// damaged (rather than locked by another process or not readable).
func damaged(err error) bool {
	switch {
	case err == nil, errors.Is(err, berrors.ErrTimeout), errors.Is(err, fs.ErrPermission), errors.Is(err, fs.ErrNotExist):
		return false
	}
	return true
}

// openIndex opens the index; when the file is damaged it sets it aside
// (renamed, never deleted), starts a new one rebuilt from the audio files,
// and tells the user once through export.Notify.
func (s *Store) openIndex() (db *bolt.DB, err error) {
	path := filepath.Join(s.dir, "index.db")
	db, err = openBolt(path)
	if err == nil || !damaged(err) {
		return db, err
	}
	aside := fmt.Sprintf("%s.damaged-%s", path, time.Now().UTC().Format("20060102T150405"))
	if rerr := os.Rename(path, aside); rerr != nil {
		return nil, fmt.Errorf("the cache index %s is damaged (%v) and could not be set aside: %w; move it away by hand or run with --no-cache", path, err, rerr)
	}
	db, oerr := openBolt(path)
	if oerr != nil {
		return nil, oerr
	}
	n, rerr := rebuild(db, s.dir)
	if rerr != nil {
		db.Close()
		return nil, rerr
	}
	if export.Notify != nil {
		files := fmt.Sprintf("%d cached audio files", n)
		if n == 1 {
			files = "1 cached audio file"
		}
		export.Notify(fmt.Sprintf("the cache index was damaged (%v): it was set aside as %s and rebuilt from %s; the history of past clips starts again", err, filepath.Base(aside), files))
	}
	return db, nil
}

// openBolt opens a bbolt file, turning a panic on a damaged file into an
// error.
func openBolt(path string) (db *bolt.DB, err error) {
	defer func() {
		if p := recover(); p != nil {
			db, err = nil, fmt.Errorf("%w: %v", berrors.ErrInvalid, p)
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, err
	}
	// Reading every bucket finds damage that Open does not.
	if verr := db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
			return b.ForEach(func(_, _ []byte) error { return nil })
		})
	}); verr != nil {
		db.Close()
		return nil, fmt.Errorf("%w: %v", berrors.ErrInvalid, verr)
	}
	return db, nil
}

// rebuild indexes the audio files in dir/audio whose encoding their first
// bytes reveal (headerless PCM cannot be told apart and is left for Check
// to remove), and returns how many it indexed.
func rebuild(db *bolt.DB, dir string) (int, error) {
	files, _ := os.ReadDir(filepath.Join(dir, "audio"))
	n := 0
	err := db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketChunks, bucketHistory, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		b := tx.Bucket(bucketChunks)
		var total int64
		for _, f := range files {
			k := Key(strings.TrimSuffix(f.Name(), ".bin"))
			if !strings.HasSuffix(f.Name(), ".bin") || !validKey(k) {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, "audio", f.Name()))
			if err != nil {
				continue
			}
			enc, ok := codec.Sniff(data[:min(len(data), 64)])
			if !ok {
				continue
			}
			info, _ := f.Info()
			mod := time.Now()
			if info != nil {
				mod = info.ModTime()
			}
			sum := sha256.Sum256(data)
			v, _ := json.Marshal(Entry{Encoding: enc, Size: int64(len(data)), Sum: hex.EncodeToString(sum[:]), Created: mod, Used: mod})
			if err := b.Put([]byte(k), v); err != nil {
				return err
			}
			total += int64(len(data))
			n++
		}
		return putInt(tx.Bucket(bucketMeta), keyTotal, total)
	})
	return n, err
}
