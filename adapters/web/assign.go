package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/aduan-gateway/aduan/store"
)

// assign gives the conversation to an officer, or to nobody ("0").
func (s *Server) assign(w http.ResponseWriter, r *http.Request, sess *session) {
	s.changeConversation(w, r, sess, "assigned", func(ctx context.Context, tx *store.Tx, c *store.Conversation) (string, map[string]any, error) {
		uid, err := strconv.ParseInt(r.PostFormValue("user"), 10, 64)
		if err != nil || uid < 0 {
			return "", nil, errAction("no_user")
		}
		to := ""
		if uid != 0 {
			u, err := tx.ActiveUser(ctx, store.UserID(uid))
			if errors.Is(err, store.ErrNotFound) {
				return "", nil, errAction("no_user")
			}
			if err != nil {
				return "", nil, err
			}
			to = u.Username
		}
		return "conversation.assigned", map[string]any{"to": to}, tx.Assign(ctx, c.ID, store.UserID(uid))
	})
}
