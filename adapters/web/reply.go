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

// messageText reads the "text" field of a reply or note form; an empty or
// too long text is refused with the reason to show the officer.
func messageText(r *http.Request) (string, error) {
	text := strings.TrimSpace(r.PostFormValue("text"))
	switch {
	case text == "":
		return "", errAction("empty")
	case utf8.RuneCountInString(text) > maxReply:
		return "", errAction("too_long")
	}
	return text, nil
}

// errAction carries the code of an outcome to show the officer.
type errAction string

func (e errAction) Error() string { return "action refused: " + string(e) }

// reply sends an officer's message to the citizen on their own channel: the
// message and its outbox entry are written in one transaction.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, sess *session) {
	s.changeConversation(w, r, sess, "replied", func(ctx context.Context, tx *store.Tx, c *store.Conversation) (string, map[string]any, error) {
		text, err := messageText(r)
		if err != nil {
			return "", nil, err
		}
		ob, err := s.sendAgent(ctx, tx, c.ID, text, sess.User.Username, 0)
		if err != nil {
			return "", nil, err
		}
		return "conversation.reply", map[string]any{"outbound_id": ob.ID}, nil
	})
}

// retry sends a failed reply again as a new message (a new id, so the bus
// does not drop it as a duplicate), once.
func (s *Server) retry(w http.ResponseWriter, r *http.Request, sess *session) {
	msg, err := strconv.ParseInt(r.PathValue("msg"), 10, 64)
	if err != nil {
		s.notFound(w, r, sess)
		return
	}
	s.changeConversation(w, r, sess, "retried", func(ctx context.Context, tx *store.Tx, c *store.Conversation) (string, map[string]any, error) {
		m, err := tx.OutgoingMessage(ctx, c.ID, store.MessageID(msg))
		if err != nil {
			return "", nil, err
		}
		if m.Delivery != event.DeliveryFailed || m.Retried {
			return "", nil, errAction("not_failed")
		}
		ob, err := s.sendAgent(ctx, tx, c.ID, m.Text, sess.User.Username, m.ID)
		if err != nil {
			return "", nil, err
		}
		return "message.retried", map[string]any{"failed_outbound_id": m.EventID, "outbound_id": ob.ID}, nil
	})
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

// conversationChange is a staff change to conversation c, made in the
// transaction with c locked. It returns the audit entry to write with it
// (an action of "" writes none) or an error; an errAction is shown to the
// officer.
type conversationChange func(ctx context.Context, tx *store.Tx, c *store.Conversation) (action string, detail map[string]any, err error)

// changeConversation makes change to the request's conversation in one
// transaction, the row locked as the core locks it, audited, and answers as
// finish does with okCode.
func (s *Server) changeConversation(w http.ResponseWriter, r *http.Request, sess *session, okCode string, change conversationChange) {
	id, ok := conversationID(r)
	if !ok {
		s.notFound(w, r, sess)
		return
	}
	ctx := r.Context()
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		c, err := tx.LockConversation(ctx, id)
		if err != nil {
			return err
		}
		action, detail, err := change(ctx, tx, c)
		if err != nil || action == "" {
			return err
		}
		return tx.Audit(ctx, sess.User.Username, action, "conversation", idString(id), detail)
	})
	s.finish(w, r, sess, id, err, okCode)
}

// finish ends an action on conversation id: an outcome for the officer,
// the inbox told, the outbox relayed.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, sess *session, id store.ConversationID, err error, okCode string) {
	var refused errAction
	switch {
	case errors.As(err, &refused):
		back(w, r, id, "err", string(refused))
	case s.failed(w, r, sess, err):
	default:
		s.changed(id, "state", true)
		s.log.Info().Str("user", sess.User.Username).Int64("conversation_id", int64(id)).Str("action", okCode).Msg("staff action")
		back(w, r, id, "ok", okCode)
	}
}

func idString(id store.ConversationID) string { return strconv.FormatInt(int64(id), 10) }
