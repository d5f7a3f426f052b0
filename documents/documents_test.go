package documents

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func writeZip(t *testing.T, path string, files [][2]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	z := zip.NewWriter(f)
	for _, kv := range files {
		w, err := z.Create(kv[0])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(kv[1]))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func open(t *testing.T, path string, opt Options) *Document {
	t.Helper()
	d, err := Open(context.Background(), path, opt)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func titles(d *Document) []string {
	var out []string
	for _, c := range d.Chapters {
		out = append(out, c.Title)
	}
	return out
}

func wantTitles(t *testing.T, d *Document, want ...string) {
	t.Helper()
	if got := titles(d); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("chapter titles %q, want %q", got, want)
	}
}

const xhtml = `<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>x</title></head><body>%s</body></html>`

func TestEPUBSpineOrderNavTitlesNoFootnotes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "book.epub")
	writeZip(t, p, [][2]string{
		{"mimetype", "application/epub+zip"},
		{"META-INF/container.xml", `<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`},
		{"OEBPS/content.opf", `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>The Small Book</dc:title><dc:creator>Ada Writer</dc:creator></metadata>
<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/><item id="c2" href="text/two.xhtml" media-type="application/xhtml+xml"/><item id="c1" href="text/one.xhtml" media-type="application/xhtml+xml"/><item id="cov" href="cover.xhtml" media-type="application/xhtml+xml"/></manifest>
<spine><itemref idref="cov"/><itemref idref="c1"/><itemref idref="c2"/></spine></package>`},
		{"OEBPS/nav.xhtml", fmt.Sprintf(xhtml, `<nav epub:type="toc"><ol><li><a href="text/one.xhtml">The Beginning</a></li><li><a href="text/two.xhtml#s">The End</a></li></ol></nav>`)},
		{"OEBPS/cover.xhtml", fmt.Sprintf(xhtml, `<img src="cover.jpg" alt=""/>`)},
		{"OEBPS/text/one.xhtml", fmt.Sprintf(xhtml, `<h1>Chapter 1</h1><p>It was a quiet morning.<a epub:type="noteref" href="#n1">1</a></p><span epub:type="pagebreak" title="7">7</span><p>See https://example.com now.</p><aside epub:type="footnote" id="n1"><p>A footnote never spoken.</p></aside>`)},
		{"OEBPS/text/two.xhtml", fmt.Sprintf(xhtml, `<h1>Chapter 2</h1><ul><li>First thing</li><li>Second thing</li></ul><table><tr><th>Name</th><th>Age</th></tr><tr><td>Ann</td><td>30</td></tr></table>`)},
	})
	d := open(t, p, Options{})
	if d.Title != "The Small Book" || d.Author != "Ada Writer" {
		t.Fatalf("title %q author %q", d.Title, d.Author)
	}
	wantTitles(t, d, "The Beginning", "The End")
	one := d.Chapters[0].Text
	for _, bad := range []string{"footnote", "7", "example.com", "morning.1"} {
		if strings.Contains(one, bad) {
			t.Errorf("chapter 1 speaks %q: %q", bad, one)
		}
	}
	if !strings.Contains(one, "It was a quiet morning.") {
		t.Errorf("chapter 1 text %q", one)
	}
	two := d.Chapters[1].Text
	for _, want := range []string{"First thing.", "Second thing.", "Name, Age.", "Ann, 30."} {
		if !strings.Contains(two, want) {
			t.Errorf("chapter 2 lacks %q: %q", want, two)
		}
	}
	if d := open(t, p, Options{SpeakURLs: true}); !strings.Contains(d.Chapters[0].Text, "https://example.com") {
		t.Errorf("SpeakURLs left the address out: %q", d.Chapters[0].Text)
	}
}

