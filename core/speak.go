package core

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/audio/resample"
	"chorus/export"
	"chorus/player"
	"chorus/providers"
)

// Job is one synthesis: what to say, how, and where it goes.
type Job struct {
	Provider string            // provider ID
	BaseURL  string            // "" for <ID>_BASE_URL or the default
	Request  providers.Request // text, model, voice, format, speed, ...
	Play     bool              // play through the sink while it arrives
	Sink     player.Sink       // sink to play through; nil opens the device
	// Player, when set and playing through its own sink, plays with
	// pause, seek and a waveform (the GUI's transport bar).
	Player *player.Transport

	Out       string         // file to write, "" for none
	Force     bool           // replace Out if it exists
	OutFormat audio.Encoding // export encoding; "" picks it from Out's extension
	OutRate   int            // export sample rate; 0 keeps the provider's

	// OnEvent, when set, is told what is happening. It is called from the
	// worker goroutine: GUI callers must hop to the UI goroutine themselves.
	OnEvent func(Event)

	// Long text (see long.go). Text over the provider's per-request limit is
	// split into chunks, synthesized ahead and played as one stream.
	ChunkChars  int    // per-request limit; 0 = the provider's MaxChars
	Concurrency int    // requests at once; 0 = the provider's limit, else DefaultConcurrency
	Subtitles   string // write subtitles here (.srt or .vtt); "" for none
	PerChunkDir string // also write one file per chunk into this folder
	Sidecar     bool   // also write <Out>.json describing the export
	NoCache     bool   // neither read nor write the engine's cache
	// OnProgress, when set, is told chunks done/total and the sentence
	// being spoken. It is called from a worker goroutine.
	OnProgress func(Progress)
	// OnSink, when set, is given the sink before playback starts, so a
	// front end can pause and resume it (across chunks: it is one stream).
	OnSink func(player.Sink)
}

// Stage is a step of a synthesis, for status lines.
type Stage int

// The stages a synthesis goes through.
const (
	StageRequest    Stage = iota // request sent, waiting for the first byte
	StageFirstByte               // first audio byte received
	StageFirstAudio              // first sample reached the device or file
	StageNotice                  // something the user should know; Event.Message says what
	StageDone                    // finished
)

// Event reports progress.
type Event struct {
	Stage   Stage
	Message string
	Stats   Stats
}

// Stats measures one synthesis. Times count from when the request was sent.
type Stats struct {
	TTFBMs       float64 `json:"ttfb_ms"`
	FirstAudioMs float64 `json:"first_audio_ms"`
	TotalMs      float64 `json:"total_ms"`
	AudioSeconds float64 `json:"audio_seconds"`
	Bytes        int64   `json:"bytes"`
	Requests     int     `json:"requests"`
	Underruns    int     `json:"underruns,omitempty"`
	Chunks       int     `json:"chunks"`            // requests the text was split into (1 for short text)
	CacheHits    int     `json:"cache_hits"`        // chunks that came from the cache, with no request
	LoadMs       float64 `json:"load_ms,omitempty"` // model load of a local engine (see LoadTimer)
}

// LoadTimer is implemented by local engines that load a model: how long
// loading the voice took in this process.
type LoadTimer interface {
	LoadTime(voice string) time.Duration
}

// Result is what a finished synthesis produced.
type Result struct {
	Stats    Stats
	Encoding audio.Encoding // what the provider sent
	Format   audio.Format   // decoded format
	Words    []providers.WordBoundary
	Out      string        // the file written, if any
	Played   bool          // whether it was heard (false when there is no device)
	Chunks   []ChunkTiming // where each chunk sits in the audio (chunked runs only)
}

func (j *Job) event(stage Stage, msg string, st Stats) {
	if j.OnEvent != nil {
		j.OnEvent(Event{Stage: stage, Message: msg, Stats: st})
	}
}

// exportPlan is how the output file is produced.
type exportPlan struct {
	enc  audio.Encoding
	rate int
	raw  bool // save the provider's bytes as they are
	file *export.File
}

