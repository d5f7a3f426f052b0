package comparetab

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"chorus/audio"
	"chorus/compare"
	"chorus/core"
	"chorus/internal/scripted"
	"chorus/player"
	"chorus/pricing"
	"chorus/providers"
)

// fakeProvider answers after delay with half a second of tone; the voice
// "broken" fails with a server error.
func fakeProvider(t *testing.T, id string, delay time.Duration) {
	p := scripted.Register(t, &scripted.Provider{ID: id})
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		if req.Voice == "broken" {
			return nil, &providers.Error{Provider: id, Kind: providers.KindServer, Message: "the server fell over", Hint: "try again later"}
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return &providers.Audio{Body: io.NopCloser(bytes.NewReader(scripted.ToneWAV(24000, 0.5, 440))), Encoding: audio.WAV, Requests: 1}, nil
	}
}

// uiQueue holds the tab's UI updates from workers until settle runs them
// on the test goroutine (the test driver would run them on the worker).
var uiQueue = make(chan func(), 1000)

func init() { uiDo = func(f func()) { uiQueue <- f } }

// settle waits for the tab's workers, then runs the UI updates they posted.
func settle(tab *Tab) {
	tab.Wait()
	for {
		select {
		case f := <-uiQueue:
			f()
		default:
			return
		}
	}
}

type fixture struct {
	tab  *Tab
	win  fyne.Window
	sink *player.MemorySink
	dir  string
}

func open(t *testing.T, dir string) *fixture {
	return openWith(t, dir, player.NewMemorySink(player.DeviceFormat), nil)
}

func openWith(t *testing.T, dir string, sink *player.MemorySink, device player.Sink) *fixture {
	t.Helper()
	test.NewTempApp(t)
	if device == nil {
		device = sink
	}
	engine := &core.Engine{Getenv: func(string) string { return "" },
		OpenSink: func() (player.Sink, error) { return device, nil }}
	w := test.NewTempWindow(t, widget.NewLabel(""))
	tab := New(w, engine, Options{ConfigDir: dir, Prices: &pricing.Table{}, Gap: 5 * time.Millisecond,
		Rand: rand.New(rand.NewPCG(3, 4))})
	settle(tab) // the voice list loads in a worker
	w.SetContent(tab.Content())
	w.Resize(fyne.NewSize(1200, 900))
	return &fixture{tab: tab, win: w, sink: sink, dir: dir}
}

func selectProvider(t *testing.T, tab *Tab, id string) {
	t.Helper()
	for i, p := range tab.providerIDs {
		if p == id {
			tab.Provider.SetSelectedIndex(i)
			settle(tab)
			return
		}
	}
	t.Fatalf("provider %s is not in the picker", id)
}

