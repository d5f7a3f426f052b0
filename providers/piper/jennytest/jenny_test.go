package jennytest

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	jenny "github.com/amitybell/piper-voice-jenny"
	"github.com/klauspost/compress/zstd"
	"go.uber.org/goleak"

	"chorus/core"
	"chorus/internal/audiotest"
	"chorus/providers"
	"chorus/providers/piper"
	"chorus/providers/providertest"
	"chorus/voices"
)

const voiceID = "en_GB-jenny_dioco-medium"

var (
	assetOnce       sync.Once
	modelB, configB []byte
	assetErr        error
)

// asset unpacks the voice from the module's dist.tar.zst.
func asset(t *testing.T) ([]byte, []byte) {
	t.Helper()
	assetOnce.Do(func() {
		f, err := jenny.Asset.FS.Open("dist.tar.zst")
		if err != nil {
			assetErr = err
			return
		}
		defer f.Close()
		zr, err := zstd.NewReader(f)
		if err != nil {
			assetErr = err
			return
		}
		defer zr.Close()
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				assetErr = err
				return
			}
			switch h.Name {
			case "voice.onnx":
				modelB, assetErr = io.ReadAll(tr)
			case "voice.json":
				configB, assetErr = io.ReadAll(tr)
			}
			if assetErr != nil {
				return
			}
		}
		if modelB == nil || configB == nil {
			assetErr = errors.New("dist.tar.zst has no voice.onnx or voice.json")
		}
	})
	if assetErr != nil {
		t.Fatal(assetErr)
	}
	return modelB, configB
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// serve starts a catalog server with three entries of the same voice: the
// real one, one whose listed digest is wrong, one whose model is cut in the
// middle of the transfer.
func serve(t *testing.T) string {
	model, cfg := asset(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/catalog.json":
			entry := func(id, modelURL, modelSum string) string {
				return fmt.Sprintf(`{"id":%q,"name":"Jenny","language":"en-GB","quality":"medium","sample_rate":22050,"speakers":1,`+
					`"license":"Jenny TTS dataset licence","attribution":"Jenny (Dioco)","files":[`+
					`{"name":"model.onnx","url":%q,"size":%d,"sha256":%q},`+
					`{"name":"model.onnx.json","url":"files/config.json","size":%d,"sha256":%q}]}`,
					id, modelURL, len(model), modelSum, len(cfg), sum(cfg))
			}
			fmt.Fprintf(w, `{"voices":[%s,%s,%s]}`,
				entry(voiceID, "files/model.onnx", sum(model)),
				entry("jenny-bad-digest", "files/model.onnx", sum(cfg)),
				entry("jenny-cut", "files/cut.onnx", sum(model)))
		case "/files/model.onnx":
			w.Write(model)
		case "/files/cut.onnx":
			w.Header().Set("Content-Length", fmt.Sprint(len(model)))
			w.Write(model[:len(model)/2])
			panic(http.ErrAbortHandler)
		case "/files/config.json":
			w.Write(cfg)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/catalog.json"
}

var (
	installOnce sync.Once
	installErr  error
	voicesDir   string
)

// install puts Jenny in a voices folder of its own, through the real
// catalog and download path.
func install(t *testing.T) {
	t.Helper()
	installOnce.Do(func() {
		d, err := os.MkdirTemp("", "chorus-voices-")
		if err != nil {
			installErr = err
			return
		}
		voicesDir = d
		os.Setenv("CHORUS_VOICES_DIR", d)
	})
	if installErr != nil {
		t.Fatal(installErr)
	}
	t.Setenv(voices.CatalogEnv, serve(t))
	cat, err := voices.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	v, ok := cat.Find(voiceID)
	if !ok {
		t.Fatalf("catalog has no %s: %v", voiceID, cat.IDs())
	}
	if _, err := voices.Install(context.Background(), voicesDir, v, voices.Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	piper.Unload()
	if voicesDir != "" {
		os.RemoveAll(voicesDir)
	}
	os.Exit(code)
}

func TestInstallFromCatalog(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(voices.CatalogEnv, serve(t))
	cat, err := voices.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"jenny-bad-digest", "jenny-cut"} {
		v, _ := cat.Find(id)
		_, err := voices.Install(context.Background(), dir, v, voices.Options{})
		t.Logf("%s: %v", id, err)
		if err == nil {
			t.Fatalf("%s was installed", id)
		}
		if id == "jenny-bad-digest" && !errors.Is(err, voices.ErrDigest) {
			t.Errorf("%s: %v is not a digest error", id, err)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("%s left %d entries in the voices folder", id, len(ents))
		}
	}
	v, _ := cat.Find(voiceID)
	var progress []voices.Progress
	inst, err := voices.Install(context.Background(), dir, v, voices.Options{Progress: func(p voices.Progress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	last := progress[len(progress)-1]
	if last.Done != v.Size() || last.Rate <= 0 {
		t.Errorf("last progress %+v, want %d bytes and a rate", last, v.Size())
	}
	if inst.SampleRate != 22050 || inst.Language != "English" {
		t.Errorf("installed %+v", inst)
	}
	list, _ := voices.List(dir)
	if len(list) != 1 {
		t.Errorf("%d voices installed, want 1", len(list))
	}
}

// collect reads a synthesis to the end.
func collect(t *testing.T, a *providers.Audio) ([]float64, []providers.WordBoundary) {
	t.Helper()
	var words []providers.WordBoundary
	done := make(chan struct{})
	go func() {
		for w := range a.Words {
			words = append(words, w)
		}
		close(done)
	}()
	pcm, err := io.ReadAll(a.Body)
	a.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	<-done
	return audiotest.S16(pcm), words
}

func rms(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(len(x)))
}

func TestSpeechIsReal(t *testing.T) {
	install(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	p, err := providers.Get(piper.ID, providers.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sentences := []string{
		"The rainbow is a meteorological phenomenon.",
		"It appears when sunlight meets drops of rain!",
		"Have you ever seen a double one?",
	}
	piper.Callbacks.Lock()
	before := piper.Callbacks.N
	piper.Callbacks.Unlock()
	a, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: strings.Join(sentences, " "), Voice: voiceID})
	if err != nil {
		t.Fatal(err)
	}
	if a.Format.SampleRate != 22050 || a.Format.Channels != 1 {
		t.Fatalf("format %v, want 22050 Hz mono", a.Format)
	}
	x, words := collect(t, a)
	piper.Callbacks.Lock()
	calls := piper.Callbacks.N - before
	piper.Callbacks.Unlock()
	if calls != len(sentences) || len(words) != len(sentences) {
		t.Fatalf("%d callbacks, %d boundaries for %d sentences", calls, len(words), len(sentences))
	}
	const rate = 22050.0
	t.Logf("%.2f s of audio, model loaded in %v", float64(len(x))/rate, piper.LoadTime(voiceID))
	for i, w := range words {
		if w.Text != sentences[i] {
			t.Errorf("boundary %d text %q, want %q", i, w.Text, sentences[i])
		}
		from := int(w.Offset.Seconds() * rate)
		to := min(int((w.Offset+w.Duration).Seconds()*rate), len(x))
		seg := x[from:to]
		perChar := w.Duration.Seconds() * 1000 / float64(len([]rune(w.Text)))
		// 10 ms windows louder than -40 dBFS count as voiced.
		voiced, n := 0, 0
		for j := 0; j+220 <= len(seg); j += 220 {
			n++
			if rms(seg[j:j+220]) > 0.01 {
				voiced++
			}
		}
		ratio := float64(voiced) / float64(max(n, 1))
		t.Logf("sentence %d: %.2f s, %.0f ms per character, %.0f%% voiced, rms %.3f", i+1, w.Duration.Seconds(), perChar, ratio*100, rms(seg))
		if perChar < 30 || perChar > 150 {
			t.Errorf("sentence %d: %.0f ms per character is not speech (30 to 150)", i+1, perChar)
		}
		if ratio < 0.5 || ratio > 0.99 {
			t.Errorf("sentence %d: %.0f%% of it voiced, want speech with short gaps (50%% to 99%%)", i+1, ratio*100)
		}
		if i > 0 {
			prev := words[i-1]
			gap := w.Offset - (prev.Offset + prev.Duration)
			g := x[int((prev.Offset+prev.Duration).Seconds()*rate):from]
			if gap < piper.SentencePause-time.Millisecond || rms(g) > 0.001 {
				t.Errorf("between sentences %d and %d: %v of rms %.4f, want at least %v of silence", i, i+1, gap, rms(g), piper.SentencePause)
			}
		}
	}
	// Faster speech is shorter.
	a, err = providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: sentences[0], Voice: voiceID, Speed: 1.5})
	if err != nil {
		t.Fatal(err)
	}
	fast, fw := collect(t, a)
	if len(fw) != 1 || fw[0].Duration.Seconds() > 0.8*words[0].Duration.Seconds() {
		t.Errorf("speed 1.5: %v, at speed 1 %v (%d samples)", fw, words[0].Duration, len(fast))
	}
}

func TestStopMidSentence(t *testing.T) {
	install(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	p, _ := providers.Get(piper.ID, providers.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	text := "This first sentence is short. " + strings.Repeat("And this second one goes on and on, ", 6) + "until it ends."
	a, err := providers.Checked(p).Synthesize(ctx, providers.Request{Text: text, Voice: voiceID})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for range a.Words {
		}
	}()
	buf := make([]byte, 4096)
	if _, err := io.ReadFull(a.Body, buf); err != nil { // the first sentence has arrived
		t.Fatal(err)
	}
	// Now the engine is computing the long sentence: stop it.
	errc := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, a.Body)
		if err == nil {
			err = errors.New("the stream ended normally")
		}
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	cancel()
	err = <-errc
	took := time.Since(start)
	t.Logf("Stop ended the stream %v after cancel (%v)", took, err)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("stream ended with %v, want context.Canceled", err)
	}
	if took > 100*time.Millisecond {
		t.Errorf("stop took %v, more than 100 ms", took)
	}
	a.Body.Close()
	// The engine is free again once the sentence under way ends.
	b, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Done.", Voice: voiceID})
	if err != nil {
		t.Fatal(err)
	}
	if x, _ := collect(t, b); len(x) == 0 {
		t.Error("no audio after a stop")
	}
}

