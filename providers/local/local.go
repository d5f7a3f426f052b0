// Package local is the offline text-to-speech engine: espeak-ng run as a
// subprocess. It needs no key and no network, so it is Chorus's default and a
// new user hears speech on first launch.
package local

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os/exec"
	"strings"
	"sync"

	"chorus/audio"
	"chorus/internal/childenv"
	"chorus/providers"
)

// ID is the local provider's identifier.
const ID = "local"

// DefaultVoice is the voice used when none is chosen.
const DefaultVoice = "en-us"

// Words per minute at speed 1.0 (espeak-ng's own default), and the range
// espeak-ng accepts.
const (
	baseWPM = 175
	minWPM  = 80
	maxWPM  = 450
)

// SampleRate is the rate espeak-ng always produces.
const SampleRate = 22050

// Program is the espeak-ng executable looked up on PATH. Tests may point it
// elsewhere to simulate a missing engine.
var Program = "espeak-ng"

func init() {
	providers.Register(providers.Registration{
		Info:         info,
		Capabilities: caps,
		New:          func(providers.Config) (providers.Provider, error) { return &Engine{}, nil },
		Order:        0,
	})
}

var info = providers.Info{
	ID:          ID,
	Name:        "Local (espeak-ng)",
	Description: "Offline voices from espeak-ng: no key, no network",
	Website:     "https://github.com/espeak-ng/espeak-ng",
}

// Engine is the espeak-ng provider.
type Engine struct {
	once   sync.Once
	voices []providers.Voice
	err    error
}

// Info describes the provider.
func (e *Engine) Info() providers.Info { return info }

// Capabilities: WAV out at 22050 Hz mono, speed 0.5 to 2.5 (80 to 450 words
// per minute).
func (e *Engine) Capabilities() providers.Capabilities { return caps }

var caps = providers.Capabilities{
	Models:            []providers.Model{{ID: "espeak-ng", Name: "espeak-ng"}},
	Formats:           []string{"wav"},
	DefaultSampleRate: SampleRate,
	Speed:             providers.Range{Min: 0.5, Max: 2.5, Default: 1},
	MaxChars:          100_000,
	Streaming:         true,
	Phonemes:          []string{providers.PhonemesEspeak}, // [[…]]; its SSML ignores <phoneme ph>
}

// notInstalled explains how to get espeak-ng.
func notInstalled(err error) error {
	return &providers.Error{Provider: ID, Kind: providers.KindUnavailable,
		Message: "espeak-ng is not installed",
		Hint: "install it (Debian/Ubuntu: sudo apt install espeak-ng; Fedora: sudo dnf install espeak-ng; " +
			"macOS: brew install espeak-ng; Windows: the installer from github.com/espeak-ng/espeak-ng/releases), then try again",
		Err: err}
}

// Voices lists espeak-ng's voices by the names `espeak-ng -v` takes.
func (e *Engine) Voices(ctx context.Context, model string) ([]providers.Voice, error) {
	e.once.Do(func() { e.voices, e.err = listVoices(ctx) })
	if e.err != nil {
		// A failed listing is retried next time (e.g. after installing).
		err := e.err
		e.once = sync.Once{}
		return nil, err
	}
	return e.voices, nil
}

func listVoices(ctx context.Context) ([]providers.Voice, error) {
	path, err := exec.LookPath(Program)
	if err != nil {
		return nil, notInstalled(err)
	}
	cmd := exec.CommandContext(ctx, path, "--voices")
	cmd.Env = childenv.Environ()
	out, err := cmd.Output()
	if err != nil {
		return nil, &providers.Error{Provider: ID, Kind: providers.KindUnavailable,
			Message: "espeak-ng --voices failed: " + err.Error(), Hint: "check the espeak-ng installation"}
	}
	return ParseVoices(out), nil
}

