// Package beritaacara renders the "Berita Acara Penyelesaian Pengaduan", the
// signed record that closes a complaint, as an A4 PDF.
//
// It is pure: Render takes a Document of plain values (already looked up,
// already translated into Indonesian labels) and writes PDF bytes; it reads
// no database and no configuration. The same Document always gives the same
// bytes: the PDF's creation date is the complaint's ResolvedAt, never the
// clock. The text is set in the Go fonts (golang.org/x/image/font/gofont,
// BSD licence), embedded as subsets, so the file needs no fonts installed.
package beritaacara

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/core/workflow"
)

// Office is the letterhead, from configuration (ADUAN_OFFICE_*):
// beritaacara.Office(cfg.Office) converts config.OfficeConfig as is.
type Office struct {
	Name    string // e.g. "Dinas Sosial dan Pemberdayaan Masyarakat Desa Provinsi ..."
	Address string
	Phone   string // empty: no telephone line
	City    string // where the record is signed: "Pangkalpinang, 31 Maret 2026"
}

// Person is the reporter as the record shows them.
type Person struct {
	Name string
	// NIKMasked is the NIK as it may be printed, e.g. 1971xxxxxxxx0003. A
	// value with more than eight digits is masked again with
	// identity.MaskNIK, so a full NIK passed by mistake never reaches paper.
	NIKMasked string
	Address   string
	Phone     string // printed as given
	// Withheld is set for a confidential or anonymous report: the record
	// then prints "(dirahasiakan)" in place of the identity, and none of
	// the fields above.
	Withheld bool
}

// Inspection is a field inspection (pemeriksaan lapangan) made during a
// follow-up.
type Inspection struct {
	Date     time.Time
	Place    string
	Officers string // who went, as one line of names
	Findings string
}

// FollowUp is one follow-up note (tindak lanjut) by the koordinator.
type FollowUp struct {
	At         time.Time
	Author     string
	Text       string
	Inspection *Inspection // nil when the note records no field inspection
}

// Document is everything the berita acara shows.
type Document struct {
	Office Office

	Ticket   string // required, e.g. ADU-2026-000123
	Channel  string // as an Indonesian label, e.g. "WhatsApp", "Datang langsung"
	Category string // as an Indonesian label, e.g. "PKH"

	Class   workflow.Class // printed with its working days and meaning
	DueDate calendar.Date  // printed as "31 Maret 2026"; the zero Date as "-"

	ReceivedAt time.Time // when the complaint team received the report
	VerifiedAt time.Time
	ResolvedAt time.Time // required: the record's date and the PDF's creation date

	Summary   string     // the complaint as the reporter told it
	FollowUps []FollowUp // in the order to print, oldest first
	Result    string     // the result of the handling, as told to the reporter

	Reporter Person

	Koordinator string // signs as Koordinator Penanganan Pengaduan; empty leaves a dotted line
	Receiver    string // signs as Petugas Penerima; empty leaves a dotted line

	// Number is the document number; empty gives "BA/<Ticket>/<year resolved>".
	Number string
}

// Errors Render returns for a Document it cannot record.
var (
	// ErrNoTicket is returned for a Document without a Ticket.
	ErrNoTicket = errors.New("berita acara: no ticket")
	// ErrNotResolved is returned for a Document without ResolvedAt.
	ErrNotResolved = errors.New("berita acara: complaint not resolved")
)

// Withheld is what the record prints instead of a withheld identity.
const Withheld = "(dirahasiakan)"

// Title is the heading of the record.
const Title = "BERITA ACARA PENYELESAIAN PENGADUAN"

// classLine is a deadline class with its working days and meaning:
// "A (5 hari kerja): kelalaian kewajiban". An unknown class is printed as
// given, so a bad value shows rather than vanishes.
func classLine(class workflow.Class) string {
	c, err := workflow.ParseClass(string(class))
	if err != nil {
		return orDash(string(class))
	}
	return fmt.Sprintf("%s (%d hari kerja): %s", c, c.WorkingDays(), c.Label())
}

// DocumentNumber is d.Number, or the default "BA/<Ticket>/<year resolved>".
func (d Document) DocumentNumber() string {
	if d.Number != "" {
		return d.Number
	}
	return fmt.Sprintf("BA/%s/%d", d.Ticket, calendar.DateOf(d.ResolvedAt).Year)
}

// Render writes d as a PDF to w.
func Render(w io.Writer, d Document) error {
	if strings.TrimSpace(d.Ticket) == "" {
		return ErrNoTicket
	}
	if d.ResolvedAt.IsZero() {
		return ErrNotResolved
	}
	s, err := newSheet(d)
	if err != nil {
		return err
	}
	s.letterhead(d.Office)
	s.heading(d)
	s.complaintData(d)
	s.reporter(d.Reporter)
	s.numbered(3, "Uraian Pengaduan")
	s.body(orDash(d.Summary))
	s.followUps(d.FollowUps)
	s.numbered(5, "Hasil Penyelesaian")
	s.body(orDash(d.Result))
	s.gap(3)
	s.paragraph("Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya.")
	s.signatures(d)
	s.pageNumbers(d.Ticket)
	if s.err != nil {
		return fmt.Errorf("rendering berita acara %s: %w", d.Ticket, s.err)
	}
	if _, err := s.pdf.WriteTo(w); err != nil {
		return fmt.Errorf("writing berita acara %s: %w", d.Ticket, err)
	}
	return nil
}