func TestErrors(t *testing.T) {
	install(t)
	p, _ := providers.Get(piper.ID, providers.Config{})
	_, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Hello.", Voice: "xx_XX-nobody-medium"})
	var pe *providers.Error
	if !errors.As(err, &pe) || !strings.Contains(pe.Message, "not installed") {
		t.Errorf("unknown voice: %v", err)
	}
	// A damaged model (cut short on disk) is refused with a message before
	// the native library sees it.
	broken := voicesDir + "/broken-voice"
	os.MkdirAll(broken, 0o755)
	defer os.RemoveAll(broken)
	src := voicesDir + "/" + voiceID + "/"
	for _, name := range []string{voices.EntryFile, voices.ConfigFile, voices.TokensFile} {
		b, _ := os.ReadFile(src + name)
		os.WriteFile(broken+"/"+name, b, 0o644)
	}
	model, _ := os.ReadFile(src + voices.ModelFile)
	os.WriteFile(broken+"/"+voices.ModelFile, model[:len(model)/3], 0o644)
	_, err = providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Hello.", Voice: "broken-voice"})
	if !errors.As(err, &pe) || !strings.Contains(pe.Message, "damaged") {
		t.Errorf("damaged model: %v", err)
	}
	// A voice removed while loaded keeps speaking until the process ends;
	// the next load says it is not installed.
	os.RemoveAll(broken)
	_, err = providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Hello.", Voice: "broken-voice"})
	if !errors.As(err, &pe) || !strings.Contains(pe.Message, "not installed") {
		t.Errorf("removed voice: %v", err)
	}
	t.Setenv(piper.EspeakDataEnv, t.TempDir())
	piper.Unload()
	_, err = providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Hello.", Voice: voiceID})
	if !errors.As(err, &pe) || !strings.Contains(pe.Message, "espeak-ng-data") {
		t.Errorf("no espeak-ng-data: %v", err)
	}
}

