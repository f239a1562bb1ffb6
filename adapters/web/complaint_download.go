package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/aduan-gateway/aduan/core/dossier"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/store"
)

// beritaAcara sends the stored berita acara of a resolved complaint.
func (s *Server) beritaAcara(w http.ResponseWriter, r *http.Request, sess *session) {
	ticket := r.PathValue("ticket")
	_, pdf, err := s.store.BeritaAcara(r.Context(), ticket)
	if s.failed(w, r, sess, err) {
		return
	}
	sendBytes(w, "application/pdf", "berita-acara-"+ticket+".pdf", pdf)
}

// followUpFile sends a photo or document of a follow-up, found by its
// SHA-256 among the complaint's follow-ups.
func (s *Server) followUpFile(w http.ResponseWriter, r *http.Request, sess *session) {
	f, ok := s.complaintFile(w, r, sess)
	if !ok {
		return
	}
	for _, fu := range f.FollowUps {
		for _, file := range fu.Files {
			if file.SHA256 == r.PathValue("sha") {
				s.sendObject(w, r, file.ObjectKey, file.MIME, orDefault(file.Filename, "tindak-lanjut"))
				return
			}
		}
	}
	s.notFound(w, r, sess)
}

// dossierZip sends the complaint's whole file as one zip (core/dossier):
// its summary, timeline, the thread with the reporter, the berita acara and
// the files the role may open. The download is audited, with whether KTP
// images went with it, before a byte is sent.
func (s *Server) dossierZip(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	f, ok := s.complaintFile(w, r, sess)
	if !ok {
		return
	}
	ticket := f.Ticket
	in, ktp, err := s.dossierInput(ctx, sess, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, sess.User.Username, "complaint.dossier", "complaint", ticket,
			map[string]any{"attachments": len(in.Attachments), "ktp": ktp})
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := dossier.Write(&b, in); err != nil {
		s.serverError(w, r, err)
		return
	}
	sendBytes(w, "application/zip", "berkas-"+ticket+".zip", b.Bytes())
}

func (s *Server) dossierInput(ctx context.Context, sess *session, f *store.ComplaintFile) (dossier.Input, int, error) {
	in := dossier.Input{Ticket: f.Ticket, Complaint: f, CreatedAt: s.now()}
	// The archive's time, so one archived complaint always gives the same bytes.
	switch {
	case f.ArchivedAt != nil:
		in.CreatedAt = *f.ArchivedAt
	case f.ResolvedAt != nil:
		in.CreatedAt = *f.ResolvedAt
	}
	for _, st := range f.Timeline {
		detail := fmt.Sprintf("%s -> %s", st.From, st.To)
		keys := make([]string, 0, len(st.Detail))
		for k := range st.Detail {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			detail += fmt.Sprintf("; %s=%s", k, st.Detail[k])
		}
		if st.Note != "" {
			detail += "; " + st.Note
		}
		in.Timeline = append(in.Timeline, dossier.Event{At: st.At, Actor: st.Actor, Action: st.Action, Detail: detail})
	}
	_, pdf, err := s.store.BeritaAcara(ctx, f.Ticket)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return in, 0, err
	}
	in.BeritaAcara = pdf
	ktp := 0
	if f.ConversationID != 0 {
		thread, err := s.store.Thread(ctx, f.ConversationID, 100000)
		if err != nil {
			return in, 0, err
		}
		reporter := f.ReporterName
		var atts []store.AttachmentRef
		for _, m := range thread {
			msg := dossier.Message{At: m.CreatedAt, Direction: dossier.DirectionIn, Author: reporter, Text: m.Text}
			if m.Direction == "out" {
				msg.Direction, msg.Author = dossier.DirectionOut, orDefault(m.Author, "Bot")
			}
			if !sess.can(PermViewNIK) {
				msg.Text = identity.MaskNIKs(msg.Text)
			}
			in.Thread = append(in.Thread, msg)
			atts = append(atts, m.Attachments...)
		}
		ktpOK, err := s.mayOpenKTP(ctx, sess, f.ConversationID)
		if err != nil {
			return in, 0, err
		}
		for _, a := range shownAttachments(sess, ktpOK, atts) {
			name := orDefault(a.Filename, "lampiran-"+strconv.FormatInt(a.ID, 10))
			if a.IsKTP {
				ktp++
				name = "KTP-" + name
			}
			in.Attachments = append(in.Attachments, dossier.Attachment{Name: name, Open: s.opener(ctx, a.ObjectKey)})
		}
	}
	if sess.can(PermViewAttachments) {
		for _, fu := range f.FollowUps {
			for _, file := range fu.Files {
				in.Attachments = append(in.Attachments, dossier.Attachment{
					Name: "tindak-lanjut-" + orDefault(file.Filename, "berkas"), Open: s.opener(ctx, file.ObjectKey)})
			}
		}
	}
	return in, ktp, nil
}

func (s *Server) opener(ctx context.Context, key string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		body, _, err := s.bus.GetAttachment(ctx, key)
		return body, err
	}
}

// sendBytes sends a generated document as a download.
func sendBytes(w http.ResponseWriter, contentType, name string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "private, no-store")
	w.Write(b) //nolint:errcheck // the client went away
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
