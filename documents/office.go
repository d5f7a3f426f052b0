package documents

import (
	"archive/zip"
	"chorus/internal/childenv"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

func openZipXML(p, name string) (*zip.ReadCloser, *xml.Decoder, io.Closer, error) {
	z, err := zip.OpenReader(p)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("not a readable document (zip): %w", err)
	}
	for _, f := range z.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				z.Close()
				return nil, nil, nil, err
			}
			return z, xml.NewDecoder(io.LimitReader(rc, MaxBytes)), rc, nil
		}
	}
	z.Close()
	return nil, nil, nil, fmt.Errorf("the document lacks %s", name)
}

// readDOCX reads word/document.xml: paragraphs (Heading N and Title styles
// as headings, numbered paragraphs as list items) and table rows; footnote
// references are left out.
func readDOCX(_ context.Context, p string) (*parsed, error) {
	z, dec, rc, err := openZipXML(p, "word/document.xml")
	if err != nil {
		return nil, err
	}
	defer z.Close()
	defer rc.Close()
	var bs []block
	var text strings.Builder
	var cells []string
	var style string
	var list bool
	depthTbl := 0
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("word/document.xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p":
				text.Reset()
				style, list = "", false
			case "pStyle":
				style = attr(t, "val")
			case "numPr":
				list = true
			case "t":
				inText = true
			case "tab":
				text.WriteString(" ")
			case "br":
				text.WriteString(" ")
			case "tbl":
				depthTbl++
			case "tr":
				cells = nil
			case "footnoteReference", "endnoteReference", "instrText", "delText":
				dec.Skip()
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				s := strings.TrimSpace(text.String())
				if depthTbl > 0 {
					if s != "" {
						cells = append(cells, s)
					}
					continue
				}
				if s == "" {
					continue
				}
				b := block{kind: para, text: s}
				lower := strings.ToLower(style)
				switch {
				case lower == "title":
					b.kind, b.level = heading, 1
				case strings.HasPrefix(lower, "heading"):
					n, _ := strconv.Atoi(strings.TrimSpace(lower[len("heading"):]))
					b.kind, b.level = heading, max(n, 1)
				case list || strings.HasPrefix(lower, "list"):
					b.kind = item
				}
				bs = append(bs, b)
			case "tr":
				bs = append(bs, block{kind: row, cells: cells})
			case "tbl":
				depthTbl--
			}
		case xml.CharData:
			if inText {
				text.Write(t)
			}
		}
	}
	return &parsed{blocks: bs}, nil
}

// readODT reads content.xml of an OpenDocument text: text:h headings,
// paragraphs, list items and table rows; notes are left out.
func readODT(_ context.Context, p string) (*parsed, error) {
	z, dec, rc, err := openZipXML(p, "content.xml")
	if err != nil {
		return nil, err
	}
	defer z.Close()
	defer rc.Close()
	var bs []block
	var text strings.Builder
	var cells []string
	depthTbl, depthList, depthPara := 0, 0, 0
	level := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("content.xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "h", "p":
				if depthPara == 0 {
					text.Reset()
					level = 0
					if t.Name.Local == "h" {
						level, _ = strconv.Atoi(attr(t, "outline-level"))
						level = max(level, 1)
					}
				}
				depthPara++
			case "s", "tab", "line-break":
				text.WriteString(" ")
			case "note", "tracked-changes", "annotation":
				dec.Skip()
			case "table":
				depthTbl++
			case "table-row":
				cells = nil
			case "list-item":
				depthList++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "h", "p":
				depthPara--
				if depthPara > 0 {
					continue
				}
				s := strings.TrimSpace(text.String())
				switch {
				case s == "":
				case depthTbl > 0:
					cells = append(cells, s)
				case level > 0:
					bs = append(bs, block{kind: heading, level: level, text: s})
				case depthList > 0:
					bs = append(bs, block{kind: item, text: s})
				default:
					bs = append(bs, block{kind: para, text: s})
				}
			case "table-row":
				bs = append(bs, block{kind: row, cells: cells})
			case "table":
				depthTbl--
			case "list-item":
				depthList--
			}
		case xml.CharData:
			if depthPara > 0 {
				text.Write(t)
			}
		}
	}
	return &parsed{blocks: bs}, nil
}

func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// ErrNoPDFTool is returned when poppler's pdftotext is not installed.
var ErrNoPDFTool = errors.New("reading PDF needs pdftotext from poppler-utils; install it (for example: sudo apt install poppler-utils) and open the file again")

// ErrNoTextLayer is returned for a PDF without a text layer (a scan).
var ErrNoTextLayer = errors.New("this PDF has no text layer (it is probably scanned images); run it through OCR first, then open it again")

// readPDF runs pdftotext; pages split at form feeds, lines that are only a
// page number are left out.
func readPDF(ctx context.Context, p string) (*parsed, error) {
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		return nil, ErrNoPDFTool
	}
	cmd := exec.CommandContext(ctx, tool, "-enc", "UTF-8", "-q", "--", p, "-")
	cmd.Env = childenv.Environ()
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
			return nil, fmt.Errorf("pdftotext could not read it: %s", strings.TrimSpace(string(ee.Stderr)))
		}
		return nil, fmt.Errorf("pdftotext could not read it: %w", err)
	}
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(string(out), "\f", "\n\n"), "\n") {
		if t := strings.TrimSpace(l); t != "" {
			if _, err := strconv.Atoi(t); err == nil {
				continue // a page number
			}
		}
		lines = append(lines, l)
	}
	s := strings.Join(lines, "\n")
	if strings.TrimSpace(s) == "" {
		return nil, ErrNoTextLayer
	}
	return &parsed{blocks: plainBlocks(s)}, nil
}
