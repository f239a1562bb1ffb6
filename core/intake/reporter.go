package intake

import (
	"context"
	"slices"
	"strings"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

// reporterFor finds or creates the reporter of m. A WhatsApp chat that
// moved from the phone number to LID addressing carries the phone number
// along: the LID is linked to the reporter known by that number.
func reporterFor(ctx context.Context, tx *store.Tx, m *event.Inbound) (*store.Reporter, error) {
	key := store.ReporterKey{Channel: string(m.Channel), Account: m.Account, SenderID: senderKey(m)}
	if phone := strings.TrimPrefix(m.Sender.Phone, "+"); m.Channel == event.ChannelWhatsApp && phone != "" && phone != key.SenderID {
		if _, err := tx.LinkReporter(ctx, key, store.ReporterKey{Channel: key.Channel, Account: key.Account, SenderID: phone}); err != nil {
			return nil, err
		}
	}
	return tx.ReporterFor(ctx, key, m.Sender.Name)
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
