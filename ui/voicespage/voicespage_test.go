package voicespage

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"chorus/voices"
)

// catalog serves two stand-in voices; the model of "slow" stalls until the
// client goes away.
func catalog(t *testing.T) *voices.Catalog {
	model := append([]byte{0x08, 0x07}, make([]byte, 40_000)...)
	cfg := []byte(`{"audio":{"sample_rate":22050},"espeak":{"voice":"en-gb"},"language":{"name_english":"English"},"num_speakers":1,"phoneme_id_map":{"_":[0]}}`)
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/m.onnx":
			w.Write(model)
		case "/slow.onnx":
			w.Write(model[:1000])
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case "/m.json":
			w.Write(cfg)
		}
	}))
	t.Cleanup(srv.Close)
	entry := func(id, name, lang, path string) string {
		return fmt.Sprintf(`{"id":%q,"name":%q,"language":%q,"quality":"medium","license":"CC0","attribution":"Someone",`+
			`"files":[{"name":"model.onnx","url":%q,"size":%d,"sha256":%q},{"name":"model.onnx.json","url":"m.json","size":%d,"sha256":%q}]}`,
			id, name, lang, path, len(model), sum(model), len(cfg), sum(cfg))
	}
	c, err := voices.Parse([]byte(`{"voices":[`+entry("en_GB-a-medium", "Amy", "en-GB", "m.onnx")+","+
		entry("de_DE-slow-medium", "Slow", "de-DE", "slow.onnx")+`]}`), srv.URL+"/c.json")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDownloadCancelFilter(t *testing.T) {
	a := test.NewTempApp(t)
	t.Setenv("CHORUS_VOICES_DIR", t.TempDir())
	w := a.NewWindow("Voices")
	var changed []string
	p := New(w, Options{Catalog: catalog(t), OnChange: func(id string, inst bool) { changed = append(changed, id) }})
	w.SetContent(p.Content())
	w.Resize(fyne.NewSize(680, 520))

	amy, slow := p.rows["en_GB-a-medium"], p.rows["de_DE-slow-medium"]
	if !amy.download.Visible() || amy.remove.Visible() || amy.play.Visible() {
		t.Fatal("a voice not installed should offer Download only")
	}
	// The test goroutine plays the UI thread: downloads queue their widget
	// updates, and the test runs them between its own reads and taps.
	queue := make(chan func(), 1024)
	p.do = func(f func()) { queue <- f }
	drain := func() {
		for {
			select {
			case f := <-queue:
				f()
			default:
				return
			}
		}
	}
	test.Tap(amy.download)
	p.Wait()
	drain()
	if amy.status.Text != "Installed" || !amy.remove.Visible() || amy.download.Visible() {
		t.Errorf("after download: status %q", amy.status.Text)
	}
	if len(changed) != 1 || changed[0] != "en_GB-a-medium" {
		t.Errorf("OnChange calls %v", changed)
	}

	p.progressed = make(chan string, 64)
	test.Tap(slow.download)
	// The download goroutine writes the status label; wait on its progress
	// reports rather than reading the label while it may be written.
	for text := ""; !strings.Contains(text, "MB"); {
		text = <-p.progressed
	}
	drain()
	if !slow.cancel.Visible() {
		t.Fatal("no Cancel during a download")
	}
	test.Tap(slow.cancel)
	p.Wait()
	drain()
	if !strings.Contains(slow.status.Text, "cancelled") || !slow.download.Visible() {
		t.Errorf("after cancel: %q", slow.status.Text)
	}
	if _, err := voices.Open(p.dir, "de_DE-slow-medium"); err == nil {
		t.Error("a cancelled voice is installed")
	}

	p.lang.SetSelected("de-DE")
	if len(p.list.Objects) != 1 || p.list.Objects[0] != slow.box {
		t.Errorf("language filter shows %d rows", len(p.list.Objects))
	}
	p.lang.SetSelected(allLanguages)
	p.search.SetText("amy")
	if len(p.list.Objects) != 1 || p.list.Objects[0] != amy.box {
		t.Errorf("search shows %d rows", len(p.list.Objects))
	}
	p.search.SetText("")
	if out := os.Getenv("VOICESPAGE_SCREENSHOT"); out != "" {
		f, _ := os.Create(out)
		png.Encode(f, w.Canvas().Capture())
		f.Close()
	}
}
