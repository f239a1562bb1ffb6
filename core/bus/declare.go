package bus

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/aduan-gateway/aduan/core/event"
)

// Every stream, key-value bucket and object store Aduan uses is declared
// here, by Open, with the configured replicas: the event contract's and the
// adapters' own alike, so that on a cluster each survives the same failures
// and no adapter has to find out the replica count.

// Streams of the event contract. Each holds one subject tree.
const (
	StreamInbound    = "INBOUND"    // aduan.inbound.>
	StreamOutbound   = "OUTBOUND"   // aduan.outbound.>, work queue
	StreamDelivery   = "DELIVERY"   // aduan.delivery.>
	StreamComplaints = "COMPLAINTS" // aduan.complaint.>
	StreamDeadLetter = "DEADLETTER" // aduan.deadletter.>
	StreamRejected   = "REJECTED"   // aduan.rejected.>
)

// The adapters' fetch queues: messages whose files are still at the
// platform, and their senders' later messages behind them, durable before
// the webhook answers (work queues). Subjects carry a shard and a hash of
// the sender (adapters/internal/fetchqueue), never the sender's id.
const (
	StreamMetaFetch        = "META_FETCH"
	SubjectMetaFetchPrefix = "aduan.meta.fetch." // + shard + "." + sender hash
	// SubjectMetaFetchLegacy: jobs queued before the queue kept senders'
	// order (aduan.meta.fetch.<channel>).
	SubjectMetaFetchLegacy     = SubjectMetaFetchPrefix + "*"
	StreamWhatsAppFetch        = "WHATSAPP_FETCH"
	SubjectWhatsAppFetchPrefix = "aduan.whatsapp.fetch." // + shard + "." + sender hash
	// SubjectWhatsAppFetch: jobs queued before the queue kept senders' order.
	SubjectWhatsAppFetch = "aduan.whatsapp.fetch"
	// WHATSMEOW_FETCH holds whatsmeow messages between WhatsApp's delivery
	// and their publication: those with files, and a chat's later messages
	// behind them. Subjects carry a shard and a hash of the chat, never the
	// number itself.
	StreamWhatsmeowFetch        = "WHATSMEOW_FETCH"
	SubjectWhatsmeowFetchPrefix = "aduan.whatsmeow.fetch." // + shard + "." + chat hash
)

// Key-value buckets. Get one with Bucket.
const (
	// HealthBucket holds each channel account's health (event.Health),
	// written through HealthWriter.
	HealthBucket = "health"
	// BucketMetaSent: Meta message ids of sent replies, per conversation.
	BucketMetaSent = "meta_sent"
	// BucketWhatsAppSent: WhatsApp message ids of sent replies.
	BucketWhatsAppSent = "whatsapp_sent"
	// BucketWhatsAppLease: which process holds the WhatsApp session;
	// entries expire after Config.LeaseTTL.
	BucketWhatsAppLease = "whatsapp_lease"
	// BucketLaporSync: the LAPOR! poller's cursors.
	BucketLaporSync = "lapor_sync"
	// BucketGroupMembers: heartbeats of the processes sharing a
	// partitioned consumer group (ConsumeGroup). Only the latest of each
	// counts; a process gone for an hour is forgotten.
	BucketGroupMembers = "group_members"
)

// InboundFilter is the subject filter of channel c's messages as INBOUND
// stores them (a partition number in front, see Config.Partitions).
func InboundFilter(c event.Channel) string { return "*." + event.InboundSubject(c) + ".*" }

// AttachmentBucket is the object store bucket that holds attachments.
const AttachmentBucket = "attachments"

// SentTTL bounds how long sent messages are remembered: receipts for older
// messages are of no use to anyone.
const SentTTL = 30 * day

const day = 24 * time.Hour

func streamConfigs(replicas, partitions int) []jetstream.StreamConfig {
	sc := func(name, subjects string, retention jetstream.RetentionPolicy, maxAge time.Duration, desc string) jetstream.StreamConfig {
		return jetstream.StreamConfig{
			Name:        name,
			Description: desc,
			Subjects:    []string{subjects},
			Retention:   retention,
			Storage:     jetstream.FileStorage,
			Replicas:    replicas,
			MaxAge:      maxAge,
			Duplicates:  DuplicateWindow,
		}
	}
	inbound := sc(StreamInbound, "aduan.inbound.>", jetstream.LimitsPolicy, 30*day,
		"Citizens' messages, normalized by the channel adapters")
	// aduan.inbound.<channel>.<key> is stored as <partition>.aduan.inbound.<channel>.<key>,
	// the partition a hash of channel and key: the form partitioned
	// consumer groups (pcgroups, static) consume. Other subjects are kept
	// as they are and consumed unpartitioned.
	inbound.SubjectTransform = &jetstream.SubjectTransformConfig{
		Source:      event.SubjectInboundPrefix + "*.*",
		Destination: fmt.Sprintf("{{partition(%d,1,2)}}.%s{{wildcard(1)}}.{{wildcard(2)}}", partitions, event.SubjectInboundPrefix),
	}
	waFetch := sc(StreamWhatsAppFetch, SubjectWhatsAppFetch, jetstream.WorkQueuePolicy, 7*day,
		"WhatsApp Cloud API messages waiting for their media to be fetched, and their senders' later messages, in order")
	waFetch.Subjects = append(waFetch.Subjects, SubjectWhatsAppFetchPrefix+">")
	return []jetstream.StreamConfig{
		inbound,
		// A work queue: a reply is gone once its adapter acknowledged it.
		sc(StreamOutbound, "aduan.outbound.>", jetstream.WorkQueuePolicy, 30*day,
			"Replies for the channel adapters to send"),
		sc(StreamDelivery, "aduan.delivery.>", jetstream.LimitsPolicy, 30*day,
			"What became of each reply"),
		sc(StreamComplaints, "aduan.complaint.>", jetstream.LimitsPolicy, 365*day,
			"Complaint life-cycle events"),
		sc(StreamDeadLetter, SubjectDeadLetterPrefix+">", jetstream.LimitsPolicy, 90*day,
			"Messages a consumer gave up on, for admins to inspect and retry"),
		sc(StreamRejected, event.SubjectRejectedPrefix+">", jetstream.LimitsPolicy, 30*day,
			"Input adapters could not understand, until the core has stored it for inspection"),
		sc(StreamMetaFetch, SubjectMetaFetchPrefix+">", jetstream.WorkQueuePolicy, 7*day,
			"Messenger and Instagram messages waiting for their files to be fetched from Meta's CDN, and their senders' later messages, in order"),
		waFetch,
		sc(StreamWhatsmeowFetch, SubjectWhatsmeowFetchPrefix+">", jetstream.WorkQueuePolicy, 7*day,
			"WhatsApp (whatsmeow) messages waiting for their files, and their chats' later messages, in order"),
	}
}