// Prepare resolves the provider and checks the request and the output
// without sending anything. Speak calls it; front ends call it to report
// validation errors before starting work.
func (e *Engine) Prepare(job *Job) (providers.Provider, providers.Request, error) {
	p, err := e.Provider(job.Provider, job.BaseURL)
	if err != nil {
		return nil, providers.Request{}, err
	}
	caps := p.Capabilities()
	req := job.Request
	if len(caps.SampleRates) == 0 && req.SampleRate != 0 {
		// The provider fixes its rate: convert on export instead.
		if job.OutRate == 0 {
			job.OutRate = req.SampleRate
		}
		req.SampleRate = 0
	}
	if job.Out != "" && job.OutFormat == "" {
		enc, ok := codec.EncodingFromPath(job.Out)
		if !ok {
			return nil, req, providers.Invalid(job.Provider, "cannot tell the format of %q from its extension; use .wav, .mp3, .flac, .ogg, .pcm, or pass --format", filepath.Base(job.Out))
		}
		job.OutFormat = enc
		if req.Format == "" && slices.Contains(caps.Formats, string(enc)) {
			req.Format = string(enc)
		}
	}
	req = providers.Normalize(req, caps)
	if err := providers.Validate(job.Provider, perRequest(req, caps), caps); err != nil {
		return nil, req, err
	}
	if job.Out != "" && job.OutFormat == "" {
		job.OutFormat = audio.Encoding(req.Format)
	}
	return p, req, nil
}

// Speak runs a job to the end: request, play and/or export, measure.
// Cancelling ctx stops the request and the sound at once and leaves no file.
func (e *Engine) Speak(ctx context.Context, job Job) (*Result, error) {
	p, req, err := e.Prepare(&job)
	if err != nil {
		return nil, err
	}
	if w, ok := p.(providers.Warner); ok && w.Warning() != "" {
		job.event(StageNotice, w.Warning(), Stats{})
	}
	if long, err := e.useLong(&job, p.Capabilities(), req); err != nil {
		return nil, err
	} else if long {
		return e.speakLong(ctx, job, p, req)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var plan *exportPlan
	if job.Out != "" {
		plan = &exportPlan{enc: job.OutFormat, rate: job.OutRate}
		f, err := export.Create(job.Out, job.Force)
		if err != nil {
			return nil, &providers.Error{Kind: providers.KindValidation, Message: err.Error(), Err: err}
		}
		plan.file = f
		defer f.Abort()
	}

	var sink player.Sink
	if job.Play {
		sink = job.Sink
		if sink == nil {
			s, err := e.Sink()
			if err != nil {
				if plan == nil {
					return nil, &providers.Error{Kind: providers.KindUnavailable, Message: err.Error(),
						Hint: "check that a sound server (PulseAudio or PipeWire) is running; you can still save to a file with --out or Export", Err: err}
				}
				job.event(StageNotice, "no audio output ("+err.Error()+"); saving the file only", Stats{})
			} else {
				sink = s
			}
		}
		if sink != nil && job.OnSink != nil {
			job.OnSink(sink)
		}
	}

	res := &Result{Out: job.Out}
	start := time.Now()
	ms := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return float64(t.Sub(start).Microseconds()) / 1000
	}
	job.event(StageRequest, "", Stats{})
	a, err := p.Synthesize(ctx, req)
	if err != nil {
		return nil, err
	}
	defer a.Body.Close()
	res.Encoding = a.Encoding
	res.Stats.Requests = max(a.Requests, 1)
	res.Stats.Chunks = 1
	if lt, ok := p.(LoadTimer); ok {
		res.Stats.LoadMs = float64(lt.LoadTime(req.Voice).Microseconds()) / 1000
	}

	words := collectWords(a.Words)

	counter := &countingReader{r: a.Body}
	var body io.Reader = counter
	if plan != nil && plan.enc == a.Encoding && plan.rate == 0 {
		plan.raw = true
		body = io.TeeReader(counter, plan.file)
	}
	br := bufio.NewReaderSize(body, 64<<10)
	head, _ := br.Peek(64)
	if len(head) == 0 {
		if err := counter.err; err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
	}
	if err := codec.CheckAudio(head, a.Encoding); err != nil {
		return nil, &providers.Error{Provider: job.Provider, Kind: providers.KindNotAudio, Message: err.Error(), Err: err}
	}
	res.Stats.TTFBMs = ms(counter.first)
	job.event(StageFirstByte, "", res.Stats)

	dec, err := codec.NewDecoder(br, a.Encoding, a.Format)
	if errors.Is(err, codec.ErrAACPlayback) && plan != nil && plan.raw && sink == nil { // AAC saved as it came, not played
		dec, err = codec.NewADTSWalker(br)
	}
	if err != nil {
		return nil, decodeError(job.Provider, ctx, err)
	}
	res.Format = dec.Format()

	src := &meteredSource{Source: dec}
	var exportErr error
	var exportDone sync.WaitGroup
	var pipe *audio.Pipe
	if plan != nil && !plan.raw {
		if !codec.CanEncode(plan.enc) {
			return nil, providers.Invalid(job.Provider, "Chorus cannot write %s files here; choose wav, mp3, flac or pcm", plan.enc)
		}
		pipe = audio.NewPipe(dec.Format(), dec.Format().SampleRate*dec.Format().Channels)
		src.tee = pipe
		exportDone.Add(1)
		go func() {
			defer exportDone.Done()
			exportErr = encodeTo(plan, pipe)
			if exportErr != nil {
				pipe.CloseWithError(exportErr)
			}
		}()
	}
	src.ctx = ctx

	var playErr error
	if sink != nil {
		playErr = playThrough(ctx, &job, src, sink)
		st := sink.Stats()
		res.Stats.Underruns = st.Underruns
		if !st.FirstAudio.IsZero() {
			res.Stats.FirstAudioMs = ms(st.FirstAudio)
			res.Played = true
		}
	} else {
		playErr = drain(ctx, src)
	}
	if pipe != nil {
		pipe.CloseWithError(playErr)
		exportDone.Wait()
	}
	res.Words = words()
	if res.Stats.FirstAudioMs == 0 {
		res.Stats.FirstAudioMs = ms(src.first)
	}
	res.Stats.Bytes = counter.n
	frames := src.samples / int64(max(res.Format.Channels, 1))
	if res.Format.SampleRate > 0 {
		res.Stats.AudioSeconds = float64(frames) / float64(res.Format.SampleRate)
	}
	var fromSource sourceError
	if exportErr != nil && ctx.Err() == nil && !errors.As(exportErr, &fromSource) {
		// The export failing is what stopped the stream; say that.
		if providers.KindOf(exportErr) == providers.KindValidation {
			return res, exportErr
		}
		return res, fmt.Errorf("writing %s: %w", job.Out, exportErr)
	}
	if playErr != nil {
		return res, decodeError(job.Provider, ctx, playErr)
	}
	if plan != nil {
		if plan.raw {
			// The decoder may stop before the transport's last bytes; keep them all.
			if _, err := io.Copy(io.Discard, br); err != nil {
				return res, decodeError(job.Provider, ctx, err)
			}
			if plan.enc == audio.WAV {
				if err := export.FixWAVSizes(plan.file.File); err != nil {
					return res, fmt.Errorf("writing %s: %w", job.Out, err)
				}
			}
		}
		if err := plan.file.Commit(); err != nil {
			return res, err
		}
	}
	res.Stats.TotalMs = ms(time.Now())
	job.event(StageDone, "", res.Stats)
	return res, nil
}

