package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// storedCheck is what the database holds of a run's acknowledged messages:
// how many are stored, how many more than once, and in how many
// conversations they were stored in another order than the citizen sent
// them (each after the platform acknowledged the one before).
type storedCheck struct {
	Stored, Twice             int
	OutOfOrder, Conversations int
	OutOfOrderBy              map[string]int // by kind of citizen
}

func (s storedCheck) order() string {
	out := fmt.Sprintf("%d of %d conversations stored out of order", s.OutOfOrder, s.Conversations)
	if s.OutOfOrder > 0 {
		kinds := slices.Sorted(maps.Keys(s.OutOfOrderBy))
		parts := make([]string, len(kinds))
		for i, k := range kinds {
			parts[i] = fmt.Sprintf("%s %d", k, s.OutOfOrderBy[k])
		}
		out += " (" + strings.Join(parts, ", ") + ")"
	}
	return out
}

// checkStored looks up t's acknowledged messages among the inbound messages
// of the database at dbURL.
func checkStored(ctx context.Context, dbURL string, t *tally) (storedCheck, error) {
	s := storedCheck{OutOfOrderBy: map[string]int{}}
	byCitizen := t.ackedByCitizen()
	var ids []string
	for _, c := range byCitizen {
		ids = append(ids, c.ids...)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return s, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT external_id, min(id), count(*) FROM messages
		WHERE direction = 'in' AND external_id = ANY($1) GROUP BY external_id`, ids)
	if err != nil {
		return s, err
	}
	at := map[string]int64{}
	for rows.Next() {
		var ext string
		var id, n int64
		if err := rows.Scan(&ext, &id, &n); err != nil {
			return s, err
		}
		at[ext] = id
		s.Stored++
		if n > 1 {
			s.Twice++
		}
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	for _, c := range byCitizen {
		s.Conversations++
		last := int64(0)
		for _, ext := range c.ids {
			id, ok := at[ext]
			if !ok {
				continue
			}
			if id < last {
				s.OutOfOrder++
				s.OutOfOrderBy[c.kind]++
				break
			}
			last = id
		}
	}
	return s, nil
}
