package lapor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// SyncBucket is the NATS key-value bucket where the poller keeps its cursor.
// It lives in JetStream beside the stream the reports go to, so cursor and
// published reports share one durability story (and one cluster).
const SyncBucket = bus.BucketLaporSync

// PollerOptions configure a Poller. Zero fields take defaults.
type PollerOptions struct {
	// Agency is our account on LAPOR! (required).
	Agency string
	// Interval between polls that found nothing more. Default 1 minute.
	Interval time.Duration
	// PageSize is how many reports one request asks for. Default 50.
	PageSize int
	// MinBackoff and MaxBackoff bound the wait after a failed poll, which
	// doubles per failure with jitter. Defaults 2s and 5 minutes.
	MinBackoff, MaxBackoff time.Duration
	Log                    zerolog.Logger
	// Health records the channel's state; nil keeps none.
	Health *Health
	// OnPublished, when set, runs after each acknowledged publish (tests
	// stop a poller in the middle of a page with it).
	OnPublished func(*event.Inbound)
}

// Poller brings reports disposed to the agency from LAPOR! onto the
// INBOUND stream. The cursor advances only after JetStream acknowledged
// every report of a page, so a poller stopped or killed anywhere resumes
// from the last whole page; what it publishes again carries the same
// Nats-Msg-Id and is dropped, or caught by the store's unique key.
type Poller struct {
	api    API
	bus    *bus.Bus
	kv     jetstream.KeyValue
	opt    PollerOptions
	key    string
	log    zerolog.Logger
	now    func() time.Time
	health *Health
}

// NewPoller returns a poller publishing to b what api gives.
func NewPoller(api API, b *bus.Bus, opt PollerOptions) (*Poller, error) {
	if opt.Agency == "" {
		return nil, errors.New("LAPOR! poller: no agency")
	}
	if opt.Interval <= 0 {
		opt.Interval = time.Minute
	}
	if opt.PageSize <= 0 {
		opt.PageSize = 50
	}
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = 2 * time.Second
	}
	if opt.MaxBackoff < opt.MinBackoff {
		opt.MaxBackoff = max(5*time.Minute, opt.MinBackoff)
	}
	kv := b.Bucket(SyncBucket)
	return &Poller{
		api:    api,
		bus:    b,
		kv:     kv,
		opt:    opt,
		key:    "cursor." + strings.TrimPrefix(event.HealthKey(event.ChannelLapor, opt.Agency), "lapor."),
		log:    opt.Log.With().Str("comp", "lapor").Logger(),
		now:    time.Now,
		health: opt.Health,
	}, nil
}

