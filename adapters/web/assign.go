package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/aduan-gateway/aduan/store"
)

// assign gives the conversation to an officer, or to nobody ("0").
func (s *Server) assign(w http.ResponseWriter, r *http.Request, sess *session) {
	id, ok := conversationID(r)
	if !ok {
		s.notFound(w, r, sess)
		return
	}
	uid, err := strconv.ParseInt(r.PostFormValue("user"), 10, 64)
	if err != nil || uid < 0 {
		back(w, r, id, "err", "no_user")
		return
	}
	ctx := r.Context()
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.LockConversation(ctx, id); err != nil {
			return err
		}
		to := ""
		if uid != 0 {
			u, err := tx.ActiveUser(ctx, store.UserID(uid))
			if errors.Is(err, store.ErrNotFound) {
				return errAction("no_user")
			}
			if err != nil {
				return err
			}
			to = u.Username
		}
		if err := tx.Assign(ctx, id, store.UserID(uid)); err != nil {
			return err
		}
		return tx.Audit(ctx, sess.User.Username, "conversation.assigned", "conversation", idString(id),
			map[string]any{"to": to})
	})
	s.finish(w, r, sess, id, err, "assigned")
}
