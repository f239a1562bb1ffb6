package store

import (
	"context"
	"fmt"
)

// Assign gives a conversation to a user (0: to nobody).
func (t *Tx) Assign(ctx context.Context, conv ConversationID, user UserID) error {
	var u *UserID
	if user != 0 {
		u = &user
	}
	if _, err := t.tx.Exec(ctx, `UPDATE conversations SET assigned_to = $2, updated_at = now() WHERE id = $1`,
		conv, u); err != nil {
		return fmt.Errorf("assigning %d: %w", conv, err)
	}
	return nil
}

// AssignIfNobody gives a conversation to user unless someone has it already.
func (t *Tx) AssignIfNobody(ctx context.Context, conv ConversationID, user UserID) error {
	if _, err := t.tx.Exec(ctx, `UPDATE conversations SET assigned_to = $2, updated_at = now()
		WHERE id = $1 AND assigned_to IS NULL`, conv, user); err != nil {
		return fmt.Errorf("assigning %d: %w", conv, err)
	}
	return nil
}
