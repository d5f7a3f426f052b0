package voices

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Progress reports a download under way.
type Progress struct {
	VoiceID   string
	File      string        // the file being fetched
	Done      int64         // bytes received so far, over all of the voice's files
	Total     int64         // bytes the voice's files add up to
	Rate      float64       // bytes per second since the download started
	Remaining time.Duration // estimated time left; 0 when unknown
}

// Percent is Done as a share of Total, 0 to 100.
func (p Progress) Percent() float64 {
	if p.Total <= 0 {
		return 0
	}
	return 100 * float64(p.Done) / float64(p.Total)
}

// ErrDigest reports a file whose size or checksum is not what the catalog says.
var ErrDigest = errors.New("the downloaded file is not the one the catalog lists")

// fetcher streams one voice's files and reports progress over all of them.
type fetcher struct {
	client   *http.Client
	voiceID  string
	total    int64
	done     int64
	started  time.Time
	progress func(Progress)
	last     time.Time
}

func (f *fetcher) report(file string, force bool) {
	if f.progress == nil {
		return
	}
	now := time.Now()
	if !force && now.Sub(f.last) < 100*time.Millisecond {
		return
	}
	f.last = now
	p := Progress{VoiceID: f.voiceID, File: file, Done: f.done, Total: f.total}
	if el := now.Sub(f.started).Seconds(); el > 0 {
		p.Rate = float64(f.done) / el
		if p.Rate > 0 && f.total > f.done {
			p.Remaining = time.Duration(float64(f.total-f.done) / p.Rate * float64(time.Second))
		}
	}
	f.progress(p)
}

// open returns the body of a file's URL: http(s), file:// or a plain path.
func (f *fetcher) open(ctx context.Context, loc string) (io.ReadCloser, error) {
	if strings.HasPrefix(loc, "file://") {
		u, err := url.Parse(loc)
		if err != nil {
			return nil, err
		}
		loc = u.Path
	}
	if !isURL(loc) {
		return os.Open(loc)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return nil, err
	}
	client := f.client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("the server answered %s", resp.Status)
	}
	return resp.Body, nil
}

// ctxReader fails as soon as ctx is done, between reads.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// fetch streams file into dst (created in its folder), checking size and
// digest while it streams. On any error dst does not exist afterwards.
func (f *fetcher) fetch(ctx context.Context, file File, dst string) (err error) {
	body, err := f.open(ctx, file.URL)
	if err != nil {
		return fmt.Errorf("download %s: %w", file.Name, err)
	}
	// Closing the body on cancel makes a blocked Read return at once.
	stop := context.AfterFunc(ctx, func() { body.Close() })
	defer stop()
	defer body.Close()

	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("download %s: %w", file.Name, err)
	}
	defer func() {
		if cerr := out.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("download %s: %w", file.Name, cerr)
		}
		if err != nil {
			os.Remove(dst)
		}
	}()
	var h hash.Hash
	want := strings.ToLower(file.SHA256)
	if want != "" {
		h = sha256.New()
	} else {
		h, want = md5.New(), strings.ToLower(file.MD5)
	}
	buf := make([]byte, 256<<10)
	var n int64
	r := ctxReader{ctx, body}
	for {
		k, rerr := r.Read(buf)
		if k > 0 {
			n += int64(k)
			if n > file.Size {
				return fmt.Errorf("download %s: %w: more than the %d bytes listed", file.Name, ErrDigest, file.Size)
			}
			h.Write(buf[:k])
			if _, werr := out.Write(buf[:k]); werr != nil {
				return fmt.Errorf("download %s: %w (is the disk full?)", file.Name, werr)
			}
			f.done += int64(k)
			f.report(file.Name, false)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			if cerr := ctx.Err(); cerr != nil {
				return fmt.Errorf("download %s: %w", file.Name, cerr)
			}
			return fmt.Errorf("download %s: cut after %d of %d bytes: %w", file.Name, n, file.Size, rerr)
		}
	}
	if n != file.Size {
		return fmt.Errorf("download %s: cut after %d of %d bytes; try again", file.Name, n, file.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("download %s: %w (checksum %s, expected %s)", file.Name, ErrDigest, got, want)
	}
	if err := out.Sync(); err != nil {
		return fmt.Errorf("download %s: %w", file.Name, err)
	}
	f.report(file.Name, true)
	return nil
}

// Dir is the folder voices are installed in: $CHORUS_VOICES_DIR, else
// chorus/voices under the user's data folder ($XDG_DATA_HOME or
// ~/.local/share on Linux, Application Support on macOS, %LocalAppData% on
// Windows).
func Dir() (string, error) {
	if d := os.Getenv("CHORUS_VOICES_DIR"); d != "" {
		return d, nil
	}
	base, err := dataDir()
	if err != nil {
		return "", fmt.Errorf("no folder for voices: %w (set CHORUS_VOICES_DIR)", err)
	}
	return filepath.Join(base, "chorus", "voices"), nil
}

func dataDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return d, nil
	}
	if d := os.Getenv("LocalAppData"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(home, "Library", "Application Support")); err == nil {
		return filepath.Join(home, "Library", "Application Support"), nil
	}
	return filepath.Join(home, ".local", "share"), nil
}