// TestRenderShortlist renders four voices from two fake providers, one of
// which fails, and checks every card.
func TestRenderShortlist(t *testing.T) {
	fakeProvider(t, "ctab-a", 30*time.Millisecond)
	fakeProvider(t, "ctab-b", 80*time.Millisecond)
	f := open(t, t.TempDir())
	tab := f.tab

	// From the pickers: provider, model, voice (a picked label maps to its ID).
	selectProvider(t, tab, "ctab-a")
	if ids := tab.Voice.Choices(); len(ids) != 2 || ids["v1 — Voice One"] != "v1" {
		t.Fatalf("voices %v", ids)
	}
	if got := tab.LabelFor("ctab-a::v1"); !strings.HasPrefix(got, "v1 — Voice One · ") || !strings.HasSuffix(got, " · default model") {
		t.Errorf("the tally names ctab-a::v1 %q, want the voice's picker label and the default model", got)
	}
	if got := tab.LabelFor("ctab-a:m9:unknown"); !strings.HasPrefix(got, "unknown · ") || !strings.HasSuffix(got, " · m9") {
		t.Errorf("an unlisted voice is named %q", got)
	}
	tab.Voice.Entry.SetText("v1 — Voice One") // a picked label maps to its ID
	test.Tap(tab.Add)
	selectProvider(t, tab, "ctab-b")
	tab.Model.SetText("m2")
	tab.Voice.Entry.SetText("v2")
	test.Tap(tab.Add)
	tab.AddEntry(compare.Entry{Provider: "ctab-b", Voice: "broken"})
	tab.AddEntry(compare.Entry{Provider: "ctab-a", Voice: "v2"})
	tab.AddEntry(compare.Entry{Provider: "ctab-a", Voice: "v2"}) // twice is once
	want := []string{"ctab-a::v1", "ctab-b:m2:v2", "ctab-b::broken", "ctab-a::v2"}
	if got := keys(tab.Shortlist()); got != strings.Join(want, " ") {
		t.Fatalf("shortlist %s", got)
	}

	test.Type(tab.Text, "Hello from every voice.")
	start := time.Now()
	test.Tap(tab.Render)
	tab.Wait()
	took := time.Since(start)
	if len(tab.Cards) != 4 {
		t.Fatalf("%d cards", len(tab.Cards))
	}
	if shot := os.Getenv("COMPARE_SHOT"); shot != "" { // a look at the cards, e.g. for docs/compare.png
		f.win.Resize(fyne.NewSize(1280, 800))
		out, _ := os.Create(shot)
		png.Encode(out, f.win.Canvas().Capture())
		out.Close()
	}
	for i, c := range tab.Cards {
		r := c.Result()
		if i == 2 {
			if c.Phase.Text != "failed" || !c.Error.Visible() || !strings.Contains(c.Error.Text, "the server fell over") || c.Play.Disabled() == false {
				t.Errorf("failed card: phase %q, error %q (visible %v)", c.Phase.Text, c.Error.Text, c.Error.Visible())
			}
			continue
		}
		if c.Phase.Text != "done" || c.Error.Visible() || c.Play.Disabled() {
			t.Errorf("card %d: phase %q error %q", i, c.Phase.Text, c.Error.Text)
		}
		if !r.OK() || r.Stats.AudioSeconds < 0.49 || r.Stats.Bytes != 24044 || r.RTF <= 0 {
			t.Errorf("card %d result %+v", i, r)
		}
		wantFig := fmt.Sprintf("TTFB %.0f ms · first audio %.0f ms · total %.0f ms\naudio 0.50 s · RTF %.2f · 24.0 KB · cost unknown",
			r.Stats.TTFBMs, r.Stats.FirstAudioMs, r.Stats.TotalMs, r.RTF)
		if c.Figures.Text != wantFig {
			t.Errorf("card %d figures:\n%s\nwant\n%s", i, c.Figures.Text, wantFig)
		}
		minTTFB := 30.0
		if r.Entry.Provider == "ctab-b" {
			minTTFB = 80
		}
		if r.Stats.TTFBMs < minTTFB {
			t.Errorf("card %d TTFB %.1f ms; the fake waits %.0f ms", i, r.Stats.TTFBMs, minTTFB)
		}
		if len(c.Peaks()) == 0 || c.Peaks()[0] < 0.45 {
			t.Errorf("card %d waveform %v", i, c.Peaks())
		}
		if !strings.Contains(c.Title.Text, r.Model) {
			t.Errorf("card %d title %q lacks the model used", i, c.Title.Text)
		}
	}
	if took > 2*time.Second {
		t.Errorf("render took %v", took)
	}
	if !strings.Contains(tab.Status.Text, "Rendered 3 of 4") || !strings.Contains(tab.Status.Text, "1 failed") {
		t.Errorf("status %q", tab.Status.Text)
	}
	// The waveform draws something.
	img := tab.Cards[0].draw(100, 40)
	if _, _, _, a := img.At(50, 20).RGBA(); a == 0 {
		t.Error("waveform is blank in the middle")
	}

	// Play a card, then all in turn.
	tab.PlayCard(1)
	tab.Wait()
	if n := len(f.sink.Samples()); n < 48000 {
		t.Errorf("played %d samples", n)
	}
	before := len(f.sink.Samples())
	test.Tap(tab.PlayAll)
	tab.Wait()
	if n := len(f.sink.Samples()) - before; n < 3*48000 {
		t.Errorf("play all played %d samples; want three half-second clips", n)
	}
	if tab.Playing() != -1 {
		t.Errorf("still playing %d", tab.Playing())
	}

	// Favourites: star a card; it persists and shows on the shortlist.
	test.Tap(tab.Cards[1].Star)
	if !tab.IsFavourite(compare.Entry{Provider: "ctab-b", Model: "m2", Voice: "v2"}) {
		t.Error("star did not take")
	}
	again, err := compare.LoadLists(filepath.Join(f.dir, compare.ListsFile))
	if err != nil || len(again.Favourites()) != 1 || len(again.Shortlist()) != 4 {
		t.Errorf("saved lists: %v %v %v", again.Favourites(), again.Shortlist(), err)
	}

	// Export all.
	out := t.TempDir()
	tab.Format.SetSelected("flac")
	tab.ExportAll(out, false)
	tab.Wait()
	ents, _ := os.ReadDir(out)
	if len(ents) != 5 || !strings.Contains(tab.Status.Text, "Saved 3 files") {
		t.Errorf("export: %d files, status %q", len(ents), tab.Status.Text)
	}
	if _, err := os.Stat(filepath.Join(out, "ctab-b-m2-v2.flac")); err != nil {
		t.Error(err)
	}
}