// ParseVoices reads the table printed by `espeak-ng --voices`:
//
//	Pty Language       Age/Gender VoiceName          File                 Other Languages
//	 5  af              --/M      Afrikaans          gmw/af
func ParseVoices(out []byte) []providers.Voice {
	var voices []providers.Voice
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 || f[0] == "Pty" {
			continue
		}
		id := f[1]
		if seen[id] {
			continue
		}
		seen[id] = true
		gender := ""
		if g := f[2]; strings.HasSuffix(g, "/M") {
			gender = "male"
		} else if strings.HasSuffix(g, "/F") {
			gender = "female"
		}
		voices = append(voices, providers.Voice{ID: id, Name: strings.ReplaceAll(f[3], "_", " "),
			Language: id, Gender: gender})
	}
	return voices
}

// WPM converts a speed multiplier to espeak-ng's words per minute, clamped to
// what espeak-ng accepts.
func WPM(speed float64) int {
	if speed <= 0 {
		speed = 1
	}
	w := int(math.Round(baseWPM * speed))
	return max(minWPM, min(maxWPM, w))
}

// Synthesize runs espeak-ng for a prepared request (see providers.Prepare)
// with the text on stdin (never in argv) and
// streams its WAV output as it is produced.
func (e *Engine) Synthesize(ctx context.Context, req providers.Request) (*providers.Audio, error) {
	path, err := exec.LookPath(Program)
	if err != nil {
		return nil, notInstalled(err)
	}
	voice := req.Voice
	if voice == "" {
		voice = DefaultVoice
	}
	if strings.HasPrefix(voice, "-") || strings.ContainsAny(voice, " \t\n") {
		return nil, providers.Invalid(ID, "voice %q is not an espeak-ng voice name; run `chorus voices --provider local` for the list", voice)
	}
	ctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, path, "--stdin", "--stdout", "-v", voice, "-s", fmt.Sprint(WPM(req.Speed)))
	cmd.Env = childenv.Environ() // no API key reaches espeak-ng
	cmd.Stdin = strings.NewReader(req.Text)
	var stderr bytes.Buffer
	cmd.Stderr = &limitedWriter{w: &stderr, n: 4096}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, notInstalled(err)
	}
	body := &processBody{ctx: ctx, r: stdout, cmd: cmd, cancel: cancel, stderr: &stderr, voice: voice}
	// espeak-ng reports an unknown voice on stderr and writes nothing; peek
	// at the header so that case is a clear error rather than an empty clip.
	head := make([]byte, 12)
	if _, err := io.ReadFull(stdout, head); err != nil {
		body.Close()
		return nil, body.failure(err)
	}
	body.head = head
	return &providers.Audio{Body: body, Encoding: audio.WAV, Requests: 1}, nil
}

// processBody streams espeak-ng's stdout and reaps the process on Close.
type processBody struct {
	ctx    context.Context
	head   []byte
	r      io.Reader
	cmd    *exec.Cmd
	cancel context.CancelFunc
	stderr *bytes.Buffer
	voice  string
	eof    bool // stdout ended; the pipe is closed after wait

	waitOnce sync.Once
	waitErr  error
}

// wait reaps espeak-ng once, however many goroutines ask.
func (b *processBody) wait() error {
	b.waitOnce.Do(func() { b.waitErr = b.cmd.Wait() })
	return b.waitErr
}

func (b *processBody) Read(p []byte) (int, error) {
	if len(b.head) > 0 {
		n := copy(p, b.head)
		b.head = b.head[n:]
		return n, nil
	}
	if b.eof {
		return 0, io.EOF
	}
	n, err := b.r.Read(p)
	if err == io.EOF {
		b.eof = true
		if werr := b.wait(); werr != nil {
			return n, b.failure(werr)
		}
	}
	return n, err
}

// Close stops espeak-ng if it is still running and releases it.
func (b *processBody) Close() error {
	b.cancel()
	b.wait()
	return nil
}

func (b *processBody) failure(err error) error {
	msg := strings.TrimSpace(b.stderr.String())
	if strings.Contains(msg, "voice") || strings.Contains(strings.ToLower(msg), "unknown") {
		return providers.Invalid(ID, "espeak-ng has no voice %q; run `chorus voices --provider local` for the list", b.voice)
	}
	if cerr := b.ctx.Err(); cerr != nil {
		return cerr
	}
	if msg == "" {
		msg = err.Error()
	}
	return &providers.Error{Provider: ID, Kind: providers.KindServer, Message: "espeak-ng failed: " + msg, Err: err}
}

// limitedWriter keeps at most n bytes.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
