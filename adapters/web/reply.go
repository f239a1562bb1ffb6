package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

// maxReply bounds a staff reply (WhatsApp allows 4096 characters).
const maxReply = 4000

// messageText reads the "text" field of a reply or note form; when it is
// empty or too long it sends the officer back to the conversation with the
// reason, and ok is false.
func messageText(w http.ResponseWriter, r *http.Request, id store.ConversationID) (text string, ok bool) {
	text = strings.TrimSpace(r.PostFormValue("text"))
	switch {
	case text == "":
		back(w, r, id, "err", "empty")
		return "", false
	case utf8.RuneCountInString(text) > maxReply:
		back(w, r, id, "err", "too_long")
		return "", false
	}
	return text, true
}

// errAction carries the code of an outcome to show the officer.
type errAction string

func (e errAction) Error() string { return "action refused: " + string(e) }

// reply sends an officer's message to the citizen on their own channel: the
// message and its outbox entry are written in one transaction.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, sess *session) {
	id, ok := conversationID(r)
	if !ok {
		s.notFound(w, r, sess)
		return
	}
	text, ok := messageText(w, r, id)
	if !ok {
		return
	}
	err := s.store.InTx(r.Context(), func(tx *store.Tx) error {
		ob, err := s.sendAgent(r.Context(), tx, id, text, sess.User.Username, 0)
		if err != nil {
			return err
		}
		return tx.Audit(r.Context(), sess.User.Username, "conversation.reply", "conversation", idString(id),
			map[string]any{"outbound_id": ob.ID})
	})
	s.finish(w, r, sess, id, err, "replied")
}

// retry sends a failed reply again as a new message (a new id, so the bus
// does not drop it as a duplicate), once.
func (s *Server) retry(w http.ResponseWriter, r *http.Request, sess *session) {
	id, ok := conversationID(r)
	msg, err := strconv.ParseInt(r.PathValue("msg"), 10, 64)
	if !ok || err != nil {
		s.notFound(w, r, sess)
		return
	}
	err = s.store.InTx(r.Context(), func(tx *store.Tx) error {
		if _, err := tx.LockConversation(r.Context(), id); err != nil {
			return err
		}
		m, err := tx.OutgoingMessage(r.Context(), id, store.MessageID(msg))
		if err != nil {
			return err
		}
		if m.Delivery != "failed" || m.Retried {
			return errAction("not_failed")
		}
		ob, err := s.sendAgent(r.Context(), tx, id, m.Text, sess.User.Username, m.ID)
		if err != nil {
			return err
		}
		return tx.Audit(r.Context(), sess.User.Username, "message.retried", "conversation", idString(id),
			map[string]any{"failed_outbound_id": m.EventID, "outbound_id": ob.ID})
	})
	s.finish(w, r, sess, id, err, "retried")
}

// sendAgent stores a staff message in conversation id and queues it for the
// channel's adapter. The conversation is locked for the transaction.
func (s *Server) sendAgent(ctx context.Context, tx *store.Tx, id store.ConversationID, text, author string, retryOf store.MessageID) (*event.Outbound, error) {
	ob, err := complaint.SendToReporter(ctx, tx, id, text, author, retryOf, s.now())
	if errors.Is(err, complaint.ErrNoChannel) {
		return nil, errAction("no_channel")
	}
	return ob, err
}

// finish ends an action on conversation id: an outcome for the officer,
// the inbox told, the outbox relayed.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, sess *session, id store.ConversationID, err error, okCode string) {
	var refused errAction
	switch {
	case errors.As(err, &refused):
		back(w, r, id, "err", string(refused))
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r, sess)
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.changed(id, "state", true)
		s.log.Info().Str("user", sess.User.Username).Int64("conversation_id", int64(id)).Str("action", okCode).Msg("staff action")
		back(w, r, id, "ok", okCode)
	}
}

func idString(id store.ConversationID) string { return strconv.FormatInt(int64(id), 10) }