// TestKeys checks 1–9 and Space on the canvas, and that they do nothing
// while the text field has the focus.
func TestKeys(t *testing.T) {
	fakeProvider(t, "ctab-k", 0)
	f := open(t, t.TempDir())
	tab := f.tab
	tab.AddEntry(compare.Entry{Provider: "ctab-k", Voice: "v1"})
	tab.AddEntry(compare.Entry{Provider: "ctab-k", Voice: "v2"})
	tab.Text.SetText("Keys.")
	tab.RenderAll()
	tab.Wait()
	key := f.win.Canvas().OnTypedKey()

	f.win.Canvas().Focus(tab.Text)
	test.Type(tab.Text, "2")
	tab.Wait()
	if len(f.sink.Samples()) != 0 || !strings.Contains(tab.Text.Text, "2") {
		t.Fatalf("typing in the text field played audio (%d samples) or lost the key (%q)", len(f.sink.Samples()), tab.Text.Text)
	}
	f.win.Canvas().Unfocus()
	key(&fyne.KeyEvent{Name: fyne.Key2})
	tab.Wait()
	if len(f.sink.Samples()) < 48000 {
		t.Errorf("key 2 did not play card 2")
	}
	f.win.Canvas().Focus(tab.Text)
	before := len(f.sink.Samples())
	key(&fyne.KeyEvent{Name: fyne.Key1}) // the text field has the focus
	tab.Wait()
	if len(f.sink.Samples()) != before {
		t.Error("key 1 played while the text field had the focus")
	}
	f.win.Canvas().Unfocus()
	key(&fyne.KeyEvent{Name: fyne.KeySpace})
	tab.Wait()
	if tab.Playing() != -1 {
		t.Error("space did not stop")
	}
	key(&fyne.KeyEvent{Name: fyne.Key9}) // no card 9
	if !strings.Contains(tab.Status.Text, "Card 9 has no audio") {
		t.Errorf("status %q", tab.Status.Text)
	}
}

// gateSink holds every block until the test opens the gate (so the test
// can look at the controls while a card is playing) and records how many
// writes were in flight at once.
type gateSink struct {
	*player.MemorySink
	gate         chan struct{}
	mu           sync.Mutex
	active, peak int
}

func (s *gateSink) Write(ctx context.Context, samples []float32) error {
	s.mu.Lock()
	s.active++
	s.peak = max(s.peak, s.active)
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.active--; s.mu.Unlock() }()
	select {
	case <-s.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.MemorySink.Write(ctx, samples)
}

