package intake

import (
	"context"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
)

// retentionEvery is how often the retention job looks for expired files.
const retentionEvery = time.Hour

// RunRetention runs a retention pass (store.Expire) every hour until ctx
// ends: what reporters wrote and sent for complaints archived longer than
// keep ago, the identity of reporters idle that long, old rejected input,
// and the files' bytes in the object store. docs/privacy.md says what stays.
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
	ex, err := s.store.Expire(ctx, s.now().Add(-keep), func(keys []string) error {
		return deleteAll(ctx, b, keys)
	})
	if err != nil {
		return err
	}
	if ex.Complaints > 0 || ex.Reporters > 0 || ex.Rejected > 0 {
		s.log.Info().Int("complaints", ex.Complaints).Int("messages", ex.Messages).Int("ktp", ex.KTPRows).
			Int("files", ex.Files).Int("reporters", ex.Reporters).Int("rejected", ex.Rejected).
			Int("objects", len(ex.ObjectKeys)).Msg("retention: expired personal data erased")
	}
	return nil
}

// deleteObjects deletes the objects among keys that no stored row refers to.
func (s *Service) deleteObjects(ctx context.Context, b *bus.Bus, keys []string) error {
	keys, err := s.store.Unreferenced(ctx, keys)
	if err != nil {
		return err
	}
	return deleteAll(ctx, b, keys)
}

func deleteAll(ctx context.Context, b *bus.Bus, keys []string) error {
	for _, k := range keys {
		if err := b.DeleteAttachment(ctx, k); err != nil {
			return err
		}
	}
	return nil
}
