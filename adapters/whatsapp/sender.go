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

	"github.com/aduan-gateway/aduan/adapters/channel"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
)

// SenderConsumer is the durable name of the reply consumer on the OUTBOUND
// work queue (filtered to aduan.outbound.whatsapp). Both transports use it:
// only one runs.
const SenderConsumer = "whatsapp"

// RunSender sends replies until ctx ends.
func (a *Adapter) RunSender(ctx context.Context) error {
	return channel.Run(ctx, a.b, channel.Config{
		Durable:  SenderConsumer,
		Channels: []event.Channel{event.ChannelWhatsApp},
		Attempts: a.cfg.SendAttempts,
		Backoff:  a.sendBackoff,
		// A reply may wait connectWait for the connection, plus typing.
		AckWait: a.connectWait + a.cfg.Typing + 30*time.Second,
		Send:    a.send,
		Health:  a.health,
		Observe: func(_ event.Channel, result string) { a.metrics.send(result) },
		Log:     a.log,
		Now:     a.now,
	})
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
		return "", &bus.SendError{Reason: err.Error()}
	}
	if len(out.Attachments) > 0 {
		return "", &bus.SendError{Reason: "sending files on WhatsApp is not supported yet; send the text alone"}
	}
	text := strings.TrimSpace(out.Text)
	if text == "" {
		return "", &bus.SendError{Reason: "the reply is empty"}
	}
	c, err := a.waitClient(ctx)
	if err != nil {
		return "", &bus.SendError{Reason: "WhatsApp is not connected", Retryable: true, Err: err}
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
func classifySend(err error) *bus.SendError {
	var iq *whatsmeow.IQError
	switch {
	case errors.Is(err, whatsmeow.ErrUnknownServer), errors.Is(err, whatsmeow.ErrRecipientADJID),
		errors.Is(err, whatsmeow.ErrBroadcastListUnsupported):
		return &bus.SendError{Reason: "WhatsApp cannot deliver to this recipient", Err: err}
	case errors.As(err, &iq) && iq.Code >= 400 && iq.Code < 500 && iq.Code != 408 && iq.Code != 429:
		return &bus.SendError{Reason: fmt.Sprintf("WhatsApp refused the message (%d %s)", iq.Code, iq.Text), Err: err}
	case errors.Is(err, whatsmeow.ErrNotConnected), errors.Is(err, whatsmeow.ErrNotLoggedIn),
		errors.Is(err, whatsmeow.ErrIQDisconnected):
		return &bus.SendError{Reason: "WhatsApp is not connected", Retryable: true, Err: err}
	}
	return &bus.SendError{Reason: "WhatsApp did not take the message", Retryable: true, Err: err}
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
	digits, err := identity.InternationalPhone(s)
	if err != nil {
		return types.JID{}, fmt.Errorf("the recipient is not a WhatsApp number: %w", err)
	}
	return types.NewJID(digits, types.DefaultUserServer), nil
}
