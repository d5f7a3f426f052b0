package core

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/audio/resample"
	"chorus/export"
	"chorus/player"
	"chorus/providers"
)

// exportPlan is how the output file is produced.
type exportPlan struct {
	enc  audio.Encoding
	rate int
	raw  bool // save the provider's bytes as they are
	file *export.File
}

// encodeTo writes the pipe's samples to the export file.
func encodeTo(plan *exportPlan, src audio.Source) error {
	var s audio.Source = src
	if plan.rate != 0 && plan.rate != src.Format().SampleRate {
		s = resample.New(s, plan.rate)
	}
	enc, err := codec.NewEncoder(plan.file, plan.enc, s.Format())
	if err != nil {
		return &providers.Error{Kind: providers.KindValidation, Message: err.Error(), Err: err}
	}
	buf := make([]float32, 8192*s.Format().Channels)
	for {
		n, rerr := s.Read(buf)
		if n > 0 {
			if err := enc.Write(buf[:n]); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return enc.Close()
		}
		if rerr != nil {
			return sourceError{rerr}
		}
	}
}

// sourceError is a failure of the audio feeding an export (already reported
// by the playback side), as opposed to a failure to write the file.
type sourceError struct{ error }

func (e sourceError) Unwrap() error { return e.error }

// perChunkWriter writes each chunk to its own file in a folder.
type perChunkWriter struct {
	dir   string
	enc   audio.Encoding
	force bool
	total int
	file  *export.File
	coder codec.Encoder
	names []string
}

func (w *perChunkWriter) name(i int) string {
	return filepath.Join(w.dir, fmt.Sprintf("chunk-%04d%s", i+1, w.enc.Extension()))
}

func (w *perChunkWriter) open(st *chunkState, f audio.Format) error {
	file, err := export.Create(w.name(st.chunk.Index), w.force)
	if err != nil {
		return &providers.Error{Kind: providers.KindValidation, Message: err.Error(), Err: err}
	}
	enc, err := codec.NewEncoder(file, w.enc, f)
	if err != nil {
		file.Abort()
		return err
	}
	w.file, w.coder = file, enc
	return nil
}

func (w *perChunkWriter) write(p []float32) error {
	if w.coder == nil {
		return nil
	}
	return w.coder.Write(p)
}

func (w *perChunkWriter) close() error {
	if w.coder == nil {
		return nil
	}
	err := w.coder.Close()
	if err == nil {
		err = w.file.Commit()
	} else {
		w.file.Abort()
	}
	if err == nil {
		w.names = append(w.names, w.file.Target())
	}
	w.coder, w.file = nil, nil
	return err
}

func (w *perChunkWriter) abort() {
	if w != nil && w.file != nil {
		w.file.Abort()
		w.coder, w.file = nil, nil
	}
}

// openSinkFor opens the sink of a job that plays; without a device, a job
// that also writes files goes on silently.
func (e *Engine) openSinkFor(job *Job, writes bool) (player.Sink, error) {
	if !job.Play {
		return nil, nil
	}
	s := job.Sink
	var err error
	switch {
	case s != nil:
	case job.Player != nil:
		s = job.Player.Sink()
	case job.OpenPlayer != nil:
		var tr *player.Transport
		if tr, err = job.OpenPlayer(); err == nil {
			job.Player, s = tr, tr.Sink()
		}
	default:
		s, err = e.Sink()
	}
	if err == nil {
		if job.OnSink != nil {
			job.OnSink(s)
		}
		return s, nil
	}
	if !writes {
		return nil, &providers.Error{Kind: providers.KindUnavailable, Message: err.Error(),
			Hint: "check that a sound server (PulseAudio or PipeWire) is running, or save it to a file instead (--out)", Err: err}
	}
	job.event(StageNotice, "no audio output ("+err.Error()+"); saving the file only", Stats{})
	return nil, nil
}

func sidecarPath(job *Job) string {
	if !job.Sidecar || job.Out == "" {
		return ""
	}
	return job.Out + ".json"
}

func checkWritable(path string, force bool) error {
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s: %w; choose another name or allow replacing it (--force)", path, export.ErrExists)
		}
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("cannot write %s: folder %s does not exist", path, dir)
	}
	return nil
}

func subtitleFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".srt":
		return "srt", nil
	case ".vtt":
		return "vtt", nil
	case ".lrc":
		return "lrc", nil
	}
	return "", fmt.Errorf("cannot tell the subtitle format of %q: name it .srt, .vtt or .lrc (synced lyrics)", filepath.Base(path))
}

// sidecar describes an export: never a key or a base URL's secrets.
type sidecar struct {
	Chorus       string            `json:"chorus"`
	File         string            `json:"file"`
	Provider     string            `json:"provider"`
	Model        string            `json:"model,omitempty"`
	Voice        string            `json:"voice,omitempty"`
	Format       string            `json:"format,omitempty"`
	Encoding     audio.Encoding    `json:"encoding"`
	SampleRate   int               `json:"sample_rate"`
	Channels     int               `json:"channels"`
	Speed        float64           `json:"speed,omitempty"`
	Language     string            `json:"language,omitempty"`
	Instructions string            `json:"instructions,omitempty"`
	Options      map[string]string `json:"options,omitempty"`
	ChunkChars   int               `json:"chunk_chars,omitempty"`
	AudioSeconds float64           `json:"audio_seconds"`
	Characters   int               `json:"characters"`
	Stats        Stats             `json:"stats"`
	Chunks       []ChunkTiming     `json:"chunks"`
	ChunkFiles   []string          `json:"chunk_files,omitempty"`
	Subtitles    string            `json:"subtitles,omitempty"`
	Created      time.Time         `json:"created"`
}

