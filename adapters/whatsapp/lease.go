package whatsapp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/aduan-gateway/aduan/core/bus"
)

// LeaseBucket is the key-value bucket holding the WhatsApp session lease;
// the bus declares it with the TTL of bus.Config.LeaseTTL.
const LeaseBucket = bus.BucketWhatsAppLease

// leaseKey is the lease's key: one WhatsApp session (one number) per
// Aduan installation.
const leaseKey = "session"

// ErrLeaseHeld is returned by Acquire when another process holds the lease.
var ErrLeaseHeld = errors.New("the WhatsApp session is held by another process")

// ErrLeaseLost is returned by Renew when the lease lapsed or was taken.
var ErrLeaseLost = errors.New("the WhatsApp session lease was lost")

// Lease makes sure one process at a time runs the WhatsApp session: two
// connections with the same keys would knock each other off. The holder
// renews it; when it dies, the entry expires after the bucket's TTL and a
// standby process takes over.
type Lease struct {
	kv     jetstream.KeyValue
	ttl    time.Duration
	holder string
	rev    uint64
	// renewed is when the last renewal was confirmed.
	renewed time.Time
}

// OpenLease names this process as a would-be holder of the lease, whose
// entries expire after the bus's LeaseTTL.
func OpenLease(b *bus.Bus) *Lease {
	host, _ := os.Hostname()
	var r [3]byte
	_, _ = rand.Read(r[:])
	return &Lease{kv: b.Bucket(LeaseBucket), ttl: b.LeaseTTL(), holder: host + ":" + strconv.Itoa(os.Getpid()) + ":" + hex.EncodeToString(r[:])}
}

// Holder names this process in the lease.
func (l *Lease) Holder() string { return l.holder }

// Acquire takes the lease if nobody holds it. Otherwise it returns
// ErrLeaseHeld and the current holder.
func (l *Lease) Acquire(ctx context.Context) (holder string, err error) {
	rev, err := l.kv.Create(ctx, leaseKey, []byte(l.holder))
	if err == nil {
		l.rev, l.renewed = rev, time.Now()
		return l.holder, nil
	}
	if !errors.Is(err, jetstream.ErrKeyExists) {
		return "", fmt.Errorf("taking the whatsapp lease: %w", err)
	}
	e, gerr := l.kv.Get(ctx, leaseKey)
	if gerr != nil {
		return "", ErrLeaseHeld // taken and gone again in between: try later
	}
	return string(e.Value()), ErrLeaseHeld
}

// Renew extends the lease. ErrLeaseLost means another process may run the
// session now: stop at once.
func (l *Lease) Renew(ctx context.Context) error {
	rev, err := l.kv.Update(ctx, leaseKey, []byte(l.holder), l.rev)
	if err == nil {
		l.rev, l.renewed = rev, time.Now()
		return nil
	}
	var apiErr *jetstream.APIError
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence {
		return ErrLeaseLost
	}
	// NATS unreachable: still ours until the TTL could have run out.
	if time.Since(l.renewed) > l.ttl*2/3 {
		return fmt.Errorf("%w: not renewed for %s (%v)", ErrLeaseLost, time.Since(l.renewed).Round(time.Second), err)
	}
	return fmt.Errorf("renewing the whatsapp lease: %w", err)
}

// Keep renews the lease until ctx ends; it returns ErrLeaseLost if the
// lease was lost on the way (stop what it guards).
func (l *Lease) Keep(ctx context.Context) error {
	tick := time.NewTicker(l.ttl / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if err := l.Renew(ctx); errors.Is(err, ErrLeaseLost) {
				return err
			}
		}
	}
}

// Release gives the lease up, if it is still ours.
func (l *Lease) Release(ctx context.Context) {
	_ = l.kv.Delete(ctx, leaseKey, jetstream.LastRevision(l.rev))
}

// Current returns the holder of the lease, "" when nobody holds it.
func (l *Lease) Current(ctx context.Context) (string, error) {
	e, err := l.kv.Get(ctx, leaseKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the whatsapp lease: %w", err)
	}
	return string(e.Value()), nil
}

// Run runs active whenever this process holds the lease, until ctx ends.
// While another process holds it, standby is told who. active's context
// ends when the lease is lost; active returning an error ends Run.
func (l *Lease) Run(ctx context.Context, active func(ctx context.Context) error, standby func(holder string)) error {
	every := l.ttl / 3
	for {
		holder, err := l.Acquire(ctx)
		switch {
		case err == nil:
			if err := l.hold(ctx, active); err != nil || ctx.Err() != nil {
				return err
			}
			continue // lost: back to standby
		case errors.Is(err, ErrLeaseHeld):
			standby(holder)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(every):
		}
	}
}

// hold runs active while renewing the lease, and releases it after.
func (l *Lease) hold(ctx context.Context, active func(ctx context.Context) error) error {
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- active(actx) }()
	tick := time.NewTicker(l.ttl / 3)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			l.Release(rctx)
			rcancel()
			return err
		case <-tick.C:
			if err := l.Renew(actx); errors.Is(err, ErrLeaseLost) {
				cancel()
				<-done
				return nil
			}
		}
	}
}
