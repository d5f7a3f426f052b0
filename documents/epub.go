package documents

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"golang.org/x/net/html"
)

// readEPUB reads the spine in order; each spine file is a chapter titled
// from the navigation document (EPUB 3) or the NCX (EPUB 2).
func readEPUB(ctx context.Context, p string) (*parsed, error) {
	z, err := zip.OpenReader(p)
	if err != nil {
		return nil, fmt.Errorf("not a readable EPUB (zip): %w", err)
	}
	defer z.Close()
	files := map[string]*zip.File{}
	for _, f := range z.File {
		files[f.Name] = f
	}
	var container struct {
		Rootfiles []struct {
			FullPath string `xml:"full-path,attr"`
		} `xml:"rootfiles>rootfile"`
	}
	if err := unmarshalZip(files, "META-INF/container.xml", &container); err != nil {
		return nil, err
	}
	if len(container.Rootfiles) == 0 {
		return nil, errors.New("EPUB has no package document in META-INF/container.xml")
	}
	opfPath := container.Rootfiles[0].FullPath
	var opf struct {
		Title    []string `xml:"metadata>title"`
		Creator  []string `xml:"metadata>creator"`
		Manifest []struct {
			ID         string `xml:"id,attr"`
			Href       string `xml:"href,attr"`
			MediaType  string `xml:"media-type,attr"`
			Properties string `xml:"properties,attr"`
		} `xml:"manifest>item"`
		Spine struct {
			Toc   string `xml:"toc,attr"`
			Items []struct {
				IDRef  string `xml:"idref,attr"`
				Linear string `xml:"linear,attr"`
			} `xml:"itemref"`
		} `xml:"spine"`
	}
	if err := unmarshalZip(files, opfPath, &opf); err != nil {
		return nil, err
	}
	dir := path.Dir(opfPath)
	resolve := func(base, href string) string {
		href, _, _ = strings.Cut(href, "#")
		return path.Clean(path.Join(base, unescape(href)))
	}
	hrefs := map[string]string{}
	titles := map[string]string{}
	for _, it := range opf.Manifest {
		full := resolve(dir, it.Href)
		hrefs[it.ID] = full
		if strings.Contains(" "+it.Properties+" ", " nav ") {
			navTitles(files, full, titles)
		}
	}
	if len(titles) == 0 && opf.Spine.Toc != "" {
		ncxTitles(files, hrefs[opf.Spine.Toc], titles)
	}
	out := &parsed{}
	if len(opf.Title) > 0 {
		out.title = strings.TrimSpace(opf.Title[0])
	}
	if len(opf.Creator) > 0 {
		out.author = strings.TrimSpace(opf.Creator[0])
	}
	for _, ref := range opf.Spine.Items {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if ref.Linear == "no" {
			continue
		}
		full, ok := hrefs[ref.IDRef]
		if !ok {
			continue
		}
		f, ok := files[full]
		if !ok {
			return nil, fmt.Errorf("EPUB spine names %s, which is missing", full)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		doc, err := readHTML(io.LimitReader(rc, MaxBytes))
		rc.Close()
		if err != nil {
			return nil, err
		}
		title := titles[full]
		if title == "" {
			title = doc.title
			for _, b := range doc.blocks {
				if b.kind == heading {
					title = b.text
					break
				}
			}
		}
		// A heading that repeats the chapter title is spoken once, as the title.
		bs := doc.blocks
		hasText := false
		for _, b := range bs {
			if b.kind != heading && strings.TrimSpace(b.text+strings.Join(b.cells, "")) != "" {
				hasText = true
			}
		}
		if !hasText {
			continue // a cover or title page image
		}
		out.blocks = append(out.blocks, block{kind: chapterT, text: title})
		for _, b := range bs {
			if b.kind == heading {
				b.level += 10 // within a chapter headings are spoken, not split
			}
			out.blocks = append(out.blocks, b)
		}
	}
	return out, nil
}

func unescape(s string) string {
	r := strings.NewReplacer("%20", " ")
	return r.Replace(s)
}

func unmarshalZip(files map[string]*zip.File, name string, v any) error {
	f, ok := files[name]
	if !ok {
		return fmt.Errorf("EPUB lacks %s", name)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(io.LimitReader(rc, MaxBytes)).Decode(v); err != nil {
		return fmt.Errorf("EPUB %s: %w", name, err)
	}
	return nil
}

// navTitles reads the EPUB 3 navigation document's toc: the first entry for
// each file names it.
func navTitles(files map[string]*zip.File, navPath string, titles map[string]string) {
	f, ok := files[navPath]
	if !ok {
		return
	}
	rc, err := f.Open()
	if err != nil {
		return
	}
	defer rc.Close()
	root, err := html.Parse(io.LimitReader(rc, MaxBytes))
	if err != nil {
		return
	}
	base := path.Dir(navPath)
	var toc func(*html.Node, bool)
	toc = func(n *html.Node, in bool) {
		if n.Type == html.ElementNode && n.Data == "nav" {
			in = false
			for _, a := range n.Attr {
				if a.Key == "epub:type" && strings.Contains(a.Val, "toc") {
					in = true
				}
			}
		}
		if in && n.Type == html.ElementNode && n.Data == "a" {
			for _, a := range n.Attr {
				if a.Key == "href" {
					href, _, _ := strings.Cut(a.Val, "#")
					full := path.Clean(path.Join(base, unescape(href)))
					if _, seen := titles[full]; !seen {
						titles[full] = textOf(n)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			toc(c, in)
		}
	}
	toc(root, false)
}

// ncxTitles reads the EPUB 2 NCX navMap in the same way.
func ncxTitles(files map[string]*zip.File, ncxPath string, titles map[string]string) {
	type point struct {
		Label   string `xml:"navLabel>text"`
		Content struct {
			Src string `xml:"src,attr"`
		} `xml:"content"`
		Points []point `xml:"navPoint"`
	}
	var ncx struct {
		Points []point `xml:"navMap>navPoint"`
	}
	if unmarshalZip(files, ncxPath, &ncx) != nil {
		return
	}
	base := path.Dir(ncxPath)
	var walk func([]point)
	walk = func(ps []point) {
		for _, p := range ps {
			href, _, _ := strings.Cut(p.Content.Src, "#")
			full := path.Clean(path.Join(base, unescape(href)))
			if _, seen := titles[full]; !seen {
				titles[full] = strings.TrimSpace(p.Label)
			}
			walk(p.Points)
		}
	}
	walk(ncx.Points)
}
