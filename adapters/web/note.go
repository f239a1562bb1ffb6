package web

import (
	"net/http"

	"github.com/aduan-gateway/aduan/store"
)

// addNote keeps an internal note on the conversation; the citizen never sees it.
func (s *Server) addNote(w http.ResponseWriter, r *http.Request, sess *session) {
	id, ok := conversationID(r)
	if !ok {
		s.notFound(w, r, sess)
		return
	}
	text, ok := messageText(w, r, id)
	if !ok {
		return
	}
	ctx := r.Context()
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.LockConversation(ctx, id); err != nil {
			return err
		}
		if err := tx.AddNote(ctx, id, sess.User.Username, text); err != nil {
			return err
		}
		return tx.Audit(ctx, sess.User.Username, "conversation.note", "conversation", idString(id), nil)
	})
	s.finish(w, r, sess, id, err, "noted")
}