func TestEPUB2NCXTitles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "old.epub")
	writeZip(t, p, [][2]string{
		{"META-INF/container.xml", `<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="content.opf"/></rootfiles></container>`},
		{"content.opf", `<package xmlns="http://www.idpf.org/2007/opf" version="2.0"><metadata/><manifest><item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/><item id="a" href="a.html"/><item id="b" href="b.html"/></manifest><spine toc="ncx"><itemref idref="b"/><itemref idref="a"/></spine></package>`},
		{"toc.ncx", `<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/"><navMap><navPoint><navLabel><text>Alpha</text></navLabel><content src="a.html"/></navPoint><navPoint><navLabel><text>Beta</text></navLabel><content src="b.html#x"/></navPoint></navMap></ncx>`},
		{"a.html", `<html><body><p>Alpha text.</p></body></html>`},
		{"b.html", `<html><body><p>Beta text.</p></body></html>`},
	})
	wantTitles(t, open(t, p, Options{}), "Beta", "Alpha")
}

func TestDOCXHeadingsListsTables(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.docx")
	para := func(style, text string) string {
		s := ""
		if style != "" {
			s = `<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`
		}
		return `<w:p>` + s + `<w:r><w:t>` + text + `</w:t></w:r></w:p>`
	}
	body := para("Heading1", "Part One") + para("", "Hello there") +
		`<w:p><w:r><w:t xml:space="preserve">With a note</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r></w:p>` +
		`<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/></w:numPr></w:pPr><w:r><w:t>An item</w:t></w:r></w:p>` +
		`<w:tbl><w:tr><w:tc>` + para("", "Cell A") + `</w:tc><w:tc>` + para("", "Cell B") + `</w:tc></w:tr></w:tbl>` +
		para("Heading1", "Part Two") + para("", "Goodbye")
	writeZip(t, p, [][2]string{
		{"[Content_Types].xml", `<Types/>`},
		{"word/document.xml", `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`},
	})
	d := open(t, p, Options{})
	wantTitles(t, d, "Part One", "Part Two")
	if got := d.Chapters[0].Text; !strings.Contains(got, "Hello there.") || !strings.Contains(got, "An item.") || !strings.Contains(got, "Cell A, Cell B.") {
		t.Fatalf("part one %q", got)
	}
}

func TestODTHeadingsNotesLeftOut(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.odt")
	writeZip(t, p, [][2]string{
		{"mimetype", "application/vnd.oasis.opendocument.text"},
		{"content.xml", `<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:text>
<text:h text:outline-level="1">First</text:h><text:p>One<text:s/>two<text:note><text:note-body><text:p>hidden note</text:p></text:note-body></text:note></text:p>
<text:list><text:list-item><text:p>Listed</text:p></text:list-item></text:list>
<text:h text:outline-level="1">Second</text:h><text:p>Three</text:p></office:text></office:body></office:document-content>`},
	})
	d := open(t, p, Options{})
	wantTitles(t, d, "First", "Second")
	if got := d.Chapters[0].Text; got != "First.\n\nOne two.\n\nListed." {
		t.Fatalf("first chapter %q", got)
	}
}

func TestHTMLAndMarkdownAndBreaks(t *testing.T) {
	dir := t.TempDir()
	h := filepath.Join(dir, "a.html")
	os.WriteFile(h, []byte(`<html><head><title>Page</title><script>var x</script></head><body><nav>Menu</nav><h2>Intro</h2><p>Hi <b>you</b>.</p><pre>code()</pre><h2>More</h2><p>Bye</p></body></html>`), 0o644)
	d := open(t, h, Options{})
	wantTitles(t, d, "Intro", "More")
	if d.Chapters[0].Text != "Intro.\n\nHi you." {
		t.Fatalf("intro %q", d.Chapters[0].Text)
	}
	if d := open(t, h, Options{SpeakCode: true}); !strings.Contains(d.Chapters[0].Text, "code()") {
		t.Fatalf("SpeakCode: %q", d.Chapters[0].Text)
	}
	m := filepath.Join(dir, "a.md")
	os.WriteFile(m, []byte("# One\n\nSome **bold** [link](http://x.y) text.\n\n```\nskip me\n```\n\n- a\n- b\n\n| h1 | h2 |\n|----|----|\n| c | d |\n\n# Two\n\nEnd\n"), 0o644)
	d = open(t, m, Options{})
	wantTitles(t, d, "One", "Two")
	if got := d.Chapters[0].Text; got != "One.\n\nSome bold link text.\n\na.\n\nb.\n\nh1, h2.\n\nc, d." {
		t.Fatalf("markdown chapter %q", got)
	}
	tx := filepath.Join(dir, "a.txt")
	os.WriteFile(tx, []byte("Part a\nline\n\n---\n\nPart b\n"), 0o644)
	if d := open(t, tx, Options{}); len(d.Chapters) != 2 || d.Chapters[1].Text != "Part b." {
		t.Fatalf("--- break: %+v", d.Chapters)
	}
}

