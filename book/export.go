package book

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"chorus/internal/childenv"
)

// ErrNoFFmpeg is returned when an export needs ffmpeg and it is missing.
var ErrNoFFmpeg = errors.New("this export needs ffmpeg; install it (for example: sudo apt install ffmpeg) and try again")

// Loudness is a normalisation target; the zero value leaves levels alone.
type Loudness struct {
	LUFS     float64 // integrated loudness target, e.g. -16, -18, -19
	TruePeak float64 // ceiling in dBTP; 0 means -1.5
}

// Rendered is a book's audio, chapter by chapter, as raw float files.
type Rendered struct {
	Book   *Book
	Rate   int
	dir    string
	Files  []string // one raw file per rendered chapter
	Titles []string
	Frames []int64
}

// Close removes the rendered audio.
func (r *Rendered) Close() error { return os.RemoveAll(r.dir) }

// Render speaks every chapter not skipped, retrying a failed chapter up to
// Retries more times (chunks already done come from the engine's cache).
func (r *Renderer) Render(ctx context.Context, b *Book) (*Rendered, error) {
	if _, err := r.Estimate(b); err != nil {
		return nil, err // unknown voices or providers: nothing sent
	}
	dir, err := os.MkdirTemp("", "chorus-render-")
	if err != nil {
		return nil, err
	}
	out := &Rendered{Book: b, Rate: r.rate(), dir: dir}
	texts := b.scripts()
	for i, ch := range b.Chapters {
		if ch.Skip {
			continue
		}
		if r.OnChapter != nil {
			r.OnChapter(i, ch.Title)
		}
		path := filepath.Join(dir, fmt.Sprintf("%03d.f32", i))
		var n int64
		for attempt := 0; ; attempt++ {
			var f *os.File
			if f, err = os.Create(path); err != nil {
				break
			}
			n, err = r.RenderChapter(ctx, texts[i], f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err == nil || ctx.Err() != nil || attempt >= r.Retries {
				break
			}
		}
		if err != nil {
			out.Close()
			return nil, fmt.Errorf("chapter %d (%s): %w", i+1, ch.Title, err)
		}
		out.Files = append(out.Files, path)
		out.Titles = append(out.Titles, ch.Title)
		out.Frames = append(out.Frames, n)
	}
	return out, nil
}

func ffmpeg() (string, error) {
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		return "", ErrNoFFmpeg
	}
	return p, nil
}

func runFFmpeg(ctx context.Context, args ...string) (string, error) {
	bin, err := ffmpeg()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{"-hide_banner", "-nostdin", "-y"}, args...)...)
	cmd.Env = childenv.Environ()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		tail := stderr.String()
		if len(tail) > 600 {
			tail = tail[len(tail)-600:]
		}
		return stderr.String(), fmt.Errorf("ffmpeg failed: %v: %s", err, strings.TrimSpace(tail))
	}
	return stderr.String(), nil
}

// loudnormFilter measures the input (first pass) and returns a linear
// loudnorm filter for the second pass.
func loudnormFilter(ctx context.Context, input []string, l Loudness) (string, error) {
	tp := l.TruePeak
	if tp == 0 {
		tp = -1.5
	}
	base := fmt.Sprintf("loudnorm=I=%.1f:TP=%.1f:LRA=11", l.LUFS, tp)
	log, err := runFFmpeg(ctx, append(append([]string{}, input...), "-af", base+":print_format=json", "-f", "null", "-")...)
	if err != nil {
		return "", err
	}
	i := strings.LastIndex(log, "{")
	j := strings.LastIndex(log, "}")
	var m map[string]string
	if i < 0 || j < i || json.Unmarshal([]byte(log[i:j+1]), &m) != nil {
		return base, nil // fall back to one pass
	}
	return fmt.Sprintf("%s:measured_I=%s:measured_TP=%s:measured_LRA=%s:measured_thresh=%s:offset=%s:linear=true",
		base, m["input_i"], m["input_tp"], m["input_lra"], m["input_thresh"], m["target_offset"]), nil
}