func bucketConfigs(cfg Config) []jetstream.KeyValueConfig {
	kv := func(name, desc string, ttl time.Duration) jetstream.KeyValueConfig {
		return jetstream.KeyValueConfig{Bucket: name, Description: desc, TTL: ttl,
			Storage: jetstream.FileStorage, Replicas: cfg.Replicas}
	}
	return []jetstream.KeyValueConfig{
		kv(HealthBucket, "Health of each channel account, kept by its adapter", 0),
		kv(BucketMetaSent, "Messages sent on Messenger and Instagram, per conversation, for delivery and read reports", SentTTL),
		kv(BucketWhatsAppSent, "WhatsApp message ids of sent replies and the outbound events they carried", SentTTL),
		kv(BucketWhatsAppLease, "Which process runs the WhatsApp session", cfg.LeaseTTL),
		kv(BucketLaporSync, "LAPOR! poller cursors", 0),
		kv(BucketGroupMembers, "Heartbeats of the processes sharing a partitioned consumer group", time.Hour),
	}
}

// declare creates every stream and bucket, and puts back one whose
// configuration drifted, on every start. One already as declared is left
// alone: every process and command opens the bus, and an update of a stream
// while another process creates consumers on it trips a data race inside
// nats-server 2.15 (fileStore.UpdateConfig against ConsumerStore).
func (b *Bus) declare(ctx context.Context) error {
	for _, sc := range streamConfigs(b.cfg.Replicas, b.cfg.Partitions) {
		if s, err := b.js.Stream(ctx, sc.Name); err == nil && unchanged(sc, s.CachedInfo().Config) {
			continue
		}
		if _, err := b.js.CreateOrUpdateStream(ctx, sc); err != nil {
			return fmt.Errorf("declaring stream %s: %w", sc.Name, err)
		}
	}
	oc := jetstream.ObjectStoreConfig{
		Bucket:      AttachmentBucket,
		Description: "Citizens' attachments, keyed by sha256",
		Storage:     jetstream.FileStorage,
		Replicas:    b.cfg.Replicas,
	}
	obj, err := b.js.ObjectStore(ctx, oc.Bucket)
	if err == nil {
		st, serr := obj.Status(ctx)
		if serr != nil || st.Description() != oc.Description || st.Storage() != oc.Storage || st.Replicas() != oc.Replicas {
			err = errDrifted
		}
	}
	if err != nil {
		if obj, err = b.js.CreateOrUpdateObjectStore(ctx, oc); err != nil {
			return fmt.Errorf("declaring object store %s: %w", AttachmentBucket, err)
		}
	}
	b.obj = obj
	b.buckets = map[string]jetstream.KeyValue{}
	for _, kc := range bucketConfigs(b.cfg) {
		kv, err := b.js.KeyValue(ctx, kc.Bucket)
		if err == nil {
			st, serr := kv.Status(ctx)
			if serr != nil || !unchanged(kc, st.Config()) {
				err = errDrifted
			}
		}
		if err != nil {
			if kv, err = b.js.CreateOrUpdateKeyValue(ctx, kc); err != nil {
				return fmt.Errorf("declaring key-value bucket %s: %w", kc.Bucket, err)
			}
		}
		b.buckets[kc.Bucket] = kv
	}
	return nil
}

var errDrifted = errors.New("configuration drifted")

// unchanged tells whether cur, as the server reports it, already is want.
// The fields want leaves zero take the server's defaults, so they are not
// compared.
func unchanged[T any](want, cur T) bool {
	w, c := reflect.ValueOf(&want).Elem(), reflect.ValueOf(cur)
	for i := range w.NumField() {
		if f := w.Field(i); f.CanSet() && f.IsZero() {
			f.Set(c.Field(i))
		}
	}
	return reflect.DeepEqual(want, cur)
}

// Bucket returns a key-value bucket declared by Open (the Bucket*
// constants). It panics on any other name: that is a programming error.
func (b *Bus) Bucket(name string) jetstream.KeyValue {
	kv, ok := b.buckets[name]
	if !ok {
		panic("bus: undeclared key-value bucket " + name)
	}
	return kv
}

// LeaseTTL is the TTL of BucketWhatsAppLease's entries.
func (b *Bus) LeaseTTL() time.Duration { return b.cfg.LeaseTTL }
