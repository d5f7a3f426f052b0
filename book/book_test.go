package book

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chorus/audio"
	"chorus/cache"
	"chorus/core"
	"chorus/internal/scripted"
	"chorus/providers"
)

// tone answers with seconds of a sine at freq and amplitude amp (0..1).
func tone(seconds, freq, amp float64) func(context.Context, providers.Request) (*providers.Audio, error) {
	return func(context.Context, providers.Request) (*providers.Audio, error) {
		n := int(24000 * seconds)
		pcm := make([]byte, 2*n)
		for i := 0; i < n; i++ {
			v := amp * math.Sin(2*math.Pi*freq*float64(i)/24000)
			binary.LittleEndian.PutUint16(pcm[2*i:], uint16(int16(v*32767)))
		}
		wav := append(scripted.WAVHeader(24000, uint32(len(pcm))), pcm...)
		return &providers.Audio{Body: io.NopCloser(bytes.NewReader(wav)), Encoding: audio.WAV, Requests: 1}, nil
	}
}

func twoProviders(t *testing.T) (*scripted.Provider, *scripted.Provider) {
	a := scripted.Register(t, &scripted.Provider{ID: "book-a", Respond: tone(1.5, 440, 0.05)})
	b := scripted.Register(t, &scripted.Provider{ID: "book-b", Respond: tone(1.5, 660, 0.6)})
	return a, b
}

const script = `[cast: narrator = book-a/m1/v1]
[cast: hero = book-b/m2/v2]
[say: Chorus = Koh-russ]
[voice: narrator]
Once upon a time, Chorus spoke. Choruses did not.
[voice: hero]
I am the hero of Chorus!
[pause 0.5s]
[voice: narrator]
The end.`

