package intake

import (
	"context"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
)

// retentionEvery is how often the retention job looks for expired files.
const retentionEvery = time.Hour

// RunRetention erases, every hour until ctx ends, the identity documents
// and the reporter's words of complaints archived longer than keep ago
// (store.ExpireArchived), and the KTP photos' bytes in the object store.
// docs/privacy.md says what stays.
func (s *Service) RunRetention(ctx context.Context, b *bus.Bus, keep time.Duration) error {
	t := time.NewTicker(retentionEvery)
	defer t.Stop()
	for {
		if err := s.ExpireOnce(ctx, b, keep); err != nil && ctx.Err() == nil {
			s.log.Error().Err(err).Msg("retention")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// ExpireOnce is one pass of RunRetention.
func (s *Service) ExpireOnce(ctx context.Context, b *bus.Bus, keep time.Duration) error {
	ex, err := s.store.ExpireArchived(ctx, s.now().Add(-keep))
	if err != nil {
		return err
	}
	for _, k := range ex.ObjectKeys {
		if err := b.DeleteAttachment(ctx, k); err != nil {
			return err
		}
	}
	if ex.Complaints > 0 {
		s.log.Info().Int("complaints", ex.Complaints).Int("messages", ex.Messages).Int("ktp", ex.KTPRows).
			Msg("retention: archived complaints' identity documents and messages erased")
	}
	return nil
}
