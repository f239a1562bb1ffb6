package outbox

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

// TestRelayPublishesInOrderOnce: entries committed in two transactions
// reach NATS in commit order, each once, more than one batch's worth.
func TestRelayPublishesInOrderOnce(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.URL(t), bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	b := bustest.New(t)
	sub, err := b.Conn().SubscribeSync("aduan.complaint.updated")
	if err != nil {
		t.Fatal(err)
	}
	r := New(st, b, zerolog.Nop())
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done })

	const n = batch + 30
	for part := range 2 {
		err := st.InTx(ctx, func(tx *store.Tx) error {
			for i := part * n / 2; i < (part+1)*n/2; i++ {
				if err := tx.Enqueue(ctx, "aduan.complaint.updated", event.NewID(), []byte(fmt.Sprint(i))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		r.Kick()
		r.Kick() // a second kick while one is pending is dropped, not queued
	}
	for i := range n {
		msg, err := sub.NextMsg(5 * time.Second)
		if err != nil {
			t.Fatalf("entry %d not published: %v", i, err)
		}
		if string(msg.Data) != fmt.Sprint(i) {
			t.Fatalf("entry %d arrived as %q: out of order", i, msg.Data)
		}
	}
	if msg, err := sub.NextMsg(1500 * time.Millisecond); err == nil {
		t.Fatalf("an entry was published twice: %q", msg.Data)
	}
	if left, err := st.PendingOutbox(ctx); err != nil || left != 0 {
		t.Fatalf("%d entries left pending (%v)", left, err)
	}
}