func TestTwoProviderScriptEachLineToItsVoiceWithLexicon(t *testing.T) {
	a, b := twoProviders(t)
	lx, err := ParseLexicon(strings.NewReader("# global\nhero == HEE-ro\nonce = wunce\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := &Renderer{Engine: &core.Engine{}, Lexicon: lx}
	var buf bytes.Buffer
	frames, err := r.RenderChapter(context.Background(), script, &buf)
	if err != nil {
		t.Fatal(err)
	}
	ra, rb := a.Requests(), b.Requests()
	if len(ra) != 2 || len(rb) != 1 {
		t.Fatalf("requests: a %d, b %d", len(ra), len(rb))
	}
	if ra[0].Text != "wunce upon a time, Koh-russ spoke. Choruses did not." || ra[0].Voice != "v1" || ra[0].Model != "m1" {
		t.Errorf("narrator got %+v", ra[0])
	}
	if rb[0].Text != "I am the HEE-ro of Koh-russ!" || rb[0].Voice != "v2" || rb[0].Model != "m2" {
		t.Errorf("hero got %+v", rb[0])
	}
	if ra[1].Text != "The end." {
		t.Errorf("last narrator line %q", ra[1].Text)
	}
	// In order and gapless: 1.5 s + 1.5 s + 0.5 s silence + 1.5 s at one rate.
	if want := int64(24000 * 5); frames != want || int64(buf.Len()) != 4*want {
		t.Fatalf("frames %d (bytes %d), want %d", frames, buf.Len(), want)
	}
	at := func(sec float64) float32 { // peak amplitude in the 0.1 s from sec
		var peak float32
		for i := int(sec * 24000); i < int((sec+0.1)*24000); i++ {
			v := math.Float32frombits(binary.LittleEndian.Uint32(buf.Bytes()[4*i:]))
			peak = max(peak, float32(math.Abs(float64(v))))
		}
		return peak
	}
	if p := at(0.5); p < 0.03 || p > 0.07 {
		t.Errorf("narrator segment peak %v", p)
	}
	if p := at(2); p < 0.5 {
		t.Errorf("hero segment peak %v", p)
	}
	if p := at(3.2); p != 0 {
		t.Errorf("pause not silent: %v", p)
	}
}

func TestUnknownVoiceFailsBeforeAnyRequest(t *testing.T) {
	a, b := twoProviders(t)
	r := &Renderer{Engine: &core.Engine{}, Default: Voice{Provider: "book-a"}}
	bk := &Book{Chapters: []Chapter{{Title: "One", Text: "Hello."}, {Title: "Two", Text: "[voice: villain]\nBoo."}}}
	_, err := r.Render(context.Background(), bk)
	if err == nil || !strings.Contains(err.Error(), `"villain"`) || !strings.Contains(err.Error(), "chapter 2") {
		t.Fatalf("error %v", err)
	}
	if len(a.Requests())+len(b.Requests()) != 0 {
		t.Fatal("requests were sent before the cast was checked")
	}
}

func TestEstimatePerChapterAndTotal(t *testing.T) {
	twoProviders(t)
	r := &Renderer{Engine: &core.Engine{}, Default: Voice{Provider: "book-a"}}
	est, err := r.Estimate(&Book{Chapters: []Chapter{{Title: "A", Text: "12345"}, {Title: "B", Text: script}, {Title: "C", Text: "x", Skip: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(est) != 3 || est[0].Characters != 5 || est[0].Requests != 1 || est[1].Requests != 3 || est[2].Title != "Total" ||
		est[2].Characters != est[0].Characters+est[1].Characters || est[2].Requests != 4 {
		t.Fatalf("estimate %+v", est)
	}
}

func TestLexiconWholeWordsAndCase(t *testing.T) {
	lx := Merge(Lexicon{{Word: "SQL", Replacement: "sequel", MatchCase: true}, {Word: "gif", Replacement: "jif"}},
		Lexicon{{Word: "gif", Replacement: "giff"}})
	got, err := lx.Apply("SQL and sql; GIF gifs gif. NoSQL")
	if err != nil {
		t.Fatal(err)
	}
	if got != "sequel and sql; giff gifs giff. NoSQL" {
		t.Fatalf("applied %q", got)
	}
}

func ffprobe(t *testing.T, path string) map[string]any {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_chapters", "-show_streams", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var m map[string]any
	json.Unmarshal(out, &m)
	return m
}

func TestM4BChaptersTagsCoverAndLoudness(t *testing.T) {
	twoProviders(t)
	dir := t.TempDir()
	cover := filepath.Join(dir, "cover.png")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", cover).CombinedOutput(); err != nil {
		t.Fatalf("cover: %v %s", err, out)
	}
	r := &Renderer{Engine: &core.Engine{}, Default: Voice{Provider: "book-a"}, Cast: Cast{"hero": {Provider: "book-b"}}}
	bk := &Book{Title: "Test Book", Author: "Ann Author", Chapters: []Chapter{
		{Title: "Quiet start", Text: "Soft words."},
		{Title: "Skipped", Text: "Never.", Skip: true},
		{Title: "Loud end", Text: "[voice: hero]\nLoud words."},
	}}
	rd, err := r.Render(context.Background(), bk)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	out := filepath.Join(dir, "book.m4b")
	if err := rd.ExportBook(context.Background(), out, cover, Loudness{LUFS: -18}, false); err != nil {
		t.Fatal(err)
	}
	m := ffprobe(t, out)
	chs, _ := m["chapters"].([]any)
	if len(chs) != 2 {
		t.Fatalf("chapters %v", m["chapters"])
	}
	for i, want := range []string{"Quiet start", "Loud end"} {
		tags := chs[i].(map[string]any)["tags"].(map[string]any)
		if tags["title"] != want {
			t.Errorf("chapter %d title %v, want %q", i, tags["title"], want)
		}
	}
	ftags := m["format"].(map[string]any)["tags"].(map[string]any)
	if ftags["title"] != "Test Book" || ftags["artist"] != "Ann Author" {
		t.Errorf("tags %v", ftags)
	}
	var codecs []string
	for _, s := range m["streams"].([]any) {
		codecs = append(codecs, s.(map[string]any)["codec_name"].(string))
	}
	if c := strings.Join(codecs, ","); !strings.HasPrefix(c, "aac,") || !strings.Contains(c, "mjpeg") {
		t.Errorf("streams %v, want aac audio and a cover", codecs)
	}
	got, err := Measure(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.LUFS+18) > 1 {
		t.Errorf("loudness %.1f LUFS, want -18 ± 1", got.LUFS)
	}
	if err := rd.ExportBook(context.Background(), out, "", Loudness{}, false); err == nil {
		t.Error("an existing file was replaced without force")
	}

	// One file per chapter, MP3 with ID3 tags and track numbers, FLAC with Vorbis comments.
	paths, err := rd.ExportChapters(context.Background(), filepath.Join(dir, "ch"), ".mp3", cover, Loudness{LUFS: -16}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 || filepath.Base(paths[0]) != "01 - Quiet start.mp3" || filepath.Base(paths[1]) != "02 - Loud end.mp3" {
		t.Fatalf("paths %v", paths)
	}
	for i, p := range paths {
		tags := ffprobe(t, p)["format"].(map[string]any)["tags"].(map[string]any)
		if tags["album"] != "Test Book" || tags["artist"] != "Ann Author" || tags["track"] != []string{"1/2", "2/2"}[i] {
			t.Errorf("%s tags %v", p, tags)
		}
		ml, err := Measure(context.Background(), p)
		if err != nil || math.Abs(ml.LUFS+16) > 1 {
			t.Errorf("%s loudness %.1f (%v), want -16 ± 1", p, ml.LUFS, err)
		}
	}
	mp3 := filepath.Join(dir, "book.mp3")
	if err := rd.ExportBook(context.Background(), mp3, "", Loudness{}, false); err != nil {
		t.Fatal(err)
	}
	if chs, _ := ffprobe(t, mp3)["chapters"].([]any); len(chs) != 2 {
		t.Errorf("mp3 ID3 chapter frames: %v", chs)
	}
	flac, err := rd.ExportChapters(context.Background(), filepath.Join(dir, "fl"), ".flac", "", Loudness{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if tags := ffprobe(t, flac[1])["format"].(map[string]any)["tags"].(map[string]any); tags["TITLE"] != "Loud end" && tags["title"] != "Loud end" {
		t.Errorf("flac tags %v", tags)
	}
}

func TestNoFFmpegIsClear(t *testing.T) {
	twoProviders(t)
	r := &Renderer{Engine: &core.Engine{}, Default: Voice{Provider: "book-a"}}
	rd, err := r.Render(context.Background(), &Book{Chapters: []Chapter{{Title: "A", Text: "Hi."}}})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	t.Setenv("PATH", t.TempDir())
	err = rd.ExportBook(context.Background(), filepath.Join(t.TempDir(), "a.m4b"), "", Loudness{}, false)
	if err != ErrNoFFmpeg {
		t.Fatalf("error %v", err)
	}
}

func TestFailedChapterIsRetriedAndVoiceCarriesOver(t *testing.T) {
	calls := 0
	a := scripted.Register(t, &scripted.Provider{ID: "book-flaky", Respond: func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		calls++
		if calls == 2 {
			return nil, io.ErrUnexpectedEOF // the first try of chapter 2 fails
		}
		return tone(0.2, 440, 0.3)(ctx, req)
	}})
	b := scripted.Register(t, &scripted.Provider{ID: "book-other"})
	r := &Renderer{Engine: &core.Engine{}, Default: Voice{Provider: "book-other"}, Retries: 1}
	bk := &Book{Chapters: []Chapter{
		{Title: "One", Text: "[cast: n = book-flaky]\n[voice: n]\nFirst."},
		{Title: "Two", Text: "Second, still n."},
	}}
	rd, err := r.Render(context.Background(), bk)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if len(rd.Files) != 2 || len(b.Requests()) != 0 {
		t.Fatalf("files %d, default voice used %d times", len(rd.Files), len(b.Requests()))
	}
	ra := a.Requests()
	if len(ra) != 3 || ra[2].Text != "Second, still n." {
		t.Fatalf("requests %+v", ra)
	}
	r.Retries = 0
	calls = 0
	if _, err := r.Render(context.Background(), bk); err == nil || !strings.Contains(err.Error(), "chapter 2 (Two)") {
		t.Fatalf("without retries: %v", err)
	}
}

func TestRenderingAgainComesFromTheCacheAndLexiconEditsResynthesize(t *testing.T) {
	a := scripted.Register(t, &scripted.Provider{ID: "book-cached", Respond: tone(0.3, 440, 0.3)})
	st, err := cache.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	r := &Renderer{Engine: &core.Engine{Cache: st}, Default: Voice{Provider: "book-cached"}}
	bk := &Book{Chapters: []Chapter{{Title: "A", Text: "Tomato soup."}, {Title: "B", Text: "Bread."}}}
	for range 2 {
		rd, err := r.Render(context.Background(), bk)
		if err != nil {
			t.Fatal(err)
		}
		rd.Close()
	}
	if n := len(a.Requests()); n != 2 {
		t.Fatalf("%d requests for two chapters rendered twice, want 2 (the second run from the cache)", n)
	}
	r.Lexicon = Lexicon{{Word: "tomato", Replacement: "tom-ah-to"}}
	rd, err := r.Render(context.Background(), bk)
	if err != nil {
		t.Fatal(err)
	}
	rd.Close()
	req := a.Requests()
	if len(req) != 3 || req[2].Text != "tom-ah-to soup." {
		t.Fatalf("after a lexicon edit: %+v", req)
	}
}

// The estimate's render time: a guess before the provider was measured;
// after a render, measured from it, and nothing left for cached chapters.
func TestEstimateRenderTimeMeasuredAndCached(t *testing.T) {
	slow := func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		time.Sleep(30 * time.Millisecond)
		return tone(0.2, 440, 0.1)(ctx, req)
	}
	scripted.Register(t, &scripted.Provider{ID: "book-timed", Respond: slow})
	st, err := cache.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	r := &Renderer{Engine: &core.Engine{Cache: st}, Default: Voice{Provider: "book-timed"}}
	bk := &Book{Chapters: []Chapter{{Title: "A", Text: "Tomato soup is good."}, {Title: "B", Text: "Bread.\n[pause 1s]\nAnd butter."}}}
	est, err := r.Estimate(bk)
	if err != nil {
		t.Fatal(err)
	}
	total := est[len(est)-1]
	if !total.RenderGuess || total.Render != est[0].Render+est[1].Render || est[0].Render <= 0 {
		t.Fatalf("before any render: %+v", est)
	}
	if !strings.Contains(total.RenderText(), "a guess") {
		t.Errorf("a guess reads %q", total.RenderText())
	}
	rd, err := r.Render(context.Background(), bk)
	if err != nil {
		t.Fatal(err)
	}
	rd.Close()
	bk.Chapters[1].Text = "Bread.\n[pause 1s]\nAnd jam."
	est, err = r.Estimate(bk)
	if err != nil {
		t.Fatal(err)
	}
	if est[0].Requests != 0 || est[0].Render != 0 || est[0].RenderGuess {
		t.Errorf("a cached chapter: %+v", est[0])
	}
	// Three requests of 37 characters took 30 ms each or more; one new
	// part of 8 characters ("And jam.") at that speed.
	tp := r.Engine.Throughput("book-timed", "")
	if !tp.Measured || tp.Chars != 37 || tp.PerChar < 90*time.Millisecond/37 {
		t.Errorf("measured %+v", tp)
	}
	if est[1].Requests != 1 || est[1].RenderGuess || est[1].Render != 8*tp.PerChar {
		t.Errorf("an edited chapter: %+v (throughput %+v)", est[1], tp)
	}
	if strings.Contains(est[2].RenderText(), "guess") {
		t.Errorf("a measured total reads %q", est[2].RenderText())
	}
}