// TestOneCardAtATime starts card 1, then card 2 while 1 is playing: 1 is
// cut, 2 plays in full, and the two never sound together.
func TestOneCardAtATime(t *testing.T) {
	fakeProvider(t, "ctab-one", 0)
	mem := player.NewMemorySink(player.DeviceFormat)
	dev := &gateSink{MemorySink: mem, gate: make(chan struct{})}
	f := openWith(t, t.TempDir(), mem, dev)
	tab := f.tab
	tab.AddEntry(compare.Entry{Provider: "ctab-one", Voice: "v1"})
	tab.AddEntry(compare.Entry{Provider: "ctab-one", Voice: "v2"})
	tab.Text.SetText("One at a time.")
	tab.RenderAll()
	tab.Wait()
	test.Tap(tab.Cards[0].Play)
	if tab.Playing() != 0 || tab.Cards[0].Play.Text != "Stop" {
		t.Fatalf("playing %d, button %q", tab.Playing(), tab.Cards[0].Play.Text)
	}
	time.Sleep(20 * time.Millisecond) // card 1 is now held in the sink
	test.Tap(tab.Cards[1].Play)
	if tab.Playing() != 1 || tab.Cards[0].Play.Text != "Play" || tab.Cards[1].Play.Text != "Stop" {
		t.Fatalf("playing %d, buttons %q %q", tab.Playing(), tab.Cards[0].Play.Text, tab.Cards[1].Play.Text)
	}
	close(dev.gate)
	tab.Wait()
	if dev.peak != 1 {
		t.Errorf("%d blocks were played at once; want 1", dev.peak)
	}
	if n := len(mem.Samples()); n != 48000 {
		t.Errorf("%d samples: want card 2 in full (48000) and nothing of card 1", n)
	}
	if tab.Playing() != -1 || tab.Cards[1].Play.Text != "Play" {
		t.Errorf("after the end: playing %d, button %q", tab.Playing(), tab.Cards[1].Play.Text)
	}
}

func keys(es []compare.Entry) string {
	var s []string
	for _, e := range es {
		s = append(s, e.Key())
	}
	return strings.Join(s, " ")
}

// TestBlindAndTally runs a blind test over three voices, always preferring
// v2, then checks the reveal, the tally view, CSV export and reset.
func TestBlindAndTally(t *testing.T) {
	fakeProvider(t, "ctab-bl", 0)
	dir := t.TempDir()
	f := open(t, dir)
	tab := f.tab
	for _, e := range []compare.Entry{{Provider: "ctab-bl", Voice: "v1"}, {Provider: "ctab-bl", Voice: "v2"}, {Provider: "ctab-bl", Model: "m2", Voice: "v1"}} {
		tab.AddEntry(e)
	}
	tab.Text.SetText("Blind.")
	tab.RenderAll()
	tab.Wait()
	b := tab.Blind
	test.Tap(b.StartButton)
	if !b.Active() || b.VoteA.Disabled() {
		t.Fatal("blind test did not start")
	}
	// The cards are hidden and the pair names nobody.
	if strings.Contains(test.RenderObjectToMarkup(tab.cardsHolder), "ctab-bl") {
		t.Error("names are visible during the blind test")
	}
	if strings.Contains(b.Info.Text, "ctab-bl") || b.Reveal.Text != "" {
		t.Error("the pair names a voice before the vote")
	}
	votes := 0
	for b.Active() {
		p := b.Pair()
		test.Tap(b.PlayA)
		tab.Wait()
		if tab.Playing() != -1 {
			t.Fatal("play A did not finish")
		}
		if tab.Session().Results[p.A].Entry.Voice == "v2" {
			test.Tap(b.VoteA)
		} else {
			test.Tap(b.VoteB)
		}
		votes++
		if !strings.Contains(b.Reveal.Text, "A was ctab-bl") || !strings.Contains(b.Reveal.Text, "B was ctab-bl") {
			t.Fatalf("reveal %q", b.Reveal.Text)
		}
		if !b.VoteA.Disabled() {
			t.Fatal("can vote twice")
		}
		test.Tap(b.Next)
	}
	if votes != 3 || !strings.Contains(b.Info.Text, "3 votes") {
		t.Errorf("%d votes; info %q", votes, b.Info.Text)
	}
	if !strings.Contains(test.RenderObjectToMarkup(tab.cardsHolder), "ctab-bl") {
		t.Error("the cards did not come back")
	}
	tv := tab.Tally
	if len(tv.Rows.Objects) != 3 || !strings.Contains(tv.Rows.Objects[0].(*widget.Label).Text, "1. "+tab.LabelFor("ctab-bl::v2")) ||
		strings.Contains(tv.Rows.Objects[0].(*widget.Label).Text, "::") ||
		!strings.Contains(tv.Summary.Text, "3 votes") {
		t.Errorf("tally %q, %d rows", tv.Summary.Text, len(tv.Rows.Objects))
	}
	csvPath := filepath.Join(t.TempDir(), "tally.csv")
	tv.ExportCSV(csvPath)
	b2, _ := os.ReadFile(csvPath)
	if !strings.HasPrefix(string(b2), "rank,voice,score") || strings.Count(string(b2), "\n") != 4 {
		t.Errorf("csv %q", b2)
	}
	// The tally persists; reset empties it.
	reloaded, _ := compare.LoadTally(filepath.Join(dir, compare.TallyFile))
	if reloaded.Total() != 3 {
		t.Errorf("saved tally has %d votes", reloaded.Total())
	}
	tv.ResetNow()
	if len(tv.Rows.Objects) != 0 || !strings.Contains(tv.Summary.Text, "No votes") {
		t.Error("reset did not clear the view")
	}
}