// codecArgs picks the encoder for an output extension.
var codecArgs = map[string][]string{
	".mp3":  {"-c:a", "libmp3lame", "-q:a", "4", "-id3v2_version", "3", "-f", "mp3"},
	".m4b":  {"-c:a", "aac", "-b:a", "64k", "-f", "mp4"},
	".m4a":  {"-c:a", "aac", "-b:a", "96k", "-f", "mp4"},
	".flac": {"-c:a", "flac", "-f", "flac"},
	".opus": {"-c:a", "libopus", "-b:a", "48k", "-f", "ogg"},
	".ogg":  {"-c:a", "libopus", "-b:a", "48k", "-f", "ogg"},
	".wav":  {"-c:a", "pcm_s16le", "-f", "wav"},
}

// Formats lists the extensions Export writes.
func Formats() []string { return []string{".m4b", ".mp3", ".m4a", ".flac", ".opus", ".ogg", ".wav"} }

// Tags are the metadata written into a file.
type Tags struct {
	Title, Artist, Album string
	Track, Tracks        int
}

func metaEscape(s string) string {
	return regexp.MustCompile(`([=;#\\\n])`).ReplaceAllString(s, `\$1`)
}

// encode writes out from raw inputs (concatenated), with tags, chapter
// markers (when chapters has more than one entry) and an optional cover.
func (r *Rendered) encode(ctx context.Context, files []string, titles []string, frames []int64, out string, tags Tags, cover string, l Loudness, force bool) error {
	ext := strings.ToLower(filepath.Ext(out))
	cargs, ok := codecArgs[ext]
	if !ok {
		return fmt.Errorf("cannot write %q files; use one of %s", ext, strings.Join(Formats(), " "))
	}
	if _, err := os.Stat(out); err == nil && !force {
		return fmt.Errorf("%s exists; choose another name or replace it on purpose", out)
	}
	if _, err := ffmpeg(); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".chorus-export-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// One raw input: the chapters joined.
	raw := files[0]
	if len(files) > 1 {
		raw = filepath.Join(tmp, "all.f32")
		f, err := os.Create(raw)
		if err != nil {
			return err
		}
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err == nil {
				_, err = f.Write(b)
			}
			if err != nil {
				f.Close()
				return err
			}
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	in := []string{"-f", "f32le", "-ar", strconv.Itoa(r.Rate), "-ac", "1", "-i", raw}
	meta := ";FFMETADATA1\n"
	for k, v := range map[string]string{"title": tags.Title, "artist": tags.Artist, "album_artist": tags.Artist, "album": tags.Album} {
		if v != "" {
			meta += k + "=" + metaEscape(v) + "\n"
		}
	}
	if tags.Track > 0 {
		meta += fmt.Sprintf("track=%d/%d\n", tags.Track, tags.Tracks)
	}
	if ext == ".m4b" || ext == ".m4a" {
		meta += "genre=Audiobook\n"
	}
	if len(titles) > 1 {
		var at int64
		for i, t := range titles {
			meta += fmt.Sprintf("[CHAPTER]\nTIMEBASE=1/%d\nSTART=%d\nEND=%d\ntitle=%s\n", r.Rate, at, at+frames[i], metaEscape(t))
			at += frames[i]
		}
	}
	metaPath := filepath.Join(tmp, "meta.txt")
	if err := os.WriteFile(metaPath, []byte(meta), 0o600); err != nil {
		return err
	}
	af := "anull"
	if l.LUFS != 0 {
		if af, err = loudnormFilter(ctx, in, l); err != nil {
			return err
		}
	}
	args := append([]string{}, in...)
	args = append(args, "-i", metaPath)
	useCover := cover != "" && ext != ".wav" && ext != ".opus" && ext != ".ogg" && ext != ".flac"
	if useCover {
		if _, err := os.Stat(cover); err != nil {
			return fmt.Errorf("cover image: %w", err)
		}
		args = append(args, "-i", cover)
	}
	args = append(args, "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1")
	if useCover {
		args = append(args, "-map", "2:v", "-c:v", "mjpeg", "-disposition:v", "attached_pic")
	}
	args = append(args, "-af", af, "-ar", strconv.Itoa(r.Rate))
	args = append(args, cargs...)
	part := filepath.Join(tmp, "out"+ext)
	if _, err := runFFmpeg(ctx, append(args, part)...); err != nil {
		return err
	}
	if !force {
		if _, err := os.Stat(out); err == nil {
			return fmt.Errorf("%s appeared while exporting; nothing replaced", out)
		}
	}
	return os.Rename(part, out)
}

// ExportBook writes the whole book as one file with chapter markers (.m4b
// is an audiobook: AAC in MP4; .mp3 gets ID3 chapter frames).
func (r *Rendered) ExportBook(ctx context.Context, out, cover string, l Loudness, force bool) error {
	if len(r.Files) == 0 {
		return errors.New("no chapters to export")
	}
	b := r.Book
	return r.encode(ctx, r.Files, r.Titles, r.Frames, out, Tags{Title: b.Title, Artist: b.Author, Album: b.Title}, cover, l, force)
}

var unsafeName = regexp.MustCompile(`[/\\:*?"<>|\x00-\x1f]+`)

// ChapterFileName is "01 - Title.ext" for chapter n (1-based) of total.
func ChapterFileName(n, total int, title, ext string) string {
	width := max(2, len(strconv.Itoa(total)))
	t := strings.TrimSpace(unsafeName.ReplaceAllString(title, " "))
	if t == "" {
		t = "Chapter " + strconv.Itoa(n)
	}
	if len(t) > 80 {
		t = t[:80]
	}
	return fmt.Sprintf("%0*d - %s%s", width, n, t, ext)
}

// ExportChapters writes one file per chapter into dir and returns the paths.
func (r *Rendered) ExportChapters(ctx context.Context, dir, ext, cover string, l Loudness, force bool) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for i := range r.Files {
		p := filepath.Join(dir, ChapterFileName(i+1, len(r.Files), r.Titles[i], ext))
		tags := Tags{Title: r.Titles[i], Artist: r.Book.Author, Album: r.Book.Title, Track: i + 1, Tracks: len(r.Files)}
		if err := r.encode(ctx, r.Files[i:i+1], r.Titles[i:i+1], r.Frames[i:i+1], p, tags, cover, l, force); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// Measurement is a file's loudness by EBU R128 / ITU-R BS.1770.
type Measurement struct {
	LUFS     float64 // integrated loudness
	TruePeak float64 // dBTP
}

var (
	reI    = regexp.MustCompile(`(?s)Summary:.*?I:\s+(-?[0-9.]+|-inf) LUFS`)
	rePeak = regexp.MustCompile(`(?s)True peak:.*?Peak:\s+(-?[0-9.]+|-inf) dBFS`)
)

// Measure runs ffmpeg's ebur128 filter over a file.
func Measure(ctx context.Context, path string) (Measurement, error) {
	log, err := runFFmpeg(ctx, "-nostats", "-i", path, "-map", "0:a", "-af", "ebur128=peak=true", "-f", "null", "-")
	if err != nil {
		return Measurement{}, err
	}
	var m Measurement
	i := reI.FindStringSubmatch(log)
	if i == nil {
		return m, errors.New("ffmpeg's ebur128 gave no integrated loudness")
	}
	m.LUFS, _ = strconv.ParseFloat(i[1], 64)
	if p := rePeak.FindStringSubmatch(log); p != nil {
		m.TruePeak, _ = strconv.ParseFloat(p[1], 64)
	}
	return m, nil
}
