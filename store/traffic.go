package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aduan-gateway/aduan/core/event"
)

// ChannelCount is one channel's traffic since a moment.
type ChannelCount struct {
	Channel    event.Channel
	Inbound    int
	Outbound   int
	Complaints int
}

// CountsSince counts messages in and out and complaints per channel since
// since (the start of the office's day), one row for every channel seen.
func (s *Store) CountsSince(ctx context.Context, since time.Time) (map[event.Channel]ChannelCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT channel,
		count(*) FILTER (WHERE direction = 'in'), count(*) FILTER (WHERE direction = 'out'), 0
		FROM messages WHERE created_at >= $1 GROUP BY channel
		UNION ALL SELECT channel, 0, 0, count(*) FROM complaints WHERE created_at >= $1 GROUP BY channel`, since)
	if err != nil {
		return nil, fmt.Errorf("counting traffic: %w", err)
	}
	defer rows.Close()
	out := map[event.Channel]ChannelCount{}
	for rows.Next() {
		var ch event.Channel
		var in, outN, cp int
		if err := rows.Scan(&ch, &in, &outN, &cp); err != nil {
			return nil, fmt.Errorf("counting traffic: %w", err)
		}
		c := out[ch]
		c.Channel = ch
		c.Inbound += in
		c.Outbound += outN
		c.Complaints += cp
		out[ch] = c
	}
	return out, rows.Err()
}
