package whatsapp

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/aduan-gateway/aduan/adapters/internal/fetchqueue"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// The download queue. A message with files is published to the work-queue
// stream WHATSMEOW_FETCH before the event handler returns, so it survives
// the process; so is every later message of its chat until the chat has
// nothing queued any more. One ordered consumer per shard (one message
// delivered at a time) downloads, stores the files and publishes the
// messages to the core, in the order the chat sent them; a slow download
// holds up only its shard's chats.

// fetchDeliveries bounds how often a queued message is delivered. The
// handler only fails when the worker stops mid-message (or panics), so this
// counts restarts, not download attempts (those are downloadAttempts).
const fetchDeliveries = 20

// FetchConsumer names the consumer of one shard of WHATSMEOW_FETCH.
func FetchConsumer(shard int) string { return "whatsmeow-fetch-" + strconv.Itoa(shard) }

// fetchSubject is the chat's subject on WHATSMEOW_FETCH: its shard, and a
// hash standing for the chat so that no phone number is in a subject.
func fetchSubject(chat string) string {
	return fetchqueue.Subject(bus.SubjectWhatsmeowFetchPrefix, chat)
}

// queued is a job as the download queue stores it.
type queued struct {
	// Inbound is the message without its attachments, which Message
	// describes.
	Inbound event.Inbound `json:"inbound"`
	// Message is the unwrapped waE2E.Message (protobuf) when it has a file:
	// its media keys and direct path are what a download needs.
	Message []byte    `json:"message,omitempty"`
	LID     types.JID `json:"lid"`
	Chat    types.JID `json:"chat"`
	Sender  types.JID `json:"sender"`
	Kind    string    `json:"kind"`
}

func encodeJob(j *job) ([]byte, error) {
	q := queued{Inbound: *j.in, LID: j.lid, Chat: j.chat, Sender: j.sender, Kind: j.kind}
	if j.file != nil {
		q.Inbound.Attachments = nil
		var err error
		if q.Message, err = proto.Marshal(j.file); err != nil {
			return nil, fmt.Errorf("encoding a whatsapp message with files: %w", err)
		}
	}
	return json.Marshal(q)
}

func decodeJob(data []byte) (*job, error) {
	var q queued
	if err := json.Unmarshal(data, &q); err != nil {
		return nil, fmt.Errorf("decoding a queued whatsapp message: %w", err)
	}
	j := &job{in: &q.Inbound, lid: q.LID, chat: q.Chat, sender: q.Sender}
	if q.Message != nil {
		m := &waE2E.Message{}
		if err := proto.Unmarshal(q.Message, m); err != nil {
			return nil, fmt.Errorf("decoding a queued whatsapp message's files: %w", err)
		}
		addMedia(j, m)
	}
	j.kind = q.Kind
	return j, nil
}

// enqueue makes a message durable on its chat's queue subject.
func (a *Adapter) enqueue(ctx context.Context, subject string, j *job) error {
	data, err := encodeJob(j)
	if err != nil {
		return err
	}
	_, err = a.b.Publish(ctx, subject, "fetch:"+j.in.MsgID(), data)
	return err
}

// RunFetcher works through the download queue until ctx ends: it runs
// where the session is, since a download needs the live client. What it
// has not finished stays queued for the next session. While NATS is
// unreachable it keeps trying to start.
func (a *Adapter) RunFetcher(ctx context.Context) error {
	var cs []*bus.Consumer
	stop := func() {
		for _, c := range cs {
			c.Stop()
		}
		cs = nil
	}
	defer stop()
	err := a.retry(ctx, "starting the whatsapp download workers", a.publishTimeout, func(tctx context.Context) error {
		for i := range Shards {
			c, err := a.b.Consume(ctx, bus.ConsumerSpec{
				Stream: bus.StreamWhatsmeowFetch, Durable: FetchConsumer(i),
				FilterSubjects: []string{fetchqueue.ShardFilter(bus.SubjectWhatsmeowFetchPrefix, i)},
				MaxDeliver:     fetchDeliveries,
				// One at a time: a failed message is delivered again before
				// the next, which keeps each chat in order.
				MaxAckPending: 1,
			}, a.handleQueued)
			if err != nil {
				stop()
				return err
			}
			cs = append(cs, c)
		}
		return nil
	})
	if err == nil { // else ctx ended first: retry gives up only then
		<-ctx.Done()
	}
	return nil
}

// handleQueued downloads a queued message's files and publishes it.
func (a *Adapter) handleQueued(ctx context.Context, m *bus.Msg) error {
	j, err := decodeJob(m.Data)
	if err != nil {
		return bus.Permanent(err)
	}
	if len(j.media) > 0 {
		for {
			if _, err := a.waitClient(ctx); err == nil {
				break
			} else if ctx.Err() != nil {
				return err
			}
		}
	}
	return a.publishMessage(ctx, j, true)
}
