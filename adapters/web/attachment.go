package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/aduan-gateway/aduan/store"
)

// inlineImages are the types shown in the page; anything else downloads,
// so a file a citizen sent can never run as a page of ours.
var inlineImages = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// attachment serves a file of a message. A KTP image (every image the
// dialog counted as one) needs a role that works with identity documents —
// for a verifikator, only while a complaint of the conversation awaits
// verification — and every view of one is written to the audit log before
// a byte is sent.
func (s *Server) attachment(w http.ResponseWriter, r *http.Request, sess *session) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r, sess)
		return
	}
	ctx := r.Context()
	a, err := s.store.Attachment(ctx, n)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.ObjectKey == "") {
		s.notFound(w, r, sess)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	may := sess.can(PermViewAttachments)
	if a.IsKTP {
		if may, err = s.mayOpenKTP(ctx, sess, a.Conversation); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if !may {
		s.forbidden(w, r, sess)
		return
	}
	if a.IsKTP {
		err := s.store.InTx(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, sess.User.Username, "ktp.viewed", "conversation", idString(a.Conversation),
				map[string]any{"attachment_id": a.ID})
		})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	name := a.Filename
	if name == "" {
		name = "lampiran-" + strconv.FormatInt(a.ID, 10)
	}
	s.sendObject(w, r, a.ObjectKey, a.MIME, name)
}

// mayOpenKTP reports whether sess may open the KTP images of conversation
// conv (identity.ktp): a verifikator only while a complaint of the
// conversation awaits verification. The single view and the dossier both
// ask here.
func (s *Server) mayOpenKTP(ctx context.Context, sess *session, conv store.ConversationID) (bool, error) {
	if !sess.can(PermViewKTP) {
		return false, nil
	}
	if sess.Role != RoleVerifikator {
		return true, nil
	}
	return s.store.AwaitingVerification(ctx, conv)
}

// sendObject sends a file of the object store: images inline, anything
// else as a download.
func (s *Server) sendObject(w http.ResponseWriter, r *http.Request, key, mimeType, name string) {
	body, info, err := s.bus.GetAttachment(r.Context(), key)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	defer body.Close()
	h := w.Header()
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	if inlineImages[mimeType] {
		h.Set("Content-Type", mimeType)
		h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	} else {
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	if _, err := io.Copy(w, body); err != nil {
		s.log.Warn().Err(err).Str("object", key).Msg("sending a file")
	}
}
