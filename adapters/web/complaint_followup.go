package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// Bounds of a follow-up's files: field photos and scanned documents.
const (
	followUpMaxFiles = 5
	followUpMaxFile  = 10 << 20
	followUpMaxBody  = followUpMaxFiles*followUpMaxFile + 1<<20
)

// followUpTypes are the file types a follow-up takes, sniffed from the bytes.
var followUpTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true, "application/pdf": true}

// followUp records what the koordinator did: a telaah note and, when
// filled in, a field inspection with its photos, stored in the object store
// before the follow-up refers to them.
func (s *Server) followUp(w http.ResponseWriter, r *http.Request, sess *session) {
	form := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	req := complaint.Request{Ticket: r.PathValue("ticket"), Action: workflow.FollowUp, Actor: actorOf(sess),
		Text: form("text")}
	in := complaint.Inspection{Date: form("inspection_date"), Place: form("inspection_place"),
		Officers: form("inspection_officers"), Findings: form("inspection_findings")}
	if in != (complaint.Inspection{}) {
		req.Inspection = &in
	}
	// Check first what needs no upload, so a refused form stores no file:
	// where the workflow refuses, Act refuses it again without the files and
	// says why.
	if req.Text == "" {
		backToComplaint(w, r, req.Ticket, "err", "no_text")
		return
	}
	c, err := s.store.ComplaintState(r.Context(), req.Ticket)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	if err != nil || checkFollowUp(c, req.Actor) != nil {
		s.finishAct(w, r, sess, req)
		return
	}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File["foto"]
	}
	if len(files) > followUpMaxFiles {
		backToComplaint(w, r, req.Ticket, "err", "files")
		return
	}
	for _, fh := range files {
		ok, err := acceptable(fh)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !ok {
			backToComplaint(w, r, req.Ticket, "err", "files")
			return
		}
	}
	for _, fh := range files {
		a, mimeType, err := s.putUpload(r.Context(), fh)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		req.Files = append(req.Files, store.FollowUpFile{MIME: mimeType, Filename: a.Filename, Size: a.Size,
			SHA256: a.SHA256, ObjectKey: a.ObjectKey})
	}
	s.finishAct(w, r, sess, req)
}

// acceptable reports whether an uploaded file is within the size bound and
// of a type a follow-up takes.
func acceptable(fh *multipart.FileHeader) (bool, error) {
	if fh.Size > followUpMaxFile || fh.Size == 0 {
		return false, nil
	}
	f, err := fh.Open()
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return false, err
	}
	mimeType, _, _ := strings.Cut(http.DetectContentType(head[:n]), ";")
	return followUpTypes[mimeType], nil
}

func checkFollowUp(c *store.ComplaintState, actor workflow.Actor) error {
	_, err := workflow.Check(workflow.Case{Status: c.Status, Assignee: c.Assignee, PostponedFrom: c.PostponedFrom},
		workflow.FollowUp, actor)
	return err
}