// Jenny is heard once through oto and the PulseAudio null sink.
func TestHeardThroughDevice(t *testing.T) {
	audiotest.RequireReal(t)
	install(t)
	const rate = 22050
	rec := audiotest.Record(t, rate)
	e := &core.Engine{}
	res, err := e.Speak(context.Background(), core.Job{Provider: piper.ID,
		Request: providers.Request{Text: "Hello from a natural voice. It runs on this computer.", Voice: voiceID}, Play: true})
	if err != nil {
		t.Fatal(err)
	}
	heard := audiotest.Trim(rec.Stop(), 0.01)
	t.Logf("heard %.2f s, produced %.2f s, first audio after %.0f ms", float64(len(heard))/rate, res.Stats.AudioSeconds, res.Stats.FirstAudioMs)
	if got := float64(len(heard)) / rate; got < 0.8*res.Stats.AudioSeconds || res.Stats.AudioSeconds < 2 {
		t.Errorf("heard %.2f s of %.2f s produced", got, res.Stats.AudioSeconds)
	}
}

// Piper with Jenny installed passes the contract every provider does; the
// sentences it computes count as its work, so refused requests must
// compute none.
func TestContract(t *testing.T) {
	install(t)
	p, err := providers.Get(piper.ID, providers.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sentences := func() int {
		piper.Callbacks.Lock()
		defer piper.Callbacks.Unlock()
		return piper.Callbacks.N
	}
	providertest.Contract(t, providertest.ContractHarness{Provider: p, Voice: voiceID, Work: sentences})
}
