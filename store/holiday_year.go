package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/calendar"
)

// HolidayYear is a year of days off entered on the web: the year file's text
// (docs/calendar.md), already checked by calendar.ParseYear.
type HolidayYear struct {
	Year    int
	Data    string
	Days    int
	SavedBy string
	SavedAt time.Time
}

// Source is the entry as a year file for calendar.Layered.
func (h HolidayYear) Source() calendar.Source {
	return calendar.Source{Name: calendar.Web, Data: []byte(h.Data)}
}

// HolidayYears lists the years entered on the web, ascending.
func (s *Store) HolidayYears(ctx context.Context) ([]HolidayYear, error) {
	rows, err := s.pool.Query(ctx, `SELECT year, data, days, saved_by, saved_at FROM holiday_years ORDER BY year`)
	if err != nil {
		return nil, fmt.Errorf("listing holiday years: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[HolidayYear])
	if err != nil {
		return nil, fmt.Errorf("listing holiday years: %w", err)
	}
	return list, nil
}

// HolidayYearsStamp changes whenever a year's data changes: processes
// compare it to take up another process's save without rebuilding.
func (s *Store) HolidayYearsStamp(ctx context.Context) (string, error) {
	var stamp string
	err := s.pool.QueryRow(ctx, `SELECT md5(coalesce(string_agg(year || ':' || md5(data), ',' ORDER BY year), '')) FROM holiday_years`).Scan(&stamp)
	if err != nil {
		return "", fmt.Errorf("reading holiday years: %w", err)
	}
	return stamp, nil
}

// SaveHolidayYear adds or replaces h.Year with an audit row naming actor,
// the year and its number of days off.
func (s *Store) SaveHolidayYear(ctx context.Context, h HolidayYear, actor string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		var replaced bool
		err := tx.tx.QueryRow(ctx, `INSERT INTO holiday_years AS y (year, data, days, saved_by, saved_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (year) DO UPDATE SET data = excluded.data, days = excluded.days,
				saved_by = excluded.saved_by, saved_at = excluded.saved_at
			RETURNING (xmax <> 0)`, h.Year, h.Data, h.Days, actor, h.SavedAt).Scan(&replaced)
		if err != nil {
			return fmt.Errorf("saving holiday year %d: %w", h.Year, err)
		}
		return tx.Audit(ctx, actor, "calendar.year_saved", "calendar_year", fmt.Sprint(h.Year),
			map[string]any{"days": h.Days, "replaced": replaced})
	})
}

// Calendar is the working-day calendar of the embedded years, the years
// entered on the web and the holidays folder's files (folder), layered by
// calendar.Layered; shadowed are web years the folder overrides.
func (s *Store) Calendar(ctx context.Context, folder []calendar.Source) (cal *calendar.Calendar, shadowed []int, err error) {
	years, err := s.HolidayYears(ctx)
	if err != nil {
		return nil, nil, err
	}
	web := make([]calendar.Source, len(years))
	for i, y := range years {
		web[i] = y.Source()
	}
	return calendar.Layered(folder, web)
}
