package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/store"
)

func init() {
	c := &command{
		name:    "simulate",
		summary: "play a citizen: publish a message as a channel adapter would and print Aduan's replies",
		usage: `Usage: aduan simulate --channel CHANNEL --from ID [--text TEXT] [--image FILE] [flags]

Publishes one citizen message to a running Aduan ("aduan serve" or "make run")
exactly as the channel's adapter would, waits until the core has handled it,
and prints the replies. Run it again with the same --from to continue the
conversation, for example:

  aduan simulate --channel whatsapp --from 6281234567890 --name Siti --text "Halo min, bantuan PKH ibu saya belum cair"
  aduan simulate --channel whatsapp --from 6281234567890 --image ktp.jpg

It reaches NATS at ADUAN_NATS_URL, or the embedded server at ADUAN_NATS_LISTEN,
and reads the outcome from ADUAN_DATABASE_URL.`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		fs := newFlags(c, stderr)
		var o simOptions
		fs.StringVar(&o.channel, "channel", "whatsapp", "channel: whatsapp, messenger, instagram or walkin")
		fs.StringVar(&o.from, "from", "", "the citizen's id on the channel (a phone number for WhatsApp)")
		fs.StringVar(&o.name, "name", "", "the citizen's profile name on the channel")
		fs.StringVar(&o.account, "account", "simulator", "our account on the channel (page id, WhatsApp number)")
		fs.StringVar(&o.id, "id", "", "the platform's message id (random when empty; reuse one to test de-duplication)")
		fs.StringVar(&o.text, "text", "", "message text")
		fs.StringVar(&o.image, "image", "", "an image FILE to attach (stored in the object store first)")
		fs.StringVar(&o.caption, "caption", "", "caption of the image")
		fs.DurationVar(&o.wait, "wait", 15*time.Second, "how long to wait for the core to handle the message")
		fs.BoolVar(&o.json, "json", false, "print one JSON object with the replies and the conversation state")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if o.from == "" || (o.text == "" && o.image == "") {
			fs.Usage()
			return errUsage
		}
		return simulate(ctx, o, stdout)
	}
	register(c)
}

type simOptions struct {
	channel, from, name, account, id, text, image, caption string
	wait                                                   time.Duration
	json                                                   bool
}

// simResult is what --json prints.
type simResult struct {
	Duplicate    bool     `json:"duplicate"`
	Replies      []string `json:"replies"`
	Conversation simConv  `json:"conversation"`
}

type simConv struct {
	Status        dialog.Status    `json:"status"`
	Missing       []identity.Field `json:"missing"`
	Identity      simIdentity      `json:"identity"`
	ComplaintText string           `json:"complaint_text"`
	Ticket        *string          `json:"ticket"`
}

type simIdentity struct {
	Nama      string `json:"nama"`
	NIKMasked string `json:"nik_masked"`
	NIKValid  bool   `json:"nik_valid"`
	Alamat    string `json:"alamat"`
	Telepon   string `json:"telepon"`
	FotoKTP   bool   `json:"foto_ktp"`
}

// simReachTimeout bounds connecting to the database and NATS.
const simReachTimeout = 5 * time.Second

