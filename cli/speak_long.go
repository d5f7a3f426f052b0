package cli

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"chorus/core"
	"chorus/documents"
	"chorus/settings"
)

func init() { ExtendSpeak(longTextFlags) }

// longTextFlags adds the long-text flags to `chorus speak`: chunking,
// subtitles, per-chunk files, sidecar, cache and a progress bar.
func longTextFlags(fs *flag.FlagSet) func(job *core.Job) error {
	chunkChars := fs.Int("chunk-chars", 0, "most characters per request (default: the chunk size set in Settings, else the provider's limit)")
	conc := fs.Int("concurrency", 0, "requests at once for long text (default: the number set in Settings, else the provider's limit, else 3)")
	subtitles := fs.String("subtitles", "", "write subtitles to this file (.srt, .vtt, or .lrc for synced lyrics)")
	perChunk := fs.String("per-chunk-dir", "", "also write one audio file per chunk into this folder")
	sidecar := fs.Bool("sidecar", false, "also write <out>.json describing the export")
	noCache := fs.Bool("no-cache", false, "neither use nor fill the audio cache (every chunk is requested)")
	progress := fs.String("progress", "auto", "progress bar on stderr: auto (when stderr is a terminal), on, off")
	return func(job *core.Job) error {
		if *chunkChars < 0 {
			return usageErr("--chunk-chars must be a positive number of characters")
		}
		if *conc < 0 {
			return usageErr("--concurrency must be a positive number of requests")
		}
		saved, par := settings.SavedLimits(job.Provider) // kept by the desktop app's Settings; a flag wins
		job.ChunkChars, job.Concurrency = cmp.Or(*chunkChars, saved), cmp.Or(*conc, par)
		job.Subtitles, job.PerChunkDir, job.Sidecar, job.NoCache = *subtitles, *perChunk, *sidecar, *noCache
		if strings.EqualFold(filepath.Ext(*subtitles), ".lrc") {
			if f := fs.Lookup("file"); f != nil && f.Value.String() != "" {
				job.Title = fileTitle(f.Value.String())
			}
		}
		show := false
		switch *progress {
		case "auto":
			show = isTerminal(os.Stderr)
		case "on":
			show = true
		case "off":
		default:
			return usageErr("--progress takes auto, on or off, not %q", *progress)
		}
		if show {
			job.OnProgress = progressBar(os.Stderr)
		}
		return nil
	}
}

// fileTitle is the title LRC subtitles carry for text read from a file:
// the document's own title (its metadata or heading), else the file's name.
func fileTitle(path string) string {
	if isDocument(path) {
		if d, err := documents.Open(context.Background(), path, documents.Options{}); err == nil && d.Title != "" {
			return d.Title
		}
	}
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// progressBar draws "[#####.....] 3/9 chunks  0:42 elapsed, ~1:10 left" on
// one line, redrawn in place, and ends the line when everything is done.
func progressBar(w io.Writer) func(core.Progress) {
	var mu sync.Mutex
	ended := false
	return func(p core.Progress) {
		mu.Lock()
		defer mu.Unlock()
		if ended || p.Total == 0 {
			return
		}
		fmt.Fprintf(w, "\r%s", BarLine(p, 30))
		if p.Done == p.Total && p.Remaining == 0 {
			fmt.Fprintln(w)
			ended = true
		}
	}
}

// BarLine renders one progress line with a bar width characters wide.
func BarLine(p core.Progress, width int) string {
	filled := 0
	if p.Total > 0 {
		filled = width * p.Done / p.Total
	}
	s := fmt.Sprintf("[%s%s] %d/%d chunks  %s elapsed", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		p.Done, p.Total, clock(p.Elapsed))
	if p.Remaining > 0 {
		s += ", ~" + clock(p.Remaining) + " left"
	}
	if p.CacheHits > 0 {
		s += fmt.Sprintf(", %d from cache", p.CacheHits)
	}
	return s + "   "
}

func clock(d time.Duration) string {
	d = d.Round(time.Second)
	if d >= time.Hour {
		return fmt.Sprintf("%d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}
