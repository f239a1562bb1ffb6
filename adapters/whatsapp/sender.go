package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// SenderConsumer is the durable name of the reply consumer on the OUTBOUND
// work queue (filtered to aduan.outbound.whatsapp). Both transports use it:
// only one runs.
const SenderConsumer = "whatsapp"

// sendError is a reply that did not go out, with what to do about it.
type sendError struct {
	reason string // for the inbox: words an admin can act on
	again  bool   // worth another try (connection, timeouts)
	err    error
}

func (e *sendError) Error() string {
	if e.err != nil {
		return e.reason + ": " + e.err.Error()
	}
	return e.reason
}

func (e *sendError) Unwrap() error { return e.err }

// RunSender sends replies until ctx ends.
func (a *Adapter) RunSender(ctx context.Context) error {
	c, err := a.b.Consume(ctx, bus.ConsumerSpec{
		Stream:         bus.StreamOutbound,
		Durable:        SenderConsumer,
		FilterSubjects: []string{event.OutboundSubject(event.ChannelWhatsApp)},
		// The handler reports the failure itself on the last attempt; the
		// extra deliveries only cover a failing report.
		MaxDeliver: a.cfg.SendAttempts + 3,
		Backoff:    a.sendBackoff,
		// A reply may wait connectWait for the connection, plus typing.
		AckWait: a.connectWait + a.cfg.Typing + 30*time.Second,
	}, a.handleOutbound)
	if err != nil {
		return fmt.Errorf("starting whatsapp sender: %w", err)
	}
	<-ctx.Done()
	c.Stop()
	return nil
}

func (a *Adapter) handleOutbound(ctx context.Context, m *bus.Msg) error {
	var out event.Outbound
	if err := event.Unmarshal(m.Data, &out); err != nil {
		return bus.Permanent(err)
	}
	if out.Channel != event.ChannelWhatsApp {
		return bus.Permanent(fmt.Errorf("outbound %s for channel %q on the whatsapp subject", out.ID, out.Channel))
	}
	log := a.log.With().Str("outbound_id", out.ID).Logger()
	id, err := a.send(ctx, &out)
	if err == nil {
		d := &event.Delivery{ID: event.NewID(), OutboundID: out.ID, Channel: out.Channel, Account: out.Account,
			ExternalID: id, Status: event.DeliverySent, At: a.now().UTC()}
		if _, err := a.b.PublishEvent(ctx, d, d.Subject(), "whatsapp:"+out.ID+":sent"); err != nil {
			return err // redelivered; the sent record stops a second send
		}
		a.metrics.send("sent")
		a.touch(false, d.At)
		return nil
	}
	var se *sendError
	if !errors.As(err, &se) {
		se = &sendError{reason: "could not record the reply's progress", again: true, err: err}
	}
	if ctx.Err() != nil {
		return err // shutting down: handed back, not failed
	}
	if se.again && m.NumDelivered < uint64(a.cfg.SendAttempts) {
		a.metrics.send("retried")
		log.Warn().Err(err).Uint64("deliveries", m.NumDelivered).Msg("whatsapp reply not sent; retrying")
		return err
	}
	d := &event.Delivery{ID: event.NewID(), OutboundID: out.ID, Channel: out.Channel, Account: out.Account,
		Status: event.DeliveryFailed, Reason: se.reason, Retryable: se.again, At: a.now().UTC()}
	if _, err := a.b.PublishEvent(ctx, d, d.Subject(), "whatsapp:"+out.ID+":failed"); err != nil {
		return err
	}
	a.metrics.send("failed")
	log.Warn().Err(err).Msg("whatsapp reply failed")
	return nil
}

// send sends out's text and returns WhatsApp's message id.
func (a *Adapter) send(ctx context.Context, out *event.Outbound) (string, error) {
	// Sent by an earlier delivery whose report was lost: not again.
	if id, err := a.sent.Sent(ctx, out.ID); err != nil {
		return "", err
	} else if id != "" {
		return id, nil
	}
	to, err := RecipientJID(out.Recipient)
	if err != nil {
		return "", &sendError{reason: err.Error()}
	}
	if len(out.Attachments) > 0 {
		return "", &sendError{reason: "sending files on WhatsApp is not supported yet; send the text alone"}
	}
	text := strings.TrimSpace(out.Text)
	if text == "" {
		return "", &sendError{reason: "the reply is empty"}
	}
	c, err := a.waitClient(ctx)
	if err != nil {
		return "", &sendError{reason: "WhatsApp is not connected", again: true, err: err}
	}
	if a.cfg.Typing > 0 {
		// "typing…" for a moment, as a person would; failing to show it
		// does not matter.
		if err := c.SendChatPresence(ctx, to, types.ChatPresenceComposing, types.ChatPresenceMediaText); err == nil {
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(a.cfg.Typing):
			}
		}
	}
	resp, err := c.SendMessage(ctx, to, &waE2E.Message{Conversation: proto.String(text)})
	if err != nil {
		return "", classifySend(err)
	}
	if err := a.sent.Put(ctx, out.ID, resp.ID); err != nil {
		// Sent, but not recorded: a redelivery would send it twice, which
		// is better than reporting a sent reply as lost.
		a.log.Warn().Err(err).Str("outbound_id", out.ID).Msg("whatsapp reply sent but not recorded")
	}
	return resp.ID, nil
}

// classifySend tells a send failure worth retrying from one that is not.
func classifySend(err error) *sendError {
	var iq *whatsmeow.IQError
	switch {
	case errors.Is(err, whatsmeow.ErrUnknownServer), errors.Is(err, whatsmeow.ErrRecipientADJID),
		errors.Is(err, whatsmeow.ErrBroadcastListUnsupported):
		return &sendError{reason: "WhatsApp cannot deliver to this recipient", err: err}
	case errors.As(err, &iq) && iq.Code >= 400 && iq.Code < 500 && iq.Code != 408 && iq.Code != 429:
		return &sendError{reason: fmt.Sprintf("WhatsApp refused the message (%d %s)", iq.Code, iq.Text), err: err}
	case errors.Is(err, whatsmeow.ErrNotConnected), errors.Is(err, whatsmeow.ErrNotLoggedIn),
		errors.Is(err, whatsmeow.ErrIQDisconnected):
		return &sendError{reason: "WhatsApp is not connected", again: true, err: err}
	}
	return &sendError{reason: "WhatsApp did not take the message", again: true, err: err}
}

// RecipientJID reads an outbound recipient: a JID as the adapter writes
// LID senders ("…@lid"), or a phone number in any usual form.
func RecipientJID(s string) (types.JID, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		j, err := types.ParseJID(s)
		if err != nil || j.User == "" || (j.Server != types.DefaultUserServer && j.Server != types.HiddenUserServer) {
			return types.JID{}, errors.New("the recipient is not a WhatsApp user")
		}
		return j.ToNonAD(), nil
	}
	digits, err := NormalizePhone(s)
	if err != nil {
		return types.JID{}, fmt.Errorf("the recipient is not a WhatsApp number: %w", err)
	}
	return types.NewJID(digits, types.DefaultUserServer), nil
}
