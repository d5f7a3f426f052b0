// Package piper is Chorus's natural local voice engine: Piper (VITS) neural
// voices run on this computer by sherpa-onnx. No key, no network once a voice
// is installed (see package voices). Audio streams one sentence at a time.
package piper

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"chorus/audio"
	"chorus/internal/childenv"
	"chorus/providers"
	"chorus/voices"
)

// ID is the provider's identifier.
const ID = "piper"

// ThreadsEnv overrides the number of inference threads (1 to 8).
const ThreadsEnv = "CHORUS_PIPER_THREADS"

// EspeakDataEnv overrides where espeak-ng-data is looked for.
const EspeakDataEnv = "CHORUS_ESPEAK_DATA"

// SentencePause is the silence put between two sentences at speed 1.
const SentencePause = 250 * time.Millisecond

func init() {
	providers.Register(providers.Registration{
		Info:         info,
		Capabilities: caps,
		New:          func(cfg providers.Config) (providers.Provider, error) { return &Engine{settings: cfg.Settings}, nil },
		Order:        1,
	})
}

var info = providers.Info{
	ID:          ID,
	Name:        "Natural voices (Piper)",
	Description: "Natural neural voices on this computer: no key, no network after one download",
	Website:     "https://github.com/rhasspy/piper",
}

// Engine is the Piper provider. Models are shared by every Engine of the
// process: each voice is loaded once and kept.
type Engine struct {
	settings map[string]string
}

// Info describes the provider.
func (e *Engine) Info() providers.Info { return info }

// Capabilities: raw 16-bit PCM at the voice's rate (22,050 Hz for medium
// voices), speed 0.5 to 2, streamed sentence by sentence.
func (e *Engine) Capabilities() providers.Capabilities { return caps }

var caps = providers.Capabilities{
	Models:    []providers.Model{{ID: "piper", Name: "Piper"}},
	Formats:   []string{"pcm"},
	Speed:     providers.Range{Min: 0.5, Max: 2, Default: 1},
	MaxChars:  100_000,
	Streaming: true,
	Options: []providers.Option{{Key: "threads", Label: "Threads",
		Help:    "CPU threads for the neural network (more is faster, up to the number of cores)",
		Range:   &providers.Range{Min: 1, Max: 8, Default: float64(DefaultThreads())},
		Default: strconv.Itoa(DefaultThreads())}},
}

// DefaultThreads is every core, up to 4.
func DefaultThreads() int { return min(runtime.NumCPU(), 4) }