// Run polls until ctx ends: right away, then every Interval after a poll
// that reached the end, or after a backoff with jitter when one failed.
func (p *Poller) Run(ctx context.Context) error {
	failures := 0
	for {
		n, err := p.Sync(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := p.opt.Interval
		if err != nil {
			failures++
			wait = p.backoff(failures, err)
			p.log.Warn().Err(err).Int("failures", failures).Stringer("retry_in", wait).Msg("polling LAPOR! failed")
		} else {
			if failures > 0 || n > 0 {
				p.log.Info().Int("messages", n).Msg("LAPOR! synchronised")
			}
			failures = 0
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// backoff is the wait after the n-th failure in a row: doubling from
// MinBackoff up to MaxBackoff, the upper half jittered so that several
// installations do not retry in step, and never shorter than LAPOR! asked.
func (p *Poller) backoff(n int, err error) time.Duration {
	d := p.opt.MinBackoff
	for i := 1; i < n && d < p.opt.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.opt.MaxBackoff)
	d = d/2 + rand.N(d/2+1)
	return max(d, retryAfter(err))
}

// Sync fetches every page from the stored cursor to the end and publishes
// it, returning how many messages were published (duplicates included).
func (p *Poller) Sync(ctx context.Context) (int, error) {
	cursor, rev, err := p.loadCursor(ctx)
	if err != nil {
		p.fail(ctx, err)
		return 0, err
	}
	published := 0
	for {
		page, err := p.api.Reports(ctx, cursor, p.opt.PageSize)
		if errors.Is(err, ErrCursorExpired) && cursor != "" {
			p.log.Warn().Str("cursor", cursor).Msg("LAPOR! no longer knows the cursor; starting again from the beginning")
			cursor = ""
			continue
		}
		if err != nil {
			p.fail(ctx, err)
			return published, err
		}
		n, err := p.publishPage(ctx, page)
		published += n
		if err != nil {
			p.fail(ctx, err)
			return published, err
		}
		if page.Next != "" && page.Next != cursor {
			if rev, err = p.saveCursor(ctx, page.Next, rev); err != nil {
				p.fail(ctx, err)
				return published, err
			}
			cursor = page.Next
		} else if page.More {
			err := fmt.Errorf("LAPOR! says there is more after cursor %q but gives no new cursor", cursor)
			p.fail(ctx, err)
			return published, err
		}
		if !page.More {
			break
		}
	}
	if p.health != nil {
		p.health.pollOK(ctx, cursor, published)
	}
	return published, nil
}

func (p *Poller) fail(ctx context.Context, err error) {
	if p.health != nil && ctx.Err() == nil {
		p.health.pollFailed(ctx, err)
	}
}

// loadCursor returns the stored cursor and its KV revision (0 when none).
func (p *Poller) loadCursor(ctx context.Context) (string, uint64, error) {
	e, err := p.kv.Get(ctx, p.key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("reading LAPOR! cursor: %w", err)
	}
	return string(e.Value()), e.Revision(), nil
}

// saveCursor stores cursor if nobody else moved it since revision rev (a
// second poller for the same agency, during a hand-over). If someone did,
// theirs stands: both published the same reports, which is harmless.
func (p *Poller) saveCursor(ctx context.Context, cursor string, rev uint64) (uint64, error) {
	var err error
	var next uint64
	if rev == 0 {
		next, err = p.kv.Create(ctx, p.key, []byte(cursor))
	} else {
		next, err = p.kv.Update(ctx, p.key, []byte(cursor), rev)
	}
	if err == nil {
		return next, nil
	}
	if errors.Is(err, jetstream.ErrKeyExists) || isWrongSequence(err) {
		_, next, lerr := p.loadCursor(ctx)
		if lerr != nil {
			return 0, lerr
		}
		p.log.Warn().Msg("LAPOR! cursor moved by another poller; keeping theirs")
		return next, nil
	}
	return 0, fmt.Errorf("storing LAPOR! cursor: %w", err)
}

func isWrongSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}

// publishPage publishes every report of the page (and keeps the ones it
// could not read as rejected input); it returns at the first failed
// publish, so the cursor is not advanced past a report not yet durable.
func (p *Poller) publishPage(ctx context.Context, page *Page) (int, error) {
	n := 0
	for i := range page.Reports {
		for _, m := range p.messages(ctx, &page.Reports[i]) {
			if _, err := p.bus.PublishEvent(ctx, m, m.Subject(), m.MsgID()); err != nil {
				return n, err
			}
			n++
			if p.opt.OnPublished != nil {
				p.opt.OnPublished(m)
			}
		}
	}
	for _, rj := range page.Rejected {
		sum := sha256.Sum256(rj.Raw)
		ev := &event.Rejected{
			ID: event.NewID(), Channel: event.ChannelLapor, Source: "poller " + pathReports,
			Reason: rj.Reason, ContentType: "application/json", Body: rj.Raw, ReceivedAt: p.now().UTC(),
		}
		if _, err := p.bus.PublishEvent(ctx, ev, ev.Subject(), "lapor:rejected:"+hex.EncodeToString(sum[:])); err != nil {
			return n, err
		}
		p.log.Warn().Str("reason", rj.Reason).Msg("LAPOR! report not understood; kept as rejected input")
	}
	return n, nil
}

// messages turns a report into inbound messages: the report as filed
// (revision 1), then each reply of the reporter at its revision. All are
// published on every change of the report; the ids make repeats harmless.
func (p *Poller) messages(ctx context.Context, r *Report) []*event.Inbound {
	now := p.now().UTC()
	extra := func(rev int) *event.LaporExtra {
		return &event.LaporExtra{
			TrackingID: r.TrackingID, Title: r.Title, Category: r.Category, Classification: r.Classification,
			Location: r.Location, Anonymous: r.Anonymous, Confidential: r.Confidential, DisposedAt: r.DisposedAt,
			Revision: rev, Status: string(r.Status), EventAt: r.EventAt,
		}
	}
	var sender event.Sender
	if r.Reporter != nil {
		sender = event.Sender{ID: r.Reporter.ID, Name: r.Reporter.Name, Phone: r.Reporter.Phone}
	}
	msg := func(rev int, text string, at time.Time, files []File) *event.Inbound {
		return &event.Inbound{
			ID: event.NewID(), Channel: event.ChannelLapor, Account: p.opt.Agency,
			ExternalID: r.TrackingID + ":" + strconv.Itoa(rev), ConversationKey: r.TrackingID,
			Sender: sender, Text: text, Attachments: p.fetch(ctx, r.TrackingID, files),
			SentAt: at, ReceivedAt: now, Lapor: extra(rev),
		}
	}
	text := r.Text
	if text == "" {
		text = r.Title
	}
	out := []*event.Inbound{msg(1, text, r.FiledAt, r.Files)}
	for _, rp := range r.Replies {
		out = append(out, msg(rp.Revision, rp.Text, rp.At, rp.Files))
	}
	return out
}

// fetchTries is how often a file is tried before the message goes out
// with the file's error; the page is not held up for one file.
const fetchTries = 3

// fetch downloads files into the object store. A file that cannot be had
// is listed with its error, so the message still goes out and the inbox
// shows what is missing.
func (p *Poller) fetch(ctx context.Context, trackingID string, files []File) []event.Attachment {
	var out []event.Attachment
	for _, f := range files {
		a := event.Attachment{Kind: kindOf(f), MIME: f.MIME, Filename: f.Name, Size: f.Size}
		var err error
		for try := 1; try <= fetchTries; try++ {
			if err = p.fetchOne(ctx, f, &a); err == nil || isPermanent(err) || ctx.Err() != nil {
				break
			}
			if try < fetchTries {
				wait := max(retryAfter(err), p.opt.MinBackoff/4*time.Duration(try))
				select {
				case <-ctx.Done():
				case <-time.After(wait):
				}
			}
		}
		if err != nil {
			a.Error = err.Error()
			p.log.Warn().Err(err).Str("tracking_id", trackingID).Str("file", f.Name).Msg("LAPOR! attachment not fetched")
		}
		out = append(out, a)
	}
	return out
}

func (p *Poller) fetchOne(ctx context.Context, f File, a *event.Attachment) error {
	if f.Size > MaxFileBytes {
		return permanentf("%s: file of %d bytes, more than the %d allowed", f.Name, f.Size, MaxFileBytes)
	}
	body, err := p.api.Download(ctx, f)
	if err != nil {
		return err
	}
	defer body.Close()
	lr := &limitedReader{r: body, left: MaxFileBytes}
	key, sha, size, err := p.bus.PutAttachment(ctx, lr, f.Name, f.MIME)
	if lr.over {
		return permanentf("%s: file larger than the %d bytes allowed", f.Name, MaxFileBytes)
	}
	if err != nil {
		return err
	}
	a.ObjectKey, a.SHA256, a.Size = key, sha, size
	return nil
}

// limitedReader fails a read past its limit, so an oversized file is not
// stored cut short.
type limitedReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitedReader) Read(b []byte) (int, error) {
	if l.left < 0 {
		l.over = true
		return 0, errors.New("file too large")
	}
	if int64(len(b)) > l.left+1 {
		b = b[:l.left+1]
	}
	n, err := l.r.Read(b)
	l.left -= int64(n)
	if l.left < 0 {
		l.over = true
		return n, errors.New("file too large")
	}
	return n, err
}

// kindOf tells the attachment kind from the MIME type or the file name.
func kindOf(f File) event.AttachmentKind {
	mt := f.MIME
	if mt == "" {
		mt = mime.TypeByExtension(strings.ToLower(path.Ext(f.Name)))
	}
	if mt == "" {
		return event.AttachmentOther
	}
	return event.KindOfMIME(mt)
}
