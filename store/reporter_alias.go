package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ReporterForEither returns the reporter known by key or, failing that, by
// alias, and links the other of the two to them; on first contact under
// both it creates the reporter. A WhatsApp chat that moves from the phone
// number to LID addressing, or back, thus stays the same reporter: a LID
// message carries the phone number as alias. Two keys already naming
// different reporters stay as they are.
func (t *Tx) ReporterForEither(ctx context.Context, key, alias ReporterKey, profileName string) (*Reporter, error) {
	id, err := t.reporterIDOf(ctx, key)
	if err != nil {
		return nil, err
	}
	if id == 0 {
		if id, err = t.reporterIDOf(ctx, alias); err != nil {
			return nil, err
		}
		if id == 0 {
			r, err := t.ReporterFor(ctx, key, profileName)
			if err != nil {
				return nil, err
			}
			return r, t.linkReporter(ctx, alias, r.ID, true)
		}
		// A racing first message under key makes this insert fail, and
		// the message is handled again.
		if err := t.linkReporter(ctx, key, id, false); err != nil {
			return nil, err
		}
	} else if err := t.linkReporter(ctx, alias, id, true); err != nil {
		return nil, err
	}
	return t.Reporter(ctx, id)
}

// WalkinTicketsByPhone lists the walk-in complaints whose reporter gave
// phone (E.164), newest first: the receipt tells walk-in reporters they can
// ask STATUS on WhatsApp from that number.
func (t *Tx) WalkinTicketsByPhone(ctx context.Context, phone string) ([]TicketStatus, error) {
	rows, err := t.tx.Query(ctx, ticketStatusColumns+`
		FROM complaints k JOIN reporters r ON r.id = k.reporter_id
		WHERE k.channel = 'walkin' AND r.phone = $1 ORDER BY k.id DESC`, phone)
	if err != nil {
		return nil, fmt.Errorf("listing walk-in tickets: %w", err)
	}
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByPos[TicketStatus])
	if err != nil {
		return nil, fmt.Errorf("listing walk-in tickets: %w", err)
	}
	return ts, nil
}