// decodeError keeps cancellation and provider errors as they are and names
// everything else as a broken stream.
func decodeError(provider string, ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var pe *providers.Error
	if errors.As(err, &pe) || errors.Is(err, context.Canceled) {
		return err
	}
	return &providers.Error{Provider: provider, Kind: providers.KindCutStream,
		Message: err.Error(), Hint: "try again; if it keeps happening, choose another format", Err: err}
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

// drain pulls a source to its end without playing it.
func drain(ctx context.Context, src audio.Source) error {
	buf := make([]float32, 8192)
	for {
		_, err := src.Read(buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// countingReader counts bytes and notes when the first arrived.
type countingReader struct {
	r     io.Reader
	n     int64
	first time.Time
	err   error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 && c.first.IsZero() {
		c.first = time.Now()
	}
	c.n += int64(n)
	if err != nil {
		c.err = err
	}
	return n, err
}

// meteredSource counts samples, notes the first, and copies them to tee.
type meteredSource struct {
	audio.Source
	ctx     context.Context
	tee     *audio.Pipe
	samples int64
	first   time.Time
}

func (m *meteredSource) Read(p []float32) (int, error) {
	n, err := m.Source.Read(p)
	if n > 0 {
		if m.first.IsZero() {
			m.first = time.Now()
		}
		m.samples += int64(n)
		if m.tee != nil {
			if terr := m.tee.Write(m.ctx, p[:n]); terr != nil && err == nil {
				err = terr
			}
		}
	}
	return n, err
}

// OutputName suggests a file name for an export: the text's first words.
func OutputName(text string, enc audio.Encoding) string {
	words := strings.Fields(text)
	if len(words) > 6 {
		words = words[:6]
	}
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			return r
		case r == ' ':
			return '-'
		}
		if r > 127 {
			return r
		}
		return -1
	}, strings.Join(words, " "))
	name = strings.Trim(name, "-")
	if name == "" {
		name = "speech"
	}
	return name + enc.Extension()
}
