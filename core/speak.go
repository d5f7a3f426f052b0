package core

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/cache"
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
	// OpenPlayer, when set and neither Sink nor Player is, opens the
	// transport to play through; the pipeline calls it from its worker
	// once the job has been checked, so a front end never waits for the
	// device on its UI goroutine. Its error is the device's.
	OpenPlayer func() (*player.Transport, error)

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
	Subtitles   string // write subtitles here (.srt, .vtt or .lrc); "" for none
	Title       string // the work's title, when known: LRC subtitles carry it ([ti:])
	PerChunkDir string // also write one file per chunk into this folder
	Sidecar     bool   // also write <Out>.json describing the export
	NoCache     bool   // neither read nor write the engine's cache
	// OnProgress, when set, is told chunks done/total and the sentence
	// being spoken. It is called from a worker goroutine.
	OnProgress func(Progress)
	// OnSink, when set, is given the sink before playback starts, so a
	// front end can pause and resume it (across chunks: it is one stream).
	OnSink func(player.Sink)

	// SpeedGiven says Request.Speed was chosen by the user: 0 is then
	// refused like any other speed out of range instead of meaning the
	// provider's default.
	SpeedGiven bool

	// cleaned maps offsets in the text as sent (control characters
	// removed) back to Request.Text as given, for Progress.
	cleaned *cleanMap
	// referenceAdvice is what Prepare found to say about the reference
	// recording (see resolveReference), told when the job runs.
	referenceAdvice string
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
	// BilledChars is what the services said the requests cost, in billed
	// characters (ElevenLabs' character-cost header); 0 when none said.
	BilledChars int `json:"billed_chars,omitempty"`
	// CostUSD is the requests' cost from the price table, counting the
	// billed characters where the service told them, else the characters
	// sent; meaningful when CostKnown.
	CostUSD   float64 `json:"cost_usd,omitempty"`
	CostKnown bool    `json:"cost_known,omitempty"`
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
	Words    []WordTiming   // every word timing the provider sent, in the whole text and audio
	Out      string         // the file written, if any
	Played   bool           // whether it was heard (false when there is no device)
	Chunks   []ChunkTiming  // where each chunk sits in the audio (chunked runs only)
	// Notices are what the user should know about the run, the same
	// messages the StageNotice events carried (e.g. control characters
	// removed from the text).
	Notices []string
}

func (j *Job) event(stage Stage, msg string, st Stats) {
	if j.OnEvent != nil {
		j.OnEvent(Event{Stage: stage, Message: msg, Stats: st})
	}
}

// Prepare resolves the provider and checks the request and the output
// without sending anything. Start and Speak call it (Start also plans the
// chunks and opens the outputs); a front end that must check a job before
// it can complete it (the GUI opens its player afterwards) calls it to
// report validation errors before starting work. It reads the voice to
// clone named by the reference options into job.Request.Reference (see
// resolveReference).
func (e *Engine) Prepare(job *Job) (providers.Provider, providers.Request, error) {
	p, err := e.Provider(job.Provider, job.BaseURL)
	if err != nil {
		return nil, providers.Request{}, err
	}
	caps := p.Capabilities()
	// The reference options become Request.Reference, once: a job
	// Prepare has checked is started with the recording already read.
	resolved, advice, err := resolveReference(job.Provider, job.Request, caps)
	if err != nil {
		return nil, job.Request, err
	}
	job.Request.Options, job.Request.Reference = resolved.Options, resolved.Reference
	if advice != "" {
		job.referenceAdvice = advice
	}
	req := job.Request
	req.Text, _ = CleanText(req.Text)
	if job.SpeedGiven && req.Speed <= 0 {
		if caps.Speed.Max > 0 {
			return nil, req, providers.Invalid(job.Provider, "speed %g is out of range; allowed: %g to %g (1 is normal)", req.Speed, caps.Speed.Min, caps.Speed.Max)
		}
		return nil, req, providers.Invalid(job.Provider, "speed %g is out of range; this provider has no speed setting, so leave it at 1", req.Speed)
	}
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
			return nil, req, providers.Invalid(job.Provider, "cannot tell the format of %q from its extension; name it %s, or choose the format", filepath.Base(job.Out), codec.ExportExtensionList())
		}
		job.OutFormat = enc
		if req.Format == "" && slices.Contains(caps.Formats, string(enc)) {
			req.Format = string(enc)
		}
	}
	// The one check of the request before any provider sees it: the
	// provider's own defaults and rules, and the capabilities (see
	// providers.Prepare), on the first chunk's worth of the text.
	full := req.Text
	req, err = providers.Prepare(p, perRequest(req, caps))
	req.Text = full
	if err != nil {
		return nil, req, err
	}
	if job.Out != "" && job.OutFormat == "" {
		job.OutFormat = audio.Encoding(req.Format)
	}
	return p, req, nil
}

