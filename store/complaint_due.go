package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/workflow"
)

// DueDateCount is how many complaints share a due date ("" for none yet).
type DueDateCount struct {
	DueDate string
	Count   int
}

// CountByDueDate counts the complaints in statuses per due date, for the
// metrics of open complaints by due state.
func (s *Store) CountByDueDate(ctx context.Context, statuses []workflow.Status) ([]DueDateCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT coalesce(to_char(due_date, 'YYYY-MM-DD'), ''), count(*)
		FROM complaints WHERE status = ANY($1::text[]) GROUP BY due_date`, statuses)
	if err != nil {
		return nil, fmt.Errorf("counting complaints by due date: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[DueDateCount])
	if err != nil {
		return nil, fmt.Errorf("counting complaints by due date: %w", err)
	}
	return list, nil
}

// Backlog counts the complaints in statuses and gives the time the oldest
// of them was received (zero when there are none): the verifier's digest.
func (s *Store) Backlog(ctx context.Context, statuses []workflow.Status) (n int, oldest time.Time, err error) {
	var at *time.Time
	err = s.pool.QueryRow(ctx, `SELECT count(*), min(received_at) FROM complaints WHERE status = ANY($1::text[])`,
		statuses).Scan(&n, &at)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("counting the backlog: %w", err)
	}
	if at != nil {
		oldest = *at
	}
	return n, oldest, nil
}

// TicketDues returns the status and due date of each of tickets that
// exists, by ticket: the inbox's due badges.
func (s *Store) TicketDues(ctx context.Context, tickets []string) (map[string]TicketStatus, error) {
	out := map[string]TicketStatus{}
	if len(tickets) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, ticketStatusColumns+`
		FROM complaints k WHERE k.ticket = ANY($1::text[])`, tickets)
	if err != nil {
		return nil, fmt.Errorf("reading due dates: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[TicketStatus])
	if err != nil {
		return nil, fmt.Errorf("reading due dates: %w", err)
	}
	for _, t := range list {
		out[t.Ticket] = t
	}
	return out, nil
}
