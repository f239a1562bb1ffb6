package complaint

import (
	"context"
	"time"

	"github.com/aduan-gateway/aduan/core/stats"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// Report computes the statistics of month m as they stand at now
// (docs/statistics.md): the store's rows, this service's calendar, and its
// due states for the open backlog. The page, the files and `aduan stats`
// all read it.
func (s *Service) Report(ctx context.Context, st *store.Store, m stats.Month, now time.Time) (stats.Report, error) {
	in, err := st.StatsInput(ctx, m, workflow.OpenStatuses())
	if err != nil {
		return stats.Report{}, err
	}
	in.Now = now
	in.Calendar = s.Calendar()
	in.DueAt = func(status workflow.Status, due string, now time.Time) (string, error) {
		d, err := s.DueAt(status, due, now)
		return string(d.State), err
	}
	return stats.Compute(in), nil
}
