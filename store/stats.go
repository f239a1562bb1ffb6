package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/stats"
	"github.com/aduan-gateway/aduan/core/workflow"
)

// StatsInput reads the rows the figures of month m are computed from: the
// complaints received in it, those resolved in it, the complaints open
// now (in open), the trend's months, the category names and the
// satisfaction survey's answers. Months are WIB months.
func (s *Store) StatsInput(ctx context.Context, m stats.Month, open []workflow.Status) (stats.Input, error) {
	in := stats.Input{Month: m, Categories: map[string]string{}}
	from, to := m.Start(), m.End()
	fail := func(what string, err error) (stats.Input, error) {
		return stats.Input{}, fmt.Errorf("reading statistics (%s) of %s: %w", what, m, err)
	}

	rows, err := s.pool.Query(ctx, `SELECT channel, category, coalesce(class, '') FROM complaints
		WHERE received_at >= $1 AND received_at < $2`, from, to)
	if err != nil {
		return fail("received", err)
	}
	if in.Received, err = pgx.CollectRows(rows, pgx.RowToStructByPos[stats.Received]); err != nil {
		return fail("received", err)
	}

	rows, err = s.pool.Query(ctx, `SELECT received_at, resolved_at, coalesce(to_char(due_date, 'YYYY-MM-DD'), '')
		FROM complaints WHERE resolved_at >= $1 AND resolved_at < $2`, from, to)
	if err != nil {
		return fail("finished", err)
	}
	if in.Finished, err = pgx.CollectRows(rows, pgx.RowToStructByPos[stats.Finished]); err != nil {
		return fail("finished", err)
	}

	rows, err = s.pool.Query(ctx, `SELECT status, coalesce(to_char(due_date, 'YYYY-MM-DD'), '')
		FROM complaints WHERE status = ANY($1::text[])`, open)
	if err != nil {
		return fail("open", err)
	}
	if in.Open, err = pgx.CollectRows(rows, pgx.RowToStructByPos[stats.Open]); err != nil {
		return fail("open", err)
	}

	if in.Trend, err = s.statsTrend(ctx, m.Add(1-stats.TrendMonths), to); err != nil {
		return fail("trend", err)
	}

	cats, err := s.Categories(ctx, true)
	if err != nil {
		return fail("categories", err)
	}
	for _, c := range cats {
		in.Categories[c.Code] = c.Label
	}

	if in.Satisfaction, in.SurveyAsked, err = s.satisfactionScores(ctx, from, to); err != nil {
		return fail("satisfaction", err)
	}
	return in, nil
}

// statsTrend counts per WIB month from first until to: complaints received,
// resolved, and resolved on or before their due date.
func (s *Store) statsTrend(ctx context.Context, first stats.Month, to time.Time) ([]stats.MonthCount, error) {
	rows, err := s.pool.Query(ctx, `
		WITH r AS (
			SELECT to_char(received_at AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM') AS month, count(*) AS n
			FROM complaints WHERE received_at >= $1 AND received_at < $2 GROUP BY 1),
		f AS (
			SELECT to_char(resolved_at AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM') AS month, count(*) AS n,
				count(*) FILTER (WHERE (resolved_at AT TIME ZONE 'Asia/Jakarta')::date <= due_date) AS within
			FROM complaints WHERE resolved_at >= $1 AND resolved_at < $2 GROUP BY 1)
		SELECT coalesce(r.month, f.month), coalesce(r.n, 0), coalesce(f.n, 0), coalesce(f.within, 0)
		FROM r FULL JOIN f ON f.month = r.month`, first.Start(), to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.MonthCount
	for rows.Next() {
		var month string
		var c stats.MonthCount
		if err := rows.Scan(&month, &c.Received, &c.Finished, &c.WithinDue); err != nil {
			return nil, err
		}
		if c.Month, err = stats.ParseMonth(month); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// satisfactionScores reads the scores (1–4) of the satisfaction survey
// answered in [from, to) and how many reporters were asked in it.
func (s *Store) satisfactionScores(ctx context.Context, from, to time.Time) (scores []int, asked int, err error) {
	rows, err := s.pool.Query(ctx, `SELECT score FROM satisfaction WHERE answered_at >= $1 AND answered_at < $2`, from, to)
	if err != nil {
		return nil, 0, err
	}
	if scores, err = pgx.CollectRows(rows, pgx.RowTo[int]); err != nil {
		return nil, 0, err
	}
	err = s.pool.QueryRow(ctx, `SELECT count(*) FROM satisfaction WHERE asked_at >= $1 AND asked_at < $2`, from, to).Scan(&asked)
	return scores, asked, err
}