func simulate(ctx context.Context, o simOptions, stdout io.Writer) error {
	ch, err := event.ParseChannel(o.channel)
	if err != nil {
		return err
	}
	if ch == event.ChannelLapor {
		return errors.New("LAPOR! reports arrive through the LAPOR! poller, not as chat messages")
	}
	// An unreachable database or NATS fails fast, with what to check.
	reach, cancel := context.WithTimeout(ctx, simReachTimeout)
	defer cancel()
	cfg, st, err := loadStore(reach)
	if err != nil {
		return fmt.Errorf("reaching the database within %s (is PostgreSQL running, ADUAN_DATABASE_URL right?): %w", simReachTimeout, err)
	}
	defer st.Close()
	b, err := openClientBus(reach, cfg)
	if err != nil {
		return err
	}
	defer b.Close()

	m := &event.Inbound{
		ID:              event.NewID(),
		Channel:         ch,
		Account:         o.account,
		ExternalID:      o.id,
		ConversationKey: o.from,
		Sender:          event.Sender{ID: o.from, Name: o.name},
		Text:            o.text,
		ReceivedAt:      time.Now().UTC(),
	}
	if m.ExternalID == "" {
		m.ExternalID = "sim-" + randomHex(8)
	}
	// Only WhatsApp tells us the sender's number.
	if ch == event.ChannelWhatsApp {
		if p, err := identity.NormalizePhone(o.from); err == nil {
			m.Sender.Phone = p
		}
	}
	if o.image != "" {
		a, err := storeImage(ctx, b, o.image, o.caption)
		if err != nil {
			return err
		}
		m.Attachments = []event.Attachment{a}
		if m.Text == "" {
			m.Text = o.caption
		}
	}
	if err := m.Validate(); err != nil {
		return err
	}

	_, errBefore := st.InboundByExternalID(ctx, ch, m.Account, m.ExternalID)
	alreadyStored := errBefore == nil
	dup, err := b.PublishEvent(ctx, m, m.Subject(), m.MsgID())
	if err != nil {
		return fmt.Errorf("publishing: %w", err)
	}
	res := simResult{Duplicate: dup || alreadyStored, Replies: []string{}}
	if !res.Duplicate {
		stored, err := waitStored(ctx, st, m, o.wait)
		if err != nil {
			return err
		}
		replies, err := st.RepliesTo(ctx, stored.ID)
		if err != nil {
			return err
		}
		for _, r := range replies {
			res.Replies = append(res.Replies, r.Text)
		}
	}
	view, err := st.FindConversation(ctx, store.ConversationKey{Channel: ch, Account: m.Account, Key: m.ConversationKey})
	if err != nil {
		return fmt.Errorf("reading the conversation: %w", err)
	}
	res.Conversation = convResult(ctx, st, view)

	if o.json {
		return writeJSON(stdout, res)
	}
	if res.Duplicate {
		fmt.Fprintf(stdout, "(message %s was already received; Aduan ignores repeats)\n", m.ExternalID)
	}
	for _, r := range res.Replies {
		fmt.Fprintf(stdout, "Aduan → %s\n%s\n\n", o.from, r)
	}
	return nil
}

func waitStored(ctx context.Context, st *store.Store, m *event.Inbound, wait time.Duration) (*store.Message, error) {
	deadline := time.Now().Add(wait)
	for {
		msg, err := st.InboundByExternalID(ctx, m.Channel, m.Account, m.ExternalID)
		if err == nil {
			return msg, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("no answer within %s: is the core running (\"aduan serve\")?", wait)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func convResult(ctx context.Context, st *store.Store, v *store.ConversationView) simConv {
	c := simConv{
		Status:  v.Status,
		Missing: v.Missing,
		Identity: simIdentity{
			Nama:     v.Reporter.Name,
			NIKValid: v.Reporter.NIK != "",
			Alamat:   v.Reporter.Address,
			Telepon:  v.Reporter.Phone,
			FotoKTP:  v.Reporter.KTPPhoto,
		},
		ComplaintText: v.Draft,
	}
	if v.Reporter.NIK != "" {
		c.Identity.NIKMasked = identity.MaskNIK(v.Reporter.NIK)
	}
	if c.Missing == nil {
		c.Missing = []identity.Field{}
	}
	if v.Ticket != "" {
		t := v.Ticket
		c.Ticket = &t
		if c.ComplaintText == "" {
			if cp, err := st.ComplaintByTicket(ctx, t); err == nil {
				c.ComplaintText = cp.Text
			}
		}
	}
	return c
}

// storeImage puts the file in the object store, as an adapter does before
// publishing, and describes it for the event.
func storeImage(ctx context.Context, b *bus.Bus, path, caption string) (event.Attachment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return event.Attachment{}, err
	}
	mime := http.DetectContentType(data)
	name := filepath.Base(path)
	key, sum, size, err := b.PutAttachment(ctx, bytes.NewReader(data), name, mime)
	if err != nil {
		return event.Attachment{}, fmt.Errorf("storing %s: %w", name, err)
	}
	return event.Attachment{Kind: event.KindOfMIME(mime), MIME: mime, Filename: name, Size: size, SHA256: sum, ObjectKey: key, Caption: caption}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
