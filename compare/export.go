package compare

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/export"
)

// ReportFile and CSVFile are the names of the measurement reports Export writes.
const (
	ReportFile = "compare.json"
	CSVFile    = "compare.csv"
)

// Row is one entry in the measurement reports.
type Row struct {
	Provider     string  `json:"provider"`
	Model        string  `json:"model"`
	Voice        string  `json:"voice"`
	Speed        float64 `json:"speed,omitempty"`
	File         string  `json:"file,omitempty"` // base name of the exported file
	TTFBMs       float64 `json:"ttfb_ms"`
	FirstAudioMs float64 `json:"first_audio_ms"`
	TotalMs      float64 `json:"total_ms"`
	AudioSeconds float64 `json:"audio_seconds"`
	RTF          float64 `json:"rtf"`
	Bytes        int64   `json:"bytes"`
	Requests     int     `json:"requests"`
	CostUSD      float64 `json:"cost_usd"`
	CostKnown    bool    `json:"cost_known"`
	Error        string  `json:"error,omitempty"`
}

// Report is the JSON report of a comparison.
type Report struct {
	Text    string    `json:"text"`
	Created time.Time `json:"created"`
	Format  string    `json:"format,omitempty"`
	Entries []Row     `json:"entries"`
}

// RowOf turns a result into a report row; file is the exported name, if any.
func RowOf(r Result, file string) Row {
	row := Row{Provider: r.Entry.Provider, Model: r.Model, Voice: r.Entry.Voice, Speed: r.Entry.Speed, File: file,
		TTFBMs: r.Stats.TTFBMs, FirstAudioMs: r.Stats.FirstAudioMs, TotalMs: r.Stats.TotalMs,
		AudioSeconds: r.Stats.AudioSeconds, RTF: r.RTF, Bytes: r.Stats.Bytes, Requests: r.Stats.Requests,
		CostUSD: r.CostUSD, CostKnown: r.CostKnown}
	if r.Err != nil {
		row.Error = r.Err.Error()
	}
	return row
}

// MakeReport builds the report of a session; files maps a result's index to
// its exported base name.
func MakeReport(s *Session, format audio.Encoding, files map[int]string) Report {
	rep := Report{Text: s.Text, Created: time.Now().UTC().Truncate(time.Second), Format: string(format), Entries: []Row{}}
	for _, r := range s.Results {
		rep.Entries = append(rep.Entries, RowOf(r, files[r.Index]))
	}
	return rep
}

// JSON encodes the report, indented.
func (rep Report) JSON() []byte {
	b, _ := json.MarshalIndent(rep, "", "  ")
	return append(b, '\n')
}

// CSV encodes the report's rows with a header line.
func (rep Report) CSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"provider", "model", "voice", "speed", "file", "ttfb_ms", "first_audio_ms", "total_ms",
		"audio_seconds", "rtf", "bytes", "requests", "cost_usd", "cost_known", "error"})
	f := func(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
	for _, r := range rep.Entries {
		w.Write([]string{r.Provider, r.Model, r.Voice, f(r.Speed, 2), r.File, f(r.TTFBMs, 1), f(r.FirstAudioMs, 1),
			f(r.TotalMs, 1), f(r.AudioSeconds, 3), f(r.RTF, 3), strconv.FormatInt(r.Bytes, 10),
			strconv.Itoa(r.Requests), f(r.CostUSD, 6), strconv.FormatBool(r.CostKnown), r.Error})
	}
	w.Flush()
	return b.Bytes()
}

// Exported lists what Export wrote.
type Exported struct {
	Files  []string // audio files, one per rendered entry
	Report string   // the JSON report
	CSV    string   // the CSV report
}

// ExportNames returns the file name each rendered entry gets in format enc:
// provider-model-voice.ext, sanitised, with -2, -3... when two entries share
// a name. Failed entries have no name.
func ExportNames(s *Session, enc audio.Encoding) map[int]string {
	names := map[int]string{}
	used := map[string]bool{ReportFile: true, CSVFile: true}
	for _, r := range s.Results {
		if !r.OK() {
			continue
		}
		stem := FileStem(Entry{Provider: r.Entry.Provider, Model: r.Model, Voice: r.Entry.Voice})
		name := stem + enc.Extension()
		for k := 2; used[name]; k++ {
			name = fmt.Sprintf("%s-%d%s", stem, k, enc.Extension())
		}
		used[name] = true
		names[r.Index] = name
	}
	return names
}

// Existing lists the files Export would replace in dir.
func Existing(s *Session, dir string, enc audio.Encoding) []string {
	var out []string
	names := []string{ReportFile, CSVFile}
	for _, n := range ExportNames(s, enc) {
		names = append(names, n)
	}
	for _, n := range names {
		if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// Export writes every rendered entry to dir (made, with its parents, when
// missing) in encoding enc (converting when
// the session's files are in another), plus compare.json and compare.csv
// with the measurements of all entries, failed ones included. Every file is
// written atomically; unless replace is true, existing files are left alone
// and reported. It writes all it can and returns the failures joined.
func Export(s *Session, dir string, enc audio.Encoding, replace bool) (Exported, error) {
	var out Exported
	if enc == "" {
		enc = s.Format
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return out, fmt.Errorf("cannot export to %s: it is a file, not a folder; choose a folder", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return out, fmt.Errorf("cannot create the folder %s: %w; choose one you can write to", dir, err)
	}
	if !codec.CanEncode(enc) {
		return out, fmt.Errorf("Chorus cannot write %s files here; choose %s", enc, codec.ExportList())
	}
	names := ExportNames(s, enc)
	var errs []error
	for _, r := range s.Results {
		name, ok := names[r.Index]
		if !ok {
			continue
		}
		target := filepath.Join(dir, name)
		if err := exportOne(r, s.Format, target, enc, replace); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.Entry.Label(), err))
			delete(names, r.Index)
			continue
		}
		out.Files = append(out.Files, target)
	}
	rep := MakeReport(s, enc, names)
	out.Report = filepath.Join(dir, ReportFile)
	if err := export.WriteFile(out.Report, rep.JSON(), replace); err != nil {
		errs = append(errs, err)
		out.Report = ""
	}
	out.CSV = filepath.Join(dir, CSVFile)
	if err := export.WriteFile(out.CSV, rep.CSV(), replace); err != nil {
		errs = append(errs, err)
		out.CSV = ""
	}
	return out, errors.Join(errs...)
}

// exportOne copies or converts one rendered file.
func exportOne(r Result, from audio.Encoding, target string, to audio.Encoding, replace bool) error {
	in, err := os.Open(r.File)
	if err != nil {
		return fmt.Errorf("the rendered audio is gone (%w); render again", err)
	}
	defer in.Close()
	f, err := export.Create(target, replace)
	if err != nil {
		return err
	}
	defer f.Abort()
	if from == to {
		if _, err := io.Copy(f, in); err != nil {
			return err
		}
		return f.Commit()
	}
	src, err := codec.NewDecoder(in, from, r.Format)
	if err != nil {
		return err
	}
	enc, err := codec.NewEncoder(f, to, src.Format())
	if err != nil {
		return err
	}
	buf := make([]float32, 8192*src.Format().Channels)
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			if err := enc.Write(buf[:n]); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return f.Commit()
}
