package web

import (
	"context"
	"net/http"

	"github.com/aduan-gateway/aduan/store"
)

// takeover silences the bot in a conversation: an officer answers by hand.
// The officer who takes over is assigned the conversation if nobody is.
func (s *Server) takeover(w http.ResponseWriter, r *http.Request, sess *session) {
	s.setTakeover(w, r, sess, true)
}

// handback gives the conversation back to the bot.
func (s *Server) handback(w http.ResponseWriter, r *http.Request, sess *session) {
	s.setTakeover(w, r, sess, false)
}

func (s *Server) setTakeover(w http.ResponseWriter, r *http.Request, sess *session, on bool) {
	code := "handback"
	if on {
		code = "takeover"
	}
	s.changeConversation(w, r, sess, code, func(ctx context.Context, tx *store.Tx, c *store.Conversation) (string, map[string]any, error) {
		if err := tx.SetTakeover(ctx, c.ID, on); err != nil {
			return "", nil, err
		}
		if on {
			if err := tx.AssignIfNobody(ctx, c.ID, sess.User.ID); err != nil {
				return "", nil, err
			}
		}
		return "conversation." + code, nil, nil
	})
}
