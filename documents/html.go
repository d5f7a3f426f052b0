package documents

import (
	"context"
	"io"
	"os"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func readHTMLFile(_ context.Context, path string) (*parsed, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readHTML(f)
}

func readHTML(r io.Reader) (*parsed, error) {
	root, err := html.Parse(r)
	if err != nil {
		return nil, err
	}
	w := &htmlWalker{}
	w.walk(root)
	w.flush()
	return &parsed{title: w.title, blocks: w.blocks}, nil
}

type htmlWalker struct {
	blocks []block
	text   strings.Builder
	cells  []string
	title  string
}

// skipped says whether an element carries no words to speak: scripts,
// navigation, footnotes, note references and page-break markers.
func skipped(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Nav, atom.Template, atom.Svg, atom.Math, atom.Aside, atom.Head:
		return n.DataAtom != atom.Head
	}
	for _, a := range n.Attr {
		v := strings.ToLower(a.Val)
		switch strings.ToLower(a.Key) {
		case "epub:type", "role":
			for _, t := range strings.Fields(v) {
				switch strings.TrimPrefix(t, "doc-") {
				case "footnote", "endnote", "endnotes", "footnotes", "noteref", "pagebreak", "rearnote", "rearnotes", "toc":
					return true
				}
			}
		case "class":
			for _, t := range strings.Fields(v) {
				if t == "footnote" || t == "pagenum" || t == "page-number" || t == "noteref" {
					return true
				}
			}
		}
	}
	return false
}

func (w *htmlWalker) flush() {
	if t := strings.TrimSpace(w.text.String()); t != "" {
		w.blocks = append(w.blocks, block{kind: para, text: t})
	}
	w.text.Reset()
}

func (w *htmlWalker) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text.WriteString(n.Data)
		return
	case html.ElementNode:
	default:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.walk(c)
		}
		return
	}
	if skipped(n) {
		return
	}
	switch n.DataAtom {
	case atom.Title:
		w.title = strings.TrimSpace(textOf(n))
		return
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		w.flush()
		w.blocks = append(w.blocks, block{kind: heading, level: int(n.Data[1] - '0'), text: textOf(n)})
		return
	case atom.Pre:
		w.flush()
		w.blocks = append(w.blocks, block{kind: code, text: textOf(n)})
		return
	case atom.Li:
		w.flush()
		w.children(n)
		if t := strings.TrimSpace(w.text.String()); t != "" {
			w.blocks = append(w.blocks, block{kind: item, text: t})
		}
		w.text.Reset()
		return
	case atom.Tr:
		w.flush()
		var cells []string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.DataAtom == atom.Td || c.DataAtom == atom.Th {
				cells = append(cells, textOf(c))
			}
		}
		w.blocks = append(w.blocks, block{kind: row, cells: cells})
		return
	case atom.Br:
		w.text.WriteString(" ")
		return
	case atom.Hr:
		w.flush()
		return
	case atom.Img:
		return
	}
	if isBlock(n.DataAtom) {
		w.flush()
		w.children(n)
		w.flush()
		return
	}
	w.children(n)
}

func (w *htmlWalker) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Blockquote, atom.Ul, atom.Ol, atom.Dl, atom.Dt, atom.Dd,
		atom.Table, atom.Figure, atom.Figcaption, atom.Header, atom.Footer, atom.Main, atom.Body, atom.Caption:
		return true
	}
	return false
}

// textOf is the spoken text inside n, skipping what skipped leaves out.
func textOf(n *html.Node) string {
	var b strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			return
		}
		if n.Type == html.ElementNode && (skipped(n) || n.DataAtom == atom.Img) {
			return
		}
		if n.DataAtom == atom.Br || n.DataAtom == atom.Td || n.DataAtom == atom.Th {
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(n)
	return strings.Join(strings.Fields(b.String()), " ")
}