func TestSubtitlesEachCue(t *testing.T) {
	dir := t.TempDir()
	s := filepath.Join(dir, "a.srt")
	os.WriteFile(s, []byte("1\n00:00:01,000 --> 00:00:02,000\nHello <i>there</i>\n\n2\n00:00:03,000 --> 00:00:04,000\nSecond cue\nwraps\n"), 0o644)
	if got := open(t, s, Options{}).Text(); got != "Hello there.\n\nSecond cue wraps." {
		t.Fatalf("srt %q", got)
	}
	v := filepath.Join(dir, "a.vtt")
	os.WriteFile(v, []byte("WEBVTT\n\nNOTE a comment\n\nid1\n00:01.000 --> 00:02.000\nOne\n\n00:03.000 --> 00:04.000\nTwo\n"), 0o644)
	if got := open(t, v, Options{}).Text(); got != "One.\n\nTwo." {
		t.Fatalf("vtt %q", got)
	}
}

// minimalPDF builds a one-page PDF; with text "" the page has no text layer.
func minimalPDF(text string) []byte {
	stream := ""
	if text != "" {
		stream = "BT /F1 24 Tf 72 700 Td (" + text + ") Tj ET"
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	var offs []int
	for i, o := range objs {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return []byte(b.String())
}

func TestPDFTextLayer(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext missing: scripts/deps.sh test installs poppler-utils")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "a.pdf")
	os.WriteFile(p, minimalPDF("Hello from a PDF"), 0o644)
	if got := open(t, p, Options{}).Text(); got != "Hello from a PDF." {
		t.Fatalf("pdf text %q", got)
	}
	scan := filepath.Join(dir, "scan.pdf")
	os.WriteFile(scan, minimalPDF(""), 0o644)
	if _, err := Open(context.Background(), scan, Options{}); !errors.Is(err, ErrNoTextLayer) {
		t.Fatalf("no text layer: %v", err)
	}
	t.Setenv("PATH", dir)
	if _, err := Open(context.Background(), p, Options{}); !errors.Is(err, ErrNoPDFTool) {
		t.Fatalf("missing tool: %v", err)
	}
}

func TestUnknownExtensionNamesTheKnownOnes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.xyz")
	os.WriteFile(p, []byte("x"), 0o644)
	_, err := Open(context.Background(), p, Options{})
	if err == nil || !strings.Contains(err.Error(), ".epub") {
		t.Fatalf("error %v", err)
	}
}

func TestScriptLinesSurvive(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.txt")
	os.WriteFile(p, []byte("[cast: a = x/y/z]\n[voice: a]\nHello\nthere\n[pause 1s]\n---\nNext\n"), 0o644)
	d := open(t, p, Options{})
	if len(d.Chapters) != 2 || d.Chapters[0].Text != "[cast: a = x/y/z]\n\n[voice: a]\n\nHello there.\n\n[pause 1s]" {
		t.Fatalf("chapters %+v", d.Chapters)
	}
}
