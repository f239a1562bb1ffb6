// Package dossier writes a complaint's whole file as one zip archive, the
// form in which an archived complaint is downloaded and kept:
//
//	README.txt          what the archive holds, in Indonesian
//	complaint.json      the complaint's summary (Input.Complaint)
//	timeline.csv        at (WIB, RFC 3339), actor, action, detail
//	thread.txt          the messages with the reporter, in order
//	berita-acara.pdf    the signed record of resolution, when given
//	lampiran/<n>-<name> the attachments, numbered from 1 in the order given
//
// It is pure: it takes values and writes bytes, and reads attachments only
// through the Open functions it is handed. What the archive contains is the
// caller's choice: pass only the attachments the downloading role may see.
package dossier

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aduan-gateway/aduan/core/calendar"
)

// Input is everything a dossier holds.
type Input struct {
	// Ticket names the complaint in README.txt; required.
	Ticket string
	// Complaint is written as complaint.json, indented: pass the value
	// `aduan complaint show --json` prints, so both read the same.
	Complaint any
	// Timeline is written as timeline.csv, in the order given.
	Timeline []Event
	// Thread is written as thread.txt, in the order given (oldest first).
	Thread []Message
	// BeritaAcara is the berita acara PDF; nil leaves it out.
	BeritaAcara []byte
	// Attachments go under lampiran/, in the order given.
	Attachments []Attachment
	// CreatedAt stamps every entry of the archive, so the same Input always
	// gives the same bytes; use the time the complaint was archived.
	CreatedAt time.Time
}

// Event is one row of the timeline: who did what, when.
type Event struct {
	At     time.Time
	Actor  string // a user name, "sistem", or the reporter's channel
	Action string // e.g. "verified", "resolved"
	Detail string
}

// Direction says who wrote a message.
type Direction string

// The directions of a message.
const (
	DirectionIn  Direction = "in"  // from the reporter
	DirectionOut Direction = "out" // from the office
)

// Message is one message of the conversation with the reporter.
type Message struct {
	At        time.Time
	Direction Direction
	Author    string // who wrote it: the reporter's shown name or the officer
	Text      string
}

// Attachment is a file to include under lampiran/. Name is the file name as
// received; it is made safe (see SafeName) before it names an entry.
type Attachment struct {
	Name string
	Open func() (io.ReadCloser, error)
}

// ErrNoTicket is returned for an Input without a Ticket.
var ErrNoTicket = errors.New("dossier: no ticket")

// The names of the archive's entries.
const (
	ReadmeName      = "README.txt"
	ComplaintName   = "complaint.json"
	TimelineName    = "timeline.csv"
	ThreadName      = "thread.txt"
	BeritaAcaraName = "berita-acara.pdf"
	AttachmentDir   = "lampiran/"
)

// Write writes in as a zip archive to w. It fails, naming the attachment,
// when an attachment cannot be opened or read: a dossier with a silent gap
// is worse than none, and w then holds an incomplete archive the caller
// must discard.
func Write(w io.Writer, in Input) error {
	if strings.TrimSpace(in.Ticket) == "" {
		return ErrNoTicket
	}
	names := attachmentNames(in.Attachments)
	z := &archive{zw: zip.NewWriter(w), at: in.CreatedAt}
	z.put(ReadmeName, zip.Deflate, func(w io.Writer) error { return writeReadme(w, in, names) })
	z.put(ComplaintName, zip.Deflate, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(in.Complaint)
	})
	z.put(TimelineName, zip.Deflate, func(w io.Writer) error { return writeTimeline(w, in.Timeline) })
	z.put(ThreadName, zip.Deflate, func(w io.Writer) error { return writeThread(w, in.Thread) })
	if in.BeritaAcara != nil {
		z.put(BeritaAcaraName, zip.Store, func(w io.Writer) error {
			_, err := w.Write(in.BeritaAcara)
			return err
		})
	}
	for i, a := range in.Attachments {
		z.put(names[i], zip.Store, func(w io.Writer) error { return copyAttachment(w, a) })
	}
	if z.err != nil {
		return fmt.Errorf("writing dossier %s: %w", in.Ticket, z.err)
	}
	if err := z.zw.Close(); err != nil {
		return fmt.Errorf("writing dossier %s: %w", in.Ticket, err)
	}
	return nil
}

// archive adds entries until the first error, which it keeps.
type archive struct {
	zw  *zip.Writer
	at  time.Time
	err error
}

func (z *archive) put(name string, method uint16, write func(io.Writer) error) {
	if z.err != nil {
		return
	}
	w, err := z.zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: z.at})
	if err == nil {
		err = write(w)
	}
	if err != nil {
		z.err = fmt.Errorf("%s: %w", name, err)
	}
}

func copyAttachment(w io.Writer, a Attachment) error {
	if a.Open == nil {
		return errors.New("nothing to open")
	}
	r, err := a.Open()
	if err != nil {
		return fmt.Errorf("opening: %w", err)
	}
	defer r.Close()
	if _, err := io.Copy(w, r); err != nil {
		return fmt.Errorf("reading: %w", err)
	}
	return nil
}

// wibTime writes t in WIB as RFC 3339: 2026-03-17T09:15:00+07:00.
func wibTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.WIB).Format(time.RFC3339)
}

func writeTimeline(w io.Writer, events []Event) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"at", "actor", "action", "detail"}); err != nil {
		return err
	}
	for _, e := range events {
		row := []string{wibTime(e.At), inert(e.Actor), inert(e.Action), inert(e.Detail)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// inert keeps a spreadsheet from reading a cell as a formula: officers open
// timeline.csv in one, and the detail may quote a citizen's words.
func inert(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

func writeThread(w io.Writer, msgs []Message) error {
	var b strings.Builder
	if len(msgs) == 0 {
		b.WriteString("(tidak ada pesan)\n")
	}
	for i, m := range msgs {
		if i > 0 {
			b.WriteString("\n")
		}
		dir := "MASUK dari"
		if m.Direction == DirectionOut {
			dir = "KELUAR oleh"
		}
		at := "-"
		if !m.At.IsZero() {
			at = m.At.In(calendar.WIB).Format("2006-01-02 15:04 WIB")
		}
		fmt.Fprintf(&b, "[%s] %s %s\n", at, dir, oneLine(m.Author))
		text := strings.TrimSpace(strings.ReplaceAll(m.Text, "\r\n", "\n"))
		if text == "" {
			text = "(tanpa teks)"
		}
		// Indented, so no line of a message can pass for a header.
		for _, line := range strings.Split(text, "\n") {
			b.WriteString("  " + line + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// oneLine folds white space, line breaks included, so a name cannot start
// a line that looks like another message's header.
func oneLine(s string) string {
	if s = strings.Join(strings.Fields(s), " "); s == "" {
		return "-"
	}
	return s
}
