package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/aduan-gateway/aduan/core/event"
)

// receipt is a delivery or read report from a citizen for our messages.
type receipt struct {
	ids    []string
	status event.DeliveryStatus
	at     time.Time
}

// receiptOf keeps the receipts that tell about our messages reaching the
// citizen; receipts from our own devices and retries are not delivery news.
func receiptOf(r *events.Receipt) *receipt {
	if r.IsFromMe || r.IsGroup || len(r.MessageIDs) == 0 {
		return nil
	}
	var st event.DeliveryStatus
	switch r.Type {
	case types.ReceiptTypeDelivered:
		st = event.DeliveryDelivered
	case types.ReceiptTypeRead, types.ReceiptTypePlayed:
		st = event.DeliveryRead
	default:
		return nil
	}
	return &receipt{ids: append([]string(nil), r.MessageIDs...), status: st, at: r.Timestamp.UTC()}
}

// try runs fn once, or with persist until it succeeds (retry).
func (a *Adapter) try(ctx context.Context, persist bool, what string, fn func(ctx context.Context) error) error {
	if !persist {
		return fn(ctx)
	}
	return a.retry(ctx, what, a.publishTimeout, fn)
}

// retry runs fn until it succeeds or ctx ends, pausing between tries: a
// message that cannot be published yet is kept, not dropped.
// Each try is bounded by timeout.
func (a *Adapter) retry(ctx context.Context, what string, timeout time.Duration, fn func(ctx context.Context) error) error {
	for n := 0; ; n++ {
		tctx, cancel := context.WithTimeout(ctx, timeout)
		err := fn(tctx)
		cancel()
		if err == nil {
			if n > 0 {
				a.log.Info().Int("tries", n+1).Msg(what + " succeeded after retrying")
			}
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		a.metrics.retry()
		if n == 0 {
			a.log.Warn().Err(err).Msg(what + " failed; retrying until it succeeds")
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(a.publishBackoff[min(n, len(a.publishBackoff)-1)]):
		}
	}
}

// publishMessage completes a job (phone of a LID sender, files) and
// publishes it; then marks it read on the citizen's phone. persist keeps
// trying until ctx ends (a worker); otherwise one try (the event handler,
// whose refusal WhatsApp answers by delivering again).
func (a *Adapter) publishMessage(ctx context.Context, j *job, persist bool) error {
	in := j.in
	a.mu.Lock()
	client, lids := a.client, a.lids
	a.mu.Unlock()
	if !j.lid.IsEmpty() && lids != nil {
		pn, err := lids.GetPNForLID(ctx, j.lid)
		if err != nil {
			a.log.Warn().Err(err).Msg("looking up the phone number of a LID sender")
		} else if pn.Server == types.DefaultUserServer && pn.User != "" {
			in.Sender.Phone = "+" + pn.User
		}
	}
	for _, m := range j.media {
		if err := a.fetch(ctx, client, m); err != nil {
			return err
		}
	}
	if err := in.Validate(); err != nil {
		a.metrics.ignore(skipUnsupported)
		a.log.Warn().Err(err).Str("external_id", in.ExternalID).Msg("whatsapp message not publishable; skipped")
		return nil
	}
	err := a.try(ctx, persist, "publishing a whatsapp message", func(ctx context.Context) error {
		_, err := a.b.PublishEvent(ctx, in, in.Subject(), in.MsgID())
		return err
	})
	if err != nil {
		return err
	}
	a.metrics.message(j.kind)
	if in.Echo || in.EditOf != "" || in.UnsendOf != "" {
		return nil
	}
	a.health.Received(event.ChannelWhatsApp, a.Account(), in.ReceivedAt)
	if a.cfg.MarkRead && client != nil {
		// Stored on the bus: the citizen may see the blue ticks.
		if err := client.MarkRead(ctx, []types.MessageID{in.ExternalID}, in.SentAt, j.chat, j.sender); err != nil {
			a.log.Debug().Err(err).Msg("marking a whatsapp message read")
		}
	}
	return nil
}

// downloadAttempts is how often a download is tried on transient errors
// before the message goes on with the failure noted.
const downloadAttempts = 3

// fetch downloads one file and stores it in the object store. A file that
// cannot be had is noted on its attachment (the message goes on regardless);
// only the end of ctx before the file is stored is an error.
func (a *Adapter) fetch(ctx context.Context, client Client, m media) error {
	att := m.att
	limit := a.cfg.MaxAttachmentSize
	if m.declared > limit {
		att.Error = fmt.Sprintf("file too large to fetch (%d MB, the limit is %d MB)", mb(m.declared), mb(limit))
		a.metrics.download("too_large")
		return nil
	}
	if client == nil {
		att.Error = "the WhatsApp session ended before the file was downloaded"
		a.metrics.download("failed")
		return nil
	}
	var data []byte
	var err error
	for try := 1; ; try++ {
		data, err = client.Download(ctx, m.src)
		if err == nil || !transientDownload(err) || try == downloadAttempts || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(try) * time.Second):
		}
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return ctx.Err() // stopping: the message stays queued for the next try
	case err != nil:
		att.Error = downloadError(err)
		a.metrics.download("failed")
		a.log.Warn().Err(err).Str("kind", string(att.Kind)).Msg("whatsapp attachment not downloaded; message delivered without it")
		return nil
	case int64(len(data)) > limit:
		att.Error = fmt.Sprintf("file too large to keep (%d MB, the limit is %d MB)", mb(int64(len(data))), mb(limit))
		a.metrics.download("too_large")
		return nil
	}
	if att.MIME == "" {
		att.MIME = http.DetectContentType(data)
	}
	if att.Filename == "" {
		att.Filename = string(att.Kind) + event.ExtensionOfMIME(att.MIME)
	}
	err = a.retry(ctx, "storing a whatsapp attachment", 20*a.publishTimeout, func(ctx context.Context) error {
		key, sum, size, err := a.b.PutAttachment(ctx, bytes.NewReader(data), att.Filename, att.MIME)
		if err == nil {
			att.ObjectKey, att.SHA256, att.Size = key, sum, size
		}
		return err
	})
	if err != nil {
		return err
	}
	a.metrics.download("ok")
	return nil
}

