package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/aduan-gateway/aduan/core/event"
)

func init() {
	c := &command{
		name:    "loadgen",
		summary: "load a running Aduan with simulated citizens and report throughput and reply latency",
		usage: `Usage: aduan loadgen [--citizens N] [--rate R] [--channel whatsapp]

Publishes a scripted conversation for each of N simulated citizens (complaint,
identity, KTP photo reference, STATUS) to a running Aduan, as the channel
adapter would, at about R messages per second (0: as fast as NATS takes them),
and listens on aduan.outbound.<channel> for the replies, which the core
publishes only after their transaction committed. It prints the throughput
and the time from publish to reply (p50, p95, p99). Figures for
docs/performance.md come from here. Point ADUAN_NATS_* at the running server.`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		fs := newFlags(c, stderr)
		citizens := fs.Int("citizens", 200, "number of simulated citizens")
		rate := fs.Float64("rate", 0, "messages per second to publish (0: unlimited)")
		channel := fs.String("channel", "whatsapp", "channel to simulate (whatsapp, messenger, instagram, walkin)")
		wait := fs.Duration("wait", 5*time.Minute, "how long to wait for the last reply")
		if err := fs.Parse(args); err != nil {
			return err
		}
		ch, err := event.ParseChannel(*channel)
		if err != nil {
			return err
		}
		return loadgen(ctx, ch, *citizens, *rate, *wait, stdout)
	}
	register(c)
}

// script is one simulated citizen's conversation; %s is the ticket-free
// part that makes every citizen's text differ.
var script = []string{
	"Halo min, bantuan PKH ibu saya sudah 3 bulan tidak cair, mohon dibantu (%s)",
	"Nama: Warga Uji %s\nNIK: 1971015708900003\nAlamat: Jl. Depati Amir No. 12, Pangkalpinang\nNo HP: 081234567890",
	"#ktp",
	"STATUS",
}

func loadgen(ctx context.Context, ch event.Channel, citizens int, rate float64, wait time.Duration, stdout io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	b, err := openClientBus(ctx, cfg)
	if err != nil {
		return err
	}
	defer b.Close()

	run := "load-" + randomHex(4) + "-"
	total := citizens * len(script)
	// A plain subscription sees every reply as the outbox relay publishes
	// it; the buffer holds a whole run's replies, so none is dropped.
	replies := make(chan *nats.Msg, total*2)
	sub, err := b.Conn().ChanSubscribe(event.OutboundSubject(ch), replies)
	if err != nil {
		return err
	}
	defer sub.Unsubscribe() //nolint:errcheck

	var interval time.Duration
	if rate > 0 {
		interval = time.Duration(float64(time.Second) / rate)
	}
	fmt.Fprintf(stdout, "run %s: %d citizens, %d messages on %s\n", run, citizens, total, ch)
	sentAt := make(map[string]time.Time, total)
	var mu sync.Mutex
	var latencies []time.Duration
	var lastReply time.Time
	answered := make(map[string]bool, total)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for msg := range replies {
			at := time.Now()
			var ob event.Outbound
			if event.Unmarshal(msg.Data, &ob) != nil || !strings.HasPrefix(ob.InReplyTo, run) {
				continue
			}
			mu.Lock()
			if t0, ok := sentAt[ob.InReplyTo]; ok && !answered[ob.InReplyTo] {
				answered[ob.InReplyTo] = true
				latencies = append(latencies, at.Sub(t0))
				lastReply = at
			}
			n := len(latencies)
			mu.Unlock()
			if n == total {
				return
			}
		}
	}()

	start := time.Now()
	next := start
	// Step by step across citizens, so each citizen's messages stay in order
	// while many conversations are open at once, as in real life.
	for step, text := range script {
		for i := range citizens {
			if interval > 0 {
				if d := time.Until(next); d > 0 {
					time.Sleep(d)
				}
				next = next.Add(interval)
			}
			m := loadMessage(ch, run, i, step, text)
			mu.Lock()
			sentAt[m.ExternalID] = time.Now()
			mu.Unlock()
			if _, err := b.PublishEvent(ctx, m, m.Subject(), m.MsgID()); err != nil {
				return fmt.Errorf("publishing: %w", err)
			}
		}
	}
	published := time.Since(start)
	fmt.Fprintf(stdout, "published %d messages in %s (%.0f/s)\n", total, published.Round(time.Millisecond),
		float64(total)/published.Seconds())

	select {
	case <-done:
	case <-time.After(wait):
		mu.Lock()
		n := len(latencies)
		mu.Unlock()
		return fmt.Errorf("only %d of %d messages answered within %s", n, total, wait)
	case <-ctx.Done():
		return errors.New("interrupted")
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Round(100 * time.Microsecond)
	}
	span := lastReply.Sub(start)
	fmt.Fprintf(stdout, "answered %d messages in %s: %.0f messages/s\npublish to reply: p50 %s, p95 %s, p99 %s, max %s\n",
		total, span.Round(time.Millisecond), float64(total)/span.Seconds(), pct(0.50), pct(0.95), pct(0.99), pct(1))
	return nil
}

func loadMessage(ch event.Channel, run string, citizen, step int, text string) *event.Inbound {
	from := fmt.Sprintf("62899%08d", citizen)
	m := &event.Inbound{
		ID:              event.NewID(),
		Channel:         ch,
		Account:         "loadgen",
		ExternalID:      fmt.Sprintf("%s%d-%d", run, citizen, step),
		ConversationKey: run + from,
		Sender:          event.Sender{ID: run + from, Name: "Warga Uji"},
		ReceivedAt:      time.Now().UTC(),
	}
	if ch == event.ChannelWhatsApp {
		m.Sender.Phone = "+" + from
	}
	switch text {
	case "#ktp":
		// A reference to an object the run never stored: the core only
		// records it, so the load measures the core, not the object store.
		m.Attachments = []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", Filename: "ktp.jpg",
			SHA256: "loadgen", ObjectKey: "sha256/loadgen"}}
	default:
		m.Text = text
		if step < 2 {
			m.Text = fmt.Sprintf(text, fmt.Sprint(citizen))
		}
	}
	return m
}
