package intake

import (
	"context"
	"slices"
	"strings"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

// reporterFor finds or creates the reporter of m. A WhatsApp chat that
// moved between the phone number and LID addressing carries the phone
// number along on its LID messages: the LID and the number are linked to
// one reporter, whichever came first.
func reporterFor(ctx context.Context, tx *store.Tx, m *event.Inbound) (*store.Reporter, error) {
	key := store.ReporterKey{Channel: m.Channel, Account: m.Account, SenderID: senderKey(m)}
	if phone := strings.TrimPrefix(m.Sender.Phone, "+"); m.Channel == event.ChannelWhatsApp && phone != "" && phone != key.SenderID {
		return tx.ReporterForEither(ctx, key, store.ReporterKey{Channel: key.Channel, Account: key.Account, SenderID: phone}, m.Sender.Name)
	}
	return tx.ReporterFor(ctx, key, m.Sender.Name)
}

// conversationFor finds or creates m's conversation, locked. On WhatsApp
// a reporter whose address changed keeps their conversation.
func conversationFor(ctx context.Context, tx *store.Tx, m *event.Inbound, rep store.ReporterID) (*store.Conversation, error) {
	key := store.ConversationKey{Channel: m.Channel, Account: m.Account, Key: m.ConversationKey}
	if m.Channel == event.ChannelWhatsApp {
		return tx.ReporterConversationFor(ctx, key, rep)
	}
	return tx.ConversationFor(ctx, key, rep)
}

// ownTickets are the tickets STATUS may answer for: the reporter's own and,
// on WhatsApp, the walk-in complaints filed with the sender's phone number.
func ownTickets(ctx context.Context, tx *store.Tx, rep *store.Reporter, m *event.Inbound) ([]store.TicketStatus, error) {
	tickets, err := tx.ReporterTickets(ctx, rep.ID)
	if err != nil || m.Channel != event.ChannelWhatsApp || m.Sender.Phone == "" {
		return tickets, err
	}
	walkin, err := tx.WalkinTicketsByPhone(ctx, m.Sender.Phone)
	if err != nil {
		return nil, err
	}
	for _, t := range walkin {
		if !slices.ContainsFunc(tickets, func(o store.TicketStatus) bool { return o.Ticket == t.Ticket }) {
			tickets = append(tickets, t)
		}
	}
	return tickets, nil
}
