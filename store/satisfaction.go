package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AskSatisfaction records that the reporter of complaint c is asked the
// satisfaction question now, in conversation c.Conversation, and marks the
// question as awaiting their answer there. It reports false, changing
// nothing, when they were asked about c before: the survey asks once.
func (t *Tx) AskSatisfaction(ctx context.Context, c *ComplaintState, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(ctx, `INSERT INTO satisfaction (complaint_id, conversation_id, channel, asked_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (complaint_id) DO NOTHING`, c.ID, c.Conversation, c.Channel, at)
	if err != nil {
		return false, fmt.Errorf("recording satisfaction question on %s: %w", c.Ticket, err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	if _, err := t.tx.Exec(ctx, `UPDATE conversations SET survey_ticket = $2 WHERE id = $1`, c.Conversation, c.Ticket); err != nil {
		return false, fmt.Errorf("recording satisfaction question on %s: %w", c.Ticket, err)
	}
	return true, nil
}

// AnswerSatisfaction records the reporter's answer to the satisfaction
// question on ticket: score 1–4 and an optional comment. Only the first
// answer counts; it reports false when the question was not asked or was
// answered already.
func (t *Tx) AnswerSatisfaction(ctx context.Context, ticket string, score int, comment string, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(ctx, `UPDATE satisfaction SET score = $2, comment = $3, answered_at = $4
		WHERE complaint_id = (SELECT id FROM complaints WHERE ticket = $1) AND answered_at IS NULL`,
		ticket, score, comment, at)
	if err != nil {
		return false, fmt.Errorf("recording satisfaction answer on %s: %w", ticket, err)
	}
	return tag.RowsAffected() == 1, nil
}

// SatisfactionAnswer is a reporter's answer to the survey, as staff read it.
type SatisfactionAnswer struct {
	Score      int
	Comment    string
	AnsweredAt time.Time
}

// Satisfaction reads the answer to the survey on ticket; ok is false while
// there is none (not asked, or not answered).
func (s *Store) Satisfaction(ctx context.Context, ticket string) (a SatisfactionAnswer, ok bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT coalesce(s.score, 0), s.comment, coalesce(s.answered_at, 'epoch')
		FROM satisfaction s JOIN complaints c ON c.id = s.complaint_id WHERE c.ticket = $1`, ticket).
		Scan(&a.Score, &a.Comment, &a.AnsweredAt)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return a, false, nil
		}
		return a, false, fmt.Errorf("reading satisfaction answer on %s: %w", ticket, err)
	}
	return a, a.Score > 0, nil
}
