package beritaacara

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Page geometry of an A4 sheet, in millimetres.
const (
	pageW        = 210.0
	pageH        = 297.0
	marginLeft   = 25.0
	marginRight  = 20.0
	marginTop    = 15.0
	marginBottom = 20.0 // the footer with the page number sits in it
	indent       = 6.0
	labelW       = 34.0 // width of a field's label column
	ptToMM       = 25.4 / 72
	bodySize     = 10.0 // points
)

// Font families as registered with gopdf.
const (
	regular = "goregular"
	bold    = "gobold"
)

// sheet lays text out top to bottom over as many pages as it takes. The
// first error is kept in err and turns every later call into a no-op, so
// the layout code reads as a list of what the record says.
type sheet struct {
	pdf   *gopdf.GoPdf
	left  float64 // x of the text column
	width float64 // width of the text column
	y     float64 // top of the next line
	size  float64 // current font size in points
	err   error
}

func newSheet(d Document) (*sheet, error) {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	pdf.SetInfo(gopdf.PdfInfo{
		Title:        Title + " " + d.Ticket,
		Subject:      "Berita acara penyelesaian pengaduan " + d.Ticket,
		Author:       d.Office.Name,
		Creator:      "Aduan",
		Producer:     "Aduan",
		CreationDate: d.ResolvedAt,
	})
	if err := pdf.AddTTFFontData(regular, goregular.TTF); err != nil {
		return nil, fmt.Errorf("loading font %s: %w", regular, err)
	}
	if err := pdf.AddTTFFontData(bold, gobold.TTF); err != nil {
		return nil, fmt.Errorf("loading font %s: %w", bold, err)
	}
	s := &sheet{pdf: pdf, left: marginLeft, width: pageW - marginLeft - marginRight}
	s.newPage()
	s.font(regular, bodySize)
	return s, nil
}

func (s *sheet) newPage() {
	s.pdf.AddPage()
	s.y = marginTop
}

func (s *sheet) font(family string, size float64) {
	if s.err != nil {
		return
	}
	s.size = size
	s.err = s.pdf.SetFont(family, "", size)
}

func (s *sheet) lineHeight(size float64) float64 { return size * ptToMM * 1.3 }

// gap adds vertical space (mm), never carried over to the top of a page.
func (s *sheet) gap(mm float64) {
	s.y = min(s.y+mm, pageH-marginBottom)
}

// need starts a new page unless h millimetres still fit on this one.
func (s *sheet) need(h float64) {
	if s.y+h > pageH-marginBottom {
		s.newPage()
	}
}

// keepWith starts a new page unless n lines of the current size fit, so a
// heading is not left alone at the foot of a page.
func (s *sheet) keepWith(n int) { s.need(float64(n+1) * s.lineHeight(s.size)) }

func (s *sheet) measure(text string) float64 {
	if s.err != nil || text == "" {
		return 0
	}
	w, err := s.pdf.MeasureTextWidth(text)
	if err != nil {
		s.err = err
	}
	return w
}

// at writes one line of text with its top at (x, y).
func (s *sheet) at(x, y float64, text string) {
	if s.err != nil || text == "" {
		return
	}
	s.pdf.SetXY(x, y)
	s.err = s.pdf.Cell(nil, text)
}

// lines writes text wrapped to width at x, flowing onto new pages.
func (s *sheet) lines(x, width float64, text string, centred bool) {
	lh := s.lineHeight(s.size)
	for _, line := range s.wrap(s.clean(text), width) {
		s.need(lh)
		lx := x
		if centred {
			lx = x + (width-s.measure(line))/2
		}
		s.at(lx, s.y, line)
		s.y += lh
	}
}

// paragraph writes text across the full column.
func (s *sheet) paragraph(text string) {
	s.font(regular, bodySize)
	s.lines(s.left, s.width, text, false)
}

// body writes text under a section heading, indented like its fields.
func (s *sheet) body(text string) {
	s.font(regular, bodySize)
	s.lines(s.left+indent, s.width-indent, text, false)
}

func (s *sheet) centred(text string) { s.lines(s.left, s.width, text, true) }