// TestShortlistEditingPersists reorders and removes entries, then opens a
// new tab on the same folder.
func TestShortlistEditingPersists(t *testing.T) {
	fakeProvider(t, "ctab-s", 0)
	dir := t.TempDir()
	f := open(t, dir)
	for _, v := range []string{"a", "b", "c"} {
		f.tab.AddEntry(compare.Entry{Provider: "ctab-s", Voice: v})
	}
	f.tab.MoveEntry(2, -1) // a c b
	f.tab.MoveEntry(0, -1) // no-op
	f.tab.RemoveEntry(0)   // c b
	f.tab.SetFavourite(compare.Entry{Provider: "ctab-s", Voice: "b"}, true)
	if len(f.tab.shortlistBox.Objects) != 2 {
		t.Errorf("%d shortlist rows", len(f.tab.shortlistBox.Objects))
	}
	g := open(t, dir)
	if got := keys(g.tab.Shortlist()); got != "ctab-s::c ctab-s::b" {
		t.Errorf("reopened shortlist %s", got)
	}
	if len(g.tab.Favourites.Options) != 1 {
		t.Errorf("favourites %v", g.tab.Favourites.Options)
	}
	g.tab.RemoveEntry(1)
	g.tab.Favourites.SetSelected("ctab-s::b") // add from favourites
	if got := keys(g.tab.Shortlist()); got != "ctab-s::c ctab-s::b" {
		t.Errorf("after adding a favourite: %s", got)
	}
	if g.tab.Favourites.Selected != "" {
		t.Error("the favourites picker kept its selection")
	}
	// Nothing to do yet: messages, not crashes.
	g.tab.PlayAllInTurn()
	if !strings.Contains(g.tab.Status.Text, "Render all first") {
		t.Errorf("status %q", g.tab.Status.Text)
	}
	g.tab.RenderAll()
	if !strings.Contains(g.tab.Status.Text, "Type a line") {
		t.Errorf("status %q", g.tab.Status.Text)
	}
}

func TestPickedSpeedGoesIntoTheEntry(t *testing.T) {
	fakeProvider(t, "ctab-speed", 0)
	f := open(t, t.TempDir())
	for i, id := range f.tab.providerIDs {
		if id == "ctab-speed" {
			f.tab.Provider.SetSelectedIndex(i)
		}
	}
	settle(f.tab) // the voice list loads in a worker
	f.tab.Voice.Entry.SetText("a")
	f.tab.Speed.SetSelected("1.25×")
	f.tab.addPicked()
	f.tab.Speed.SetSelected("1×")
	f.tab.addPicked()
	got := f.tab.Shortlist()
	if len(got) != 2 || got[0].Speed != 1.25 || got[1].Speed != 0 {
		t.Fatalf("shortlist %+v", got)
	}
	if !strings.Contains(got[0].Label(), "1.2") {
		t.Errorf("label %q does not show the speed", got[0].Label())
	}
}

