package web

import (
	"context"
	"net/http"

	"github.com/aduan-gateway/aduan/store"
)

// addNote keeps an internal note on the conversation; the citizen never sees it.
func (s *Server) addNote(w http.ResponseWriter, r *http.Request, sess *session) {
	s.changeConversation(w, r, sess, "noted", func(ctx context.Context, tx *store.Tx, c *store.Conversation) (string, map[string]any, error) {
		text, err := messageText(r)
		if err != nil {
			return "", nil, err
		}
		return "conversation.note", nil, tx.AddNote(ctx, c.ID, sess.User.Username, text)
	})
}