// numbered writes a section heading: "1. Data Pengaduan".
func (s *sheet) numbered(n int, title string) {
	s.gap(2.5)
	s.font(bold, 11)
	s.keepWith(2)
	s.lines(s.left, s.width, fmt.Sprintf("%d.  %s", n, title), false)
	s.gap(0.5)
	s.font(regular, bodySize)
}

// field writes "label : value" with the value wrapped in its own column.
func (s *sheet) field(label, value string) { s.labelled(s.left+indent, labelW, label, value) }

// subfield is a field one step further in, under a follow-up.
func (s *sheet) subfield(label, value string) {
	s.labelled(s.left+2*indent, labelW+8, label, value)
}

func (s *sheet) labelled(x, labelWidth float64, label, value string) {
	s.font(regular, bodySize)
	lh := s.lineHeight(s.size)
	s.need(lh)
	s.at(x, s.y, label)
	s.at(x+labelWidth, s.y, ":")
	vx := x + labelWidth + 3
	s.lines(vx, s.left+s.width-vx, value, false)
}

// letterhead writes the office's name, address and telephone over a
// double rule, as on the office's paper.
func (s *sheet) letterhead(o Office) {
	s.font(bold, 12.5)
	s.centred(strings.ToUpper(orDash(o.Name)))
	s.font(regular, 9.5)
	if a := strings.TrimSpace(o.Address); a != "" {
		s.centred(a)
	}
	if p := strings.TrimSpace(o.Phone); p != "" {
		s.centred("Telepon " + p)
	}
	s.y += 1.5
	s.pdf.SetLineWidth(0.8)
	s.pdf.Line(s.left, s.y, s.left+s.width, s.y)
	s.pdf.SetLineWidth(0.25)
	s.pdf.Line(s.left, s.y+1.1, s.left+s.width, s.y+1.1)
	s.y += 2
}

// pageNumbers writes a footer on every page once the page count is known.
func (s *sheet) pageNumbers(ticket string) {
	n := s.pdf.GetNumberOfPages()
	for i := 1; i <= n && s.err == nil; i++ {
		if s.err = s.pdf.SetPage(i); s.err != nil {
			return
		}
		s.font(regular, 8)
		y := pageH - marginBottom + 8
		s.pdf.SetLineWidth(0.2)
		s.pdf.Line(s.left, y-1.5, s.left+s.width, y-1.5)
		s.at(s.left, y, s.clean("Berita Acara Penyelesaian Pengaduan "+ticket))
		num := fmt.Sprintf("Halaman %d dari %d", i, n)
		s.at(s.left+s.width-s.measure(num), y, num)
	}
}

// wrap breaks text into lines no wider than width: at spaces, and inside a
// word only when the word alone is wider than a line. Line breaks in the
// text are kept; runs of spaces collapse.
func (s *sheet) wrap(text string, width float64) []string {
	var out []string
	for _, para := range strings.Split(strings.TrimSpace(text), "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			for _, piece := range s.splitWord(word, width) {
				switch {
				case line == "":
					line = piece
				case s.measure(line+" "+piece) <= width:
					line += " " + piece
				default:
					out = append(out, line)
					line = piece
				}
			}
		}
		out = append(out, line)
	}
	return out
}

// splitWord cuts a word wider than width (a long number or address) into
// pieces that fit; a word that fits is returned whole.
func (s *sheet) splitWord(word string, width float64) []string {
	if s.measure(word) <= width {
		return []string{word}
	}
	var pieces []string
	var cur []rune
	for _, r := range word {
		if len(cur) > 0 && s.measure(string(append(cur, r))) > width {
			pieces = append(pieces, string(cur))
			cur = cur[:0]
		}
		cur = append(cur, r)
	}
	return append(pieces, string(cur))
}

// clean makes text printable with the embedded font: line endings become
// \n, tabs spaces, other control characters go; a character the font lacks
// becomes "?" when it is a letter or digit, and is dropped otherwise
// (emoji, joiners, variation selectors).
func (s *sheet) clean(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t' || r == '\r' || r == '\u00a0':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		if ok, err := s.pdf.IsCurrFontContainGlyph(r); err == nil && ok {
			return r
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return '?'
		}
		return -1
	}, text)
}
