package web

import (
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
	id, ok := conversationID(r)
	if !ok {
		s.notFound(w, r, sess)
		return
	}
	ctx := r.Context()
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.LockConversation(ctx, id); err != nil {
			return err
		}
		if err := tx.SetTakeover(ctx, id, on); err != nil {
			return err
		}
		action := "conversation.handback"
		if on {
			action = "conversation.takeover"
			if err := tx.AssignIfNobody(ctx, id, sess.User.ID); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, sess.User.Username, action, "conversation", idString(id), nil)
	})
	code := "handback"
	if on {
		code = "takeover"
	}
	s.finish(w, r, sess, id, err, code)
}
