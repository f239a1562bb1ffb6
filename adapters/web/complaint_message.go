package web

import (
	"errors"
	"net/http"

	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// messageReporter sends the koordinator's message (a canned response as
// edited, or their own words) to the reporter on the reporter's channel,
// with an audit row, in one transaction. Like the workflow's actions it is
// for the koordinator the complaint is assigned to, or any while unassigned.
func (s *Server) messageReporter(w http.ResponseWriter, r *http.Request, sess *session) {
	ticket := r.PathValue("ticket")
	ctx := r.Context()
	var conv store.ConversationID
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		text, err := messageText(r)
		if err != nil {
			return err
		}
		c, err := tx.LockComplaint(ctx, ticket)
		if err != nil {
			return err
		}
		switch {
		case c.Conversation == 0 || !complaint.CanMessage(c.Channel):
			return errAction("no_channel")
		case c.Status == workflow.Archived:
			return errAction("not_now")
		case c.Assignee != "" && c.Assignee != sess.User.Username:
			return errAction("not_assignee")
		}
		conv = c.Conversation
		ob, err := complaint.SendToReporter(ctx, tx, conv, text, sess.User.Username, 0, s.now())
		if errors.Is(err, complaint.ErrNoChannel) {
			return errAction("no_channel")
		}
		if err != nil {
			return err
		}
		return tx.Audit(ctx, sess.User.Username, "complaint.message", "complaint", ticket,
			map[string]any{"outbound_id": ob.ID, "conversation_id": conv})
	})
	var refused errAction
	switch {
	case errors.As(err, &refused):
		backToComplaint(w, r, ticket, "err", string(refused))
	case s.failed(w, r, sess, err):
	default:
		s.changed(conv, "message", true)
		backToComplaint(w, r, ticket, "ok", "message")
	}
}