func writeSidecar(job *Job, req providers.Request, res *Result, states []*chunkState, timings []ChunkTiming, pc *perChunkWriter) error {
	chars := 0
	for _, st := range states {
		chars += st.chunk.Runes()
	}
	enc := job.OutFormat
	rate := res.Format.SampleRate
	if job.OutRate != 0 {
		rate = job.OutRate
	}
	sc := sidecar{Chorus: "1", File: job.Out, Provider: job.Provider, Model: req.Model, Voice: req.Voice,
		Format: req.Format, Encoding: enc, SampleRate: rate, Channels: res.Format.Channels, Speed: req.Speed,
		Language: req.Language, Instructions: req.Instructions, Options: req.Options, ChunkChars: job.ChunkChars,
		AudioSeconds: res.Stats.AudioSeconds, Characters: chars, Stats: res.Stats, Chunks: timings,
		Subtitles: job.Subtitles, Created: time.Now().UTC()}
	if pc != nil {
		sc.ChunkFiles = pc.names
	}
	b, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		return err
	}
	return export.WriteFile(sidecarPath(job), append(b, '\n'), job.Force)
}

// outputs are the files a job writes, opened (as temporaries) before
// anything is paid for.
type outputs struct {
	plan      *exportPlan
	perChunk  *perChunkWriter
	subtitles bool
}

// writes reports whether the job writes anything besides playing.
func (o *outputs) writes() bool { return o.plan != nil || o.perChunk != nil || o.subtitles }

func (o *outputs) abort() {
	if o.plan != nil {
		o.plan.file.Abort()
	}
	o.perChunk.abort()
}

// canEncode refuses an export encoding Chorus has no encoder for.
func canEncode(provider string, enc audio.Encoding) error {
	if codec.CanEncode(enc) {
		return nil
	}
	return providers.Invalid(provider, "Chorus cannot write %s files here; choose wav, mp3, flac or pcm (ogg and aac need ffmpeg)", enc)
}

// openOutputs checks every output of a job and opens the export file.
func openOutputs(job *Job, states []*chunkState, req providers.Request) (*outputs, error) {
	out := &outputs{subtitles: job.Subtitles != ""}
	if job.Out != "" {
		plan := &exportPlan{enc: job.OutFormat, rate: job.OutRate}
		single := len(states) == 1 && string(plan.enc) == req.Format && plan.rate == 0
		if !single {
			if err := canEncode(job.Provider, plan.enc); err != nil {
				return nil, err
			}
		}
		f, err := export.Create(job.Out, job.Force)
		if err != nil {
			return nil, &providers.Error{Kind: providers.KindValidation, Message: err.Error(), Err: err}
		}
		plan.file = f
		out.plan = plan
	}
	for _, side := range []string{job.Subtitles, sidecarPath(job)} {
		if side == "" {
			continue
		}
		if err := checkWritable(side, job.Force); err != nil {
			out.abort()
			return nil, &providers.Error{Kind: providers.KindValidation, Message: err.Error(), Err: err}
		}
	}
	if job.PerChunkDir != "" {
		pc, err := openPerChunk(job, len(states), states)
		if err != nil {
			out.abort()
			return nil, err
		}
		out.perChunk = pc
	}
	return out, nil
}

// openPerChunk prepares the folder of per-chunk files.
func openPerChunk(job *Job, total int, states []*chunkState) (*perChunkWriter, error) {
	enc := job.OutFormat
	if enc == "" {
		enc = audio.WAV
	}
	if err := canEncode(job.Provider, enc); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(job.PerChunkDir, 0o755); err != nil {
		return nil, providers.Invalid(job.Provider, "cannot create the folder %s for per-chunk files: %v", job.PerChunkDir, err)
	}
	pc := &perChunkWriter{dir: job.PerChunkDir, enc: enc, force: job.Force, total: total}
	if !job.Force {
		for _, st := range states {
			if _, err := os.Lstat(pc.name(st.chunk.Index)); err == nil {
				return nil, providers.Invalid(job.Provider, "%s already exists; choose another folder or allow replacing (--force)", pc.name(st.chunk.Index))
			}
		}
	}
	return pc, nil
}

// writeSubtitles writes the cues of the chunks that were heard.
func writeSubtitles(job *Job, text string, states []*chunkState, timings []ChunkTiming) error {
	format, _ := subtitleFormat(job.Subtitles)
	cues := Cues(text, states, timings)
	var data []byte
	switch format {
	case "vtt":
		data = export.FormatVTT(cues)
	case "lrc":
		data = formatLRC(job.Title, cues)
	default:
		data = export.FormatSRT(cues)
	}
	return export.WriteFile(job.Subtitles, data, job.Force)
}
