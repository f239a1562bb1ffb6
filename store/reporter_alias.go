package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// LinkReporter makes key name the reporter already known by alias, when key
// is new and alias is known: a WhatsApp chat that moved from the phone
// number to LID addressing stays the same reporter. It reports whether it
// linked.
func (t *Tx) LinkReporter(ctx context.Context, key, alias ReporterKey) (bool, error) {
	var id ReporterID
	err := t.tx.QueryRow(ctx, `SELECT reporter_id FROM reporter_identities
		WHERE channel = $1 AND account = $2 AND sender_id = $3`, alias.Channel, alias.Account, alias.SenderID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("finding reporter by alias: %w", err)
	}
	tag, err := t.tx.Exec(ctx, `INSERT INTO reporter_identities (channel, account, sender_id, reporter_id)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, key.Channel, key.Account, key.SenderID, id)
	if err != nil {
		return false, fmt.Errorf("linking reporter alias: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// WalkinTicketsByPhone lists the walk-in complaints whose reporter gave
// phone (E.164), newest first: the receipt tells walk-in reporters they can
// ask STATUS on WhatsApp from that number.
func (t *Tx) WalkinTicketsByPhone(ctx context.Context, phone string) ([]TicketStatus, error) {
	rows, err := t.tx.Query(ctx, `SELECT k.ticket, k.status, coalesce(to_char(k.due_date, 'YYYY-MM-DD'), '')
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