func (e *Engine) threads(req providers.Request) (int, error) {
	s := req.Options["threads"]
	if s == "" {
		s = e.settings["threads"]
	}
	if s == "" {
		s = os.Getenv(ThreadsEnv)
	}
	if s == "" {
		return DefaultThreads(), nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 8 {
		return 0, &providers.Error{Provider: ID, Kind: providers.KindValidation,
			Message: fmt.Sprintf("threads %q is not a number from 1 to 8", s)}
	}
	return n, nil
}

// Voices lists the installed voices; each speaker of a multi-speaker voice
// is a voice of its own, "<voice>#<speaker>".
func (e *Engine) Voices(ctx context.Context, model string) ([]providers.Voice, error) {
	dir, err := voices.Dir()
	if err != nil {
		return nil, err
	}
	list, err := voices.List(dir)
	if err != nil {
		return nil, err
	}
	var out []providers.Voice
	for _, v := range list {
		if len(v.Speaker) <= 1 {
			out = append(out, providers.Voice{ID: v.ID, Name: v.Name, Language: v.Voice.Language,
				Description: v.Quality + " quality"})
			continue
		}
		for _, s := range v.Speaker {
			out = append(out, providers.Voice{ID: v.ID + "#" + s, Name: v.Name + " " + s,
				Language: v.Voice.Language, Description: v.Quality + " quality"})
		}
	}
	return out, nil
}

// DefaultVoice picks the voice used when none is asked for: the first
// installed English voice, else the first installed voice; "" when none.
func DefaultVoice() string {
	dir, err := voices.Dir()
	if err != nil {
		return ""
	}
	list, _ := voices.List(dir)
	for _, v := range list {
		if strings.HasPrefix(v.Voice.Language, "en") {
			return v.ID
		}
	}
	if len(list) > 0 {
		return list[0].ID
	}
	return ""
}

func noVoice() error {
	return &providers.Error{Provider: ID, Kind: providers.KindUnavailable,
		Message: "no natural voice is installed",
		Hint:    "download one in Voices (Edit menu), or with `chorus voices install en_GB-jenny_dioco-medium` (`chorus voices --available` lists them)"}
}

// model is one loaded voice.
type model struct {
	mu       sync.Mutex // one synthesis at a time
	tts      *offlineTts
	rate     int
	speakers int
	names    []string
	load     time.Duration
}

type modelKey struct {
	dir     string
	threads int
}

var (
	modelsMu sync.Mutex
	models   = map[modelKey]*model{}
	lastLoad sync.Map // voice ID -> time.Duration
)

// LoadTime is how long loading the voice took in this process, 0 if it is not
// loaded. --stats reports it as load_ms.
func LoadTime(voiceID string) time.Duration {
	id, _, _ := strings.Cut(voiceID, "#")
	if d, ok := lastLoad.Load(id); ok {
		return d.(time.Duration)
	}
	return 0
}

// Preload loads a voice ahead of the first Speak (the GUI calls it when a
// voice is picked). Loading takes a few seconds; later calls return at once.
func Preload(voiceID string, threads int) error {
	if threads <= 0 {
		threads = DefaultThreads()
	}
	id, _, _ := strings.Cut(voiceID, "#")
	_, err := loadModel(id, threads)
	return err
}

// Unload frees every loaded voice (tests, and Remove of a voice in use).
func Unload() {
	modelsMu.Lock()
	defer modelsMu.Unlock()
	for k, m := range models {
		m.mu.Lock()
		deleteOfflineTts(m.tts)
		m.mu.Unlock()
		delete(models, k)
	}
}

var (
	espeakOnce sync.Once
	espeakDir  string
	espeakErr  error
)

// EspeakData finds espeak-ng-data: $CHORUS_ESPEAK_DATA, else the folder the
// system espeak-ng reports ("Data at: …" in espeak-ng --version).
func EspeakData() (string, error) {
	if d := os.Getenv(EspeakDataEnv); d != "" {
		return checkEspeakData(d)
	}
	espeakOnce.Do(func() {
		cmd := exec.Command("espeak-ng", "--version")
		cmd.Env = childenv.Environ()
		out, err := cmd.Output()
		if err != nil {
			espeakErr = &providers.Error{Provider: ID, Kind: providers.KindUnavailable,
				Message: "espeak-ng is not installed; natural voices need its espeak-ng-data for pronunciation",
				Hint:    "install espeak-ng (Debian/Ubuntu: sudo apt install espeak-ng), or set " + EspeakDataEnv + " to an espeak-ng-data folder",
				Err:     err}
			return
		}
		_, after, ok := strings.Cut(string(out), "Data at:")
		if !ok {
			espeakErr = &providers.Error{Provider: ID, Kind: providers.KindUnavailable,
				Message: "espeak-ng --version does not say where its data is",
				Hint:    "set " + EspeakDataEnv + " to the espeak-ng-data folder"}
			return
		}
		espeakDir, espeakErr = checkEspeakData(strings.TrimSpace(after))
	})
	return espeakDir, espeakErr
}

func checkEspeakData(d string) (string, error) {
	if _, err := os.Stat(d + "/phontab"); err != nil {
		return "", &providers.Error{Provider: ID, Kind: providers.KindUnavailable,
			Message: fmt.Sprintf("%s is not an espeak-ng-data folder (no phontab)", d),
			Hint:    "install espeak-ng-data (Debian/Ubuntu: sudo apt install espeak-ng-data), or set " + EspeakDataEnv, Err: err}
	}
	return d, nil
}

func loadModel(id string, threads int) (*model, error) {
	dir, err := voices.Dir()
	if err != nil {
		return nil, err
	}
	inst, err := voices.Open(dir, id)
	if errors.Is(err, voices.ErrNotInstalled) {
		return nil, &providers.Error{Provider: ID, Kind: providers.KindValidation,
			Message: fmt.Sprintf("voice %q is not installed", id),
			Hint:    "download it in Voices (Edit menu) or with `chorus voices install " + id + "`, or pick an installed voice"}
	}
	if err != nil {
		return nil, &providers.Error{Provider: ID, Kind: providers.KindUnavailable, Message: err.Error(),
			Hint: "remove the voice and install it again"}
	}
	key := modelKey{inst.Dir, threads}
	modelsMu.Lock()
	defer modelsMu.Unlock()
	if m, ok := models[key]; ok {
		return m, nil
	}
	data, err := EspeakData()
	if err != nil {
		return nil, err
	}
	if err := checkModel(inst); err != nil {
		return nil, err
	}
	start := time.Now()
	cfg := offlineTtsConfig{MaxNumSentences: 1}
	cfg.Model.Vits.Model = inst.Path(voices.ModelFile)
	cfg.Model.Vits.Tokens = inst.Path(voices.TokensFile)
	cfg.Model.Vits.DataDir = data
	cfg.Model.Vits.NoiseScale = 0.667
	cfg.Model.Vits.NoiseScaleW = 0.8
	// The length scale stays the model's own (1); each request's speed
	// divides it (sherpa-onnx applies length_scale / speed).
	cfg.Model.Vits.LengthScale = 1
	cfg.Model.NumThreads = threads
	cfg.Model.Provider = "cpu"
	tts := newOfflineTts(&cfg)
	if tts == nil {
		return nil, &providers.Error{Provider: ID, Kind: providers.KindUnavailable,
			Message: fmt.Sprintf("voice %s could not be loaded: the model is corrupt or not a Piper voice", id),
			Hint:    "remove the voice and download it again in Voices (Edit menu), or with `chorus voices remove " + id + "` and `chorus voices install " + id + "`"}
	}
	m := &model{tts: tts, rate: tts.SampleRate(), speakers: tts.NumSpeakers(), names: inst.Speaker,
		load: time.Since(start)}
	models[key] = m
	lastLoad.Store(id, m.load)
	return m, nil
}

// checkModel catches a damaged model before the native library sees it
// (ONNX Runtime aborts the process on some malformed files): the model must
// be the size the catalog lists plus the metadata the installer appended.
func checkModel(inst voices.Installed) error {
	st, err := os.Stat(inst.Path(voices.ModelFile))
	if err != nil {
		return &providers.Error{Provider: ID, Kind: providers.KindUnavailable,
			Message: fmt.Sprintf("voice %s was removed or is damaged: %v", inst.ID, err),
			Hint:    "download it again in Voices (Edit menu), or with `chorus voices install " + inst.ID + "`"}
	}
	for _, f := range inst.Files {
		if f.Name == voices.ModelFile && st.Size() <= f.Size {
			return &providers.Error{Provider: ID, Kind: providers.KindUnavailable,
				Message: fmt.Sprintf("voice %s is damaged: its model has %d bytes, expected more than %d", inst.ID, st.Size(), f.Size),
				Hint:    "remove it and download it again in Voices (Edit menu), or with `chorus voices remove " + inst.ID + "` and `chorus voices install " + inst.ID + "`"}
		}
	}
	return nil
}

// speaker resolves "<voice>#<speaker>" to the voice ID and speaker number.
func speaker(voice string, m *model) (int, error) {
	_, s, ok := strings.Cut(voice, "#")
	if !ok || s == "" {
		return 0, nil
	}
	for i, n := range m.names {
		if n == s {
			return i, nil
		}
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < max(m.speakers, 1) {
		return n, nil
	}
	return 0, &providers.Error{Provider: ID, Kind: providers.KindValidation,
		Message: fmt.Sprintf("voice %q has no speaker %q", voice, s),
		Hint:    "list the speakers with chorus voices --provider piper"}
}

// sentenceEnd matches the end of a sentence: . ! ? … (with closing quotes
// or brackets) followed by space, or a line break.
var sentenceEnd = regexp.MustCompile(`[.!?…]+["'”’)\]]*\s+|\n\s*`)

// Sentences splits text into the sentences synthesized one at a time.
func Sentences(text string) []string {
	var out []string
	for {
		loc := sentenceEnd.FindStringIndex(text)
		end := len(text)
		next := len(text)
		if loc != nil {
			end, next = loc[1], loc[1]
		}
		if s := strings.TrimSpace(text[:end]); s != "" {
			out = append(out, s)
		}
		if loc == nil {
			return out
		}
		text = text[next:]
	}
}

// Synthesize streams a prepared request's text (see providers.Prepare) as 16-bit PCM, one sentence per sherpa-onnx
// callback. Words receives one boundary per sentence. Cancelling ctx (or
// closing Body) ends the stream at once; the engine stops at the end of the
// sentence it is computing, through the callback's return value.
func (e *Engine) Synthesize(ctx context.Context, req providers.Request) (*providers.Audio, error) {
	sentences := Sentences(req.Text)
	if len(sentences) == 0 {
		return nil, &providers.Error{Provider: ID, Kind: providers.KindValidation, Message: "no text to speak"}
	}
	speed := req.Speed
	if speed == 0 {
		speed = 1
	}
	threads, err := e.threads(req)
	if err != nil {
		return nil, err
	}
	voice := req.Voice
	if voice == "" {
		if voice = DefaultVoice(); voice == "" {
			return nil, noVoice()
		}
	}
	id, _, _ := strings.Cut(voice, "#")
	m, err := loadModel(id, threads)
	if err != nil {
		return nil, err
	}
	sid, err := speaker(voice, m)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	words := make(chan providers.WordBoundary, 2*len(sentences))
	stop := context.AfterFunc(ctx, func() { pw.CloseWithError(ctx.Err()) })
	go func() {
		defer close(words)
		defer stop()
		err := m.speak(ctx, sentences, sid, float32(speed), pw, words)
		pw.CloseWithError(err)
	}()
	return &providers.Audio{Body: &body{PipeReader: pr, cancel: cancel}, Encoding: audio.PCM,
		Format: audio.Format{SampleRate: m.rate, Channels: 1}, Words: words, Requests: 1}, nil
}

// body cancels the synthesis when closed.
type body struct {
	*io.PipeReader
	cancel context.CancelFunc
}

func (b *body) Close() error {
	b.cancel()
	return b.PipeReader.Close()
}

// Callbacks counts sherpa-onnx callbacks in this process (tests check one
// per sentence).
var Callbacks struct {
	sync.Mutex
	N int
}

func (m *model) speak(ctx context.Context, sentences []string, sid int, speed float32, w io.Writer, words chan<- providers.WordBoundary) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	pause := make([]byte, 2*int(float64(m.rate)*SentencePause.Seconds()/float64(speed)))
	var pos int64 // frames written
	for i, s := range sentences {
		if err := ctx.Err(); err != nil {
			return err
		}
		var pcm []byte
		var werr error
		m.tts.GenerateWithCallback(s, sid, speed, func(samples []float32) bool {
			Callbacks.Lock()
			Callbacks.N++
			Callbacks.Unlock()
			if ctx.Err() != nil {
				return false
			}
			pcm = appendPCM(pcm[:0], samples)
			frames := int64(len(samples))
			select { // never blocks: a reader may ignore Words
			case words <- providers.WordBoundary{Text: s, Offset: frameTime(pos, m.rate), Duration: frameTime(frames, m.rate)}:
			default:
			}
			if _, werr = w.Write(pcm); werr != nil {
				return false
			}
			pos += frames
			return ctx.Err() == nil
		})
		if werr != nil {
			return werr
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if i < len(sentences)-1 {
			if _, err := w.Write(pause); err != nil {
				return err
			}
			pos += int64(len(pause) / 2)
		}
	}
	return nil
}

func frameTime(frames int64, rate int) time.Duration {
	return time.Duration(frames) * time.Second / time.Duration(rate)
}

func appendPCM(b []byte, samples []float32) []byte {
	for _, s := range samples {
		v := int16(math.Round(float64(max(-1, min(1, s))) * 32767))
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

// LoadTime is how long loading the request's voice took in this process
// (core.LoadTimer: --stats shows it as load_ms).
func (e *Engine) LoadTime(voice string) time.Duration {
	if voice == "" {
		voice = DefaultVoice()
	}
	return LoadTime(voice)
}