func mb(n int64) int64 { return (n + 1<<20 - 1) >> 20 }

// transientDownload tells a download failure worth another try.
func transientDownload(err error) bool {
	switch {
	case errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith404), errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith410),
		errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith403), errors.Is(err, whatsmeow.ErrNoURLPresent),
		errors.Is(err, whatsmeow.ErrInvalidMediaHMAC), errors.Is(err, whatsmeow.ErrInvalidMediaSHA256),
		errors.Is(err, whatsmeow.ErrInvalidMediaEncSHA256), errors.Is(err, whatsmeow.ErrFileLengthMismatch),
		errors.Is(err, whatsmeow.ErrUnknownMediaType), errors.Is(err, whatsmeow.ErrNothingDownloadableFound):
		return false
	}
	return true
}

// downloadError is the reason shown in the inbox, in plain words.
func downloadError(err error) string {
	switch {
	case errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith404), errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith410):
		return "the file has expired on WhatsApp's servers; ask the citizen to send it again"
	case errors.Is(err, whatsmeow.ErrInvalidMediaHMAC), errors.Is(err, whatsmeow.ErrInvalidMediaSHA256),
		errors.Is(err, whatsmeow.ErrInvalidMediaEncSHA256), errors.Is(err, whatsmeow.ErrFileLengthMismatch):
		return "the file from WhatsApp was damaged; ask the citizen to send it again"
	}
	return "could not download the file from WhatsApp"
}

// publishReceipt turns a receipt into delivery events, one per message.
func (a *Adapter) publishReceipt(ctx context.Context, r *receipt) error {
	for _, id := range r.ids {
		outboundID, err := a.sent.Outbound(ctx, id)
		if err != nil {
			return err
		}
		// An unknown id was sent from the office phone: the core matches
		// it with the echo it stored.
		d := &event.Delivery{ID: event.NewID(), OutboundID: outboundID, Channel: event.ChannelWhatsApp,
			Account: a.Account(), ExternalID: id, Status: r.status, At: r.at}
		if _, err := a.b.PublishEvent(ctx, d, d.Subject(), event.DeliveryMsgID(event.ChannelWhatsApp, id, r.status)); err != nil {
			return err
		}
		a.metrics.message("receipt")
	}
	return nil
}