// Speak runs a job to the end: request, play and/or export, measure.
// Every job, one sentence or a book, runs through the same pipeline: the
// chunk plan, the fetch scheduler, the concatenated stream, the outputs
// and the commit. Cancelling ctx stops the requests and the sound at once
// and leaves no file. Speak is Start followed by Wait.
func (e *Engine) Speak(ctx context.Context, job Job) (*Result, error) {
	pj, err := e.prepareJob(&job, true)
	if err != nil {
		return nil, err
	}
	return pj.run(ctx)
}

// Start checks a job as Speak does — the provider, the request, the chunk
// plan and every output (an existing file without Force, a folder that
// cannot be written) — and returns that error at once, before anything is
// sent; then it runs the job in the background. Front ends call it on
// their UI goroutine to report a mistake before they start working, and
// Wait (or Done) for the outcome.
func (e *Engine) Start(ctx context.Context, job Job) (*Run, error) {
	pj, err := e.prepareJob(&job, true)
	if err != nil {
		return nil, err
	}
	r := &Run{done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.res, r.err = pj.run(ctx)
	}()
	return r, nil
}

// Run is a job Start has checked and set going.
type Run struct {
	done chan struct{}
	res  *Result
	err  error
}

// Done is closed when the job has finished, well or not.
func (r *Run) Done() <-chan struct{} { return r.done }

// Wait waits for the job to finish and returns what Speak would have.
func (r *Run) Wait() (*Result, error) {
	<-r.done
	return r.res, r.err
}

// preparedJob is a job checked and planned, its outputs open, ready to run.
type preparedJob struct {
	e        *Engine
	job      *Job
	p        providers.Provider
	req      providers.Request
	states   []*chunkState
	store    *cache.Store
	out      *outputs // nil until opened
	stripped int      // control characters removed from the text
}

// prepareJob does everything before the first request: clean the text,
// resolve and validate (Prepare), check the job, plan the chunks and,
// with open, open the outputs.
func (e *Engine) prepareJob(job *Job, open bool) (*preparedJob, error) {
	clean, stripped := CleanText(job.Request.Text)
	if stripped > 0 {
		job.cleaned = newCleanMap(job.Request.Text)
	}
	job.Request.Text = clean
	p, req, err := e.Prepare(job)
	if err != nil {
		return nil, err
	}
	caps := p.Capabilities()
	if err := checkJob(job, caps); err != nil {
		return nil, err
	}
	states, err := planChunks(job, caps, req)
	if err != nil {
		return nil, err
	}
	pj := &preparedJob{e: e, job: job, p: p, req: req, states: states, stripped: stripped}
	if !job.NoCache {
		pj.store = e.Cache
	}
	if open {
		if pj.out, err = openOutputs(job, states, req); err != nil {
			return nil, err
		}
	}
	return pj, nil
}

// run tells the notices and runs the pipeline.
func (pj *preparedJob) run(ctx context.Context) (*Result, error) {
	var notices []string
	notice := func(msg string) {
		notices = append(notices, msg)
		pj.job.event(StageNotice, msg, Stats{})
	}
	if pj.stripped > 0 {
		notice(strippedNotice(pj.stripped))
	}
	if w, ok := pj.p.(providers.Warner); ok && w.Warning() != "" {
		notice(w.Warning())
	}
	if pj.job.referenceAdvice != "" {
		notice(pj.job.referenceAdvice)
	}
	res, err := pj.e.runChunks(ctx, pj.job, pj.p, pj.store, pj.states, pj.req, pj.out)
	if res != nil {
		res.Notices = append(notices, res.Notices...)
	}
	return res, err
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