func TestProviderPickerMarksMissingKeys(t *testing.T) {
	scripted.Register(t, &scripted.Provider{ID: "ctab-keyed"})
	r, _ := providers.Lookup("ctab-keyed")
	r.NeedsKey = true
	providers.Register(r)
	fakeProvider(t, "ctab-free", time.Millisecond)
	f := open(t, t.TempDir())
	tab := f.tab
	selectProvider(t, tab, "ctab-free")
	tab.MarkMissingKeys(map[string]bool{"ctab-keyed": true, "ctab-free": true})
	var keyed, free string
	for i, id := range tab.providerIDs {
		switch id {
		case "ctab-keyed":
			keyed = tab.Provider.Options[i]
		case "ctab-free":
			free = tab.Provider.Options[i]
		}
	}
	if !strings.HasSuffix(keyed, " — add key") {
		t.Errorf("a provider without its key reads %q", keyed)
	}
	if strings.Contains(free, "add key") {
		t.Errorf("a provider that needs no key reads %q", free)
	}
	if tab.providerID() != "ctab-free" {
		t.Errorf("relabelling changed the chosen provider to %q", tab.providerID())
	}
	tab.MarkMissingKeys(nil)
	for i, id := range tab.providerIDs {
		if id == "ctab-keyed" && strings.Contains(tab.Provider.Options[i], "add key") {
			t.Error("the mark stays after the key was added")
		}
	}
}

func TestComparePreviewPlaysThePickedVoice(t *testing.T) {
	fakeProvider(t, "ctab-prev", time.Millisecond)
	f := open(t, t.TempDir())
	tab := f.tab
	selectProvider(t, tab, "ctab-prev")
	tab.Voice.Entry.SetText("v1 — Voice One")
	test.Tap(tab.PreviewButton)
	tab.Wait()
	if !strings.HasPrefix(tab.Status.Text, "Played a sample of v1") || len(f.sink.Samples()) == 0 {
		t.Errorf("status %q, %d samples", tab.Status.Text, len(f.sink.Samples()))
	}
}

// The Compare tab's voice picker narrows as you type and says how many
// voices match, as the Speak tab's does; a pick lists them all again.
func TestCompareVoiceFilterAsYouType(t *testing.T) {
	fakeProvider(t, "ctab-filter", time.Millisecond)
	f := open(t, t.TempDir())
	tab := f.tab
	selectProvider(t, tab, "ctab-filter")
	if tab.Voice.Count.Text != "2 voices" {
		t.Errorf("count %q, want 2 voices", tab.Voice.Count.Text)
	}
	test.Type(tab.Voice.Entry, "TWO")
	if got := tab.Voice.Listed(); len(got) != 1 || got[0] != "v2 — Voice Two" {
		t.Errorf("TWO lists %v, want only Voice Two", got)
	}
	if tab.Voice.Count.Text != "1 of 2 voices" {
		t.Errorf("count %q, want 1 of 2 voices", tab.Voice.Count.Text)
	}
	if shot := os.Getenv("VOICEPICKER_SHOT"); shot != "" { // a look at the Compare tab's picker
		out, _ := os.Create(shot + "-compare.png")
		png.Encode(out, f.win.Canvas().Capture())
		out.Close()
	}
	tab.Voice.Entry.SetText("v2 — Voice Two") // what the drop-down does on a pick
	if len(tab.Voice.Listed()) != 2 || tab.Voice.Count.Text != "2 voices" {
		t.Errorf("after a pick %v, count %q", tab.Voice.Listed(), tab.Voice.Count.Text)
	}
	test.Tap(tab.Add)
	if got := keys(tab.Shortlist()); got != "ctab-filter::v2" {
		t.Errorf("shortlist %s, want the picked voice", got)
	}
}