func (s *sheet) heading(d Document) {
	s.gap(4)
	s.font(bold, 13)
	s.centred(Title)
	s.font(regular, 11)
	s.centred("Nomor: " + d.DocumentNumber())
	s.gap(4)
	city := strings.TrimSpace(d.Office.City)
	at := ""
	if city != "" {
		at = ", bertempat di " + city
	}
	s.paragraph(fmt.Sprintf("Pada hari ini %s tanggal %s%s, kami yang bertanda tangan di bawah ini "+
		"menyatakan bahwa pengaduan dengan keterangan berikut telah selesai ditangani:",
		calendar.DayName(d.ResolvedAt.In(calendar.WIB).Weekday()), LongDate(d.ResolvedAt), at))
}

func (s *sheet) complaintData(d Document) {
	s.numbered(1, "Data Pengaduan")
	s.field("Nomor tiket", d.Ticket)
	s.field("Saluran", orDash(d.Channel))
	s.field("Kategori", orDash(d.Category))
	s.field("Diterima", LongDateTime(d.ReceivedAt))
	s.field("Diverifikasi", LongDateTime(d.VerifiedAt))
	s.field("Klasifikasi", classLine(d.Class))
	s.field("Batas waktu", longDate(d.DueDate))
	s.field("Diselesaikan", LongDateTime(d.ResolvedAt))
}

func (s *sheet) reporter(p Person) {
	s.numbered(2, "Identitas Pelapor")
	if p.Withheld {
		s.field("Identitas", Withheld)
		return
	}
	s.field("Nama", orDash(p.Name))
	s.field("NIK", orDash(printableNIK(p.NIKMasked)))
	s.field("Alamat", orDash(p.Address))
	s.field("Telepon", orDash(p.Phone))
}

func (s *sheet) followUps(fs []FollowUp) {
	s.numbered(4, "Tindak Lanjut")
	if len(fs) == 0 {
		s.body("Tidak ada catatan tindak lanjut.")
		return
	}
	for i, f := range fs {
		head := fmt.Sprintf("%d) %s", i+1, LongDateTime(f.At))
		if a := strings.TrimSpace(f.Author); a != "" {
			head += ", oleh " + a
		}
		s.keepWith(2)
		s.font(bold, bodySize)
		s.lines(s.left+indent, s.width-indent, head, false)
		s.font(regular, bodySize)
		s.lines(s.left+2*indent, s.width-2*indent, orDash(f.Text), false)
		if in := f.Inspection; in != nil {
			s.subfield("Pemeriksaan lapangan", LongDate(in.Date))
			s.subfield("Tempat", orDash(in.Place))
			s.subfield("Petugas", orDash(in.Officers))
			s.subfield("Temuan", orDash(in.Findings))
		}
		s.gap(1.5)
	}
}

func (s *sheet) signatures(d Document) {
	const nameGap = 20 // room for a signature and a stamp, in mm
	lh := s.lineHeight(bodySize)
	s.gap(5)
	s.need(3*lh + nameGap) // the block stays whole
	colW := s.width / 2
	right := s.left + colW
	s.font(regular, bodySize)
	place := strings.TrimSpace(d.Office.City)
	if place != "" {
		place += ", "
	}
	s.at(right, s.y, place+LongDate(d.ResolvedAt))
	s.y += lh
	s.at(s.left, s.y, "Petugas Penerima,")
	s.at(right, s.y, "Koordinator Penanganan Pengaduan,")
	s.y += lh + nameGap
	s.font(bold, bodySize)
	s.signName(s.left, colW-8, d.Receiver)
	s.signName(right, colW-8, d.Koordinator)
	s.y += lh
}

// signName writes a signer's name, underlined, or a dotted line to write it on.
func (s *sheet) signName(x, maxW float64, name string) {
	name = s.clean(strings.TrimSpace(name))
	if name == "" {
		s.font(regular, bodySize)
		s.at(x, s.y, "(....................................)")
		s.font(bold, bodySize)
		return
	}
	for s.measure(name) > maxW && len([]rune(name)) > 1 {
		r := []rune(name)
		name = string(r[:len(r)-1])
	}
	s.at(x, s.y, name)
	s.pdf.SetLineWidth(0.25)
	s.pdf.Line(x, s.y+s.lineHeight(bodySize)-1, x+s.measure(name), s.y+s.lineHeight(bodySize)-1)
}

// printableNIK returns nik unless it shows more than eight digits, in which
// case it is masked: a full NIK must never be printed.
func printableNIK(nik string) string {
	digits := 0
	for _, r := range nik {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	if digits > 8 {
		return identity.MaskNIK(nik)
	}
	return nik
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
