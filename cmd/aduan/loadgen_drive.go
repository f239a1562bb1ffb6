package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aduan-gateway/aduan/adapters/meta"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// The kinds of simulated citizens: how their messages reach Aduan.
const (
	kindMessenger = "messenger" // signed Messenger webhook
	kindInstagram = "instagram" // signed Instagram webhook
	kindCloudAPI  = "cloudapi"  // signed WhatsApp Cloud API webhook
	kindWhatsmeow = "whatsmeow" // event published on INBOUND as the whatsmeow adapter does
)

var citizenKinds = []string{kindMessenger, kindInstagram, kindCloudAPI, kindWhatsmeow}

// Accounts the load speaks to when loadgen starts the server itself; a
// running server must answer for them (ADUAN_META_PAGES,
// ADUAN_WHATSAPP_CLOUD_PHONE_NUMBER_ID).
const (
	loadPageID        = "1122334455"
	loadInstagramID   = "17841400000000001"
	loadPhoneNumberID = "106540352242922"
	loadWhatsmeowAcct = "6281100000001"
)

// script is a citizen's conversation: a complaint, the identity, the KTP
// photo, and a status question. %[1]d is the citizen's number, %[2]s a
// NIK, %[3]s a name.
var script = []string{
	"Halo min, bantuan PKH saya sudah 3 bulan tidak cair, mohon dibantu (warga %[1]d)",
	"Nama: %[3]s\nNIK: %[2]s\nAlamat: Jl. Depati Amir No. %[1]d, Pangkalpinang\nNo HP: 0812%08[1]d",
	"#ktp",
	"STATUS",
}

var (
	givenNames  = []string{"Siti", "Ahmad", "Dewi", "Budi", "Rina", "Agus", "Wati", "Hendra", "Sri", "Joko"}
	familyNames = []string{"Aminah", "Saputra", "Lestari", "Santoso", "Wulandari", "Hidayat", "Rahayu", "Pratama", "Kurniawan", "Susanti"}
)

// citizenName is a made-up name for citizen i (names hold no digits).
func citizenName(i int) string {
	return givenNames[i%10] + " " + familyNames[(i/10)%10] + " " + givenNames[(i/100)%10]
}

// driver sends the citizens' messages.
type driver struct {
	tally  *tally
	client *http.Client
	// webhookURL is where the signed webhooks go; secret signs them.
	webhookURL string
	secret     []byte
	// bus publishes the whatsmeow-shaped events (nil: no such citizens).
	bus *bus.Bus
	// ktpURL is the photo Messenger and Instagram citizens send; ktp the
	// attachment whatsmeow-shaped citizens send, stored once.
	ktpURL string
	ktp    event.Attachment
	ktpSum string

	kinds       []string
	steps       int // how many messages of the script each citizen sends
	run         int // a number making this run's ids its own
	rate        float64
	concurrency int
	citizens    int // 0: as many as the duration allows
	duration    time.Duration
	// retryFor is how long a refused message is retried after the
	// sending phase ended, as Meta keeps retrying a webhook.
	retryFor time.Duration

	paceMu sync.Mutex
	next   time.Time
}

// pace waits for the next send slot at the configured rate.
func (d *driver) pace(ctx context.Context) {
	if d.rate <= 0 {
		return
	}
	d.paceMu.Lock()
	now := time.Now()
	if d.next.Before(now) {
		d.next = now
	}
	at := d.next
	d.next = d.next.Add(time.Duration(float64(time.Second) / d.rate))
	d.paceMu.Unlock()
	if wait := time.Until(at); wait > 0 {
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
}

// drive runs the citizens until the duration is over (or the citizens are
// done), then retries what is still refused for up to retryFor.
func (d *driver) drive(ctx context.Context) {
	end := time.Now().Add(d.duration)
	var nextCitizen atomic.Int64
	var wg sync.WaitGroup
	for range d.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(end) {
				i := int(nextCitizen.Add(1) - 1)
				if d.citizens > 0 && i >= d.citizens {
					return
				}
				d.converse(ctx, i, end)
			}
		}()
	}
	wg.Wait()
	d.tally.finishSending()
}

// converse sends citizen i's script, each message once the previous one was
// acknowledged (a platform delivers a chat's messages in order).
func (d *driver) converse(ctx context.Context, i int, end time.Time) {
	kind := d.kinds[i%len(d.kinds)]
	recipient := d.recipient(kind, i)
	c := d.tally.citizen(kind, recipient)
	for step := range d.steps {
		if ctx.Err() != nil || time.Now().After(end) {
			return
		}
		d.pace(ctx)
		ext := d.messageID(kind, i, step)
		m := d.tally.sending(c, ext)
		for attempt := 0; ; attempt++ {
			t0 := time.Now()
			why := d.send(ctx, kind, recipient, ext, i, step)
			if why == "" {
				d.tally.acked(c, m, time.Since(t0))
				break
			}
			d.tally.refused(c, why)
			if ctx.Err() != nil || time.Since(end) > d.retryFor {
				return
			}
			select {
			case <-time.After(min(50*time.Millisecond<<min(attempt, 5), time.Second)):
			case <-ctx.Done():
				return
			}
		}
	}
}

// recipient is citizen i's id on its channel: the id replies go to.
func (d *driver) recipient(kind string, i int) string {
	switch kind {
	case kindMessenger:
		return fmt.Sprintf("77%03d%011d", d.run, i)
	case kindInstagram:
		return fmt.Sprintf("55%03d%011d", d.run, i)
	case kindCloudAPI:
		return fmt.Sprintf("62877%03d%06d", d.run, i)
	}
	return fmt.Sprintf("62878%03d%06d", d.run, i)
}

func (d *driver) messageID(kind string, i, step int) string {
	switch kind {
	case kindMessenger:
		return fmt.Sprintf("m_lg%03d_%d_%d", d.run, i, step)
	case kindInstagram:
		return fmt.Sprintf("aWdf_lg%03d_%d_%d", d.run, i, step)
	case kindCloudAPI:
		return fmt.Sprintf("wamid.LG%03d_%d_%d", d.run, i, step)
	}
	return fmt.Sprintf("3EB0LG%03d%08d%d", d.run, i, step)
}

// nik is a made-up, well-formed NIK for citizen i: Pangkalpinang, a woman
// born on 17 August of a year and with a serial that follow from i.
func nik(i int) string {
	return fmt.Sprintf("1971015708%02d%04d", 90-(i/9999)%40, i%9999+1)
}

func scriptText(i, step int) string {
	if !strings.Contains(script[step], "%") {
		return script[step]
	}
	return fmt.Sprintf(script[step], i, nik(i), citizenName(i))
}

// send makes one attempt at delivering a message, returning "" once it was
// acknowledged, else why not (an HTTP status or "error").
func (d *driver) send(ctx context.Context, kind, from, ext string, i, step int) string {
	if kind == kindWhatsmeow {
		return d.publish(ctx, from, ext, i, step)
	}
	body, err := json.Marshal(d.webhookBody(kind, from, ext, i, step))
	if err != nil {
		return "error"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.webhookURL, bytes.NewReader(body))
	if err != nil {
		return "error"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(meta.SignatureHeader, meta.Sign(d.secret, body))
	resp, err := d.client.Do(req)
	if err != nil {
		return "error"
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return strconv.Itoa(resp.StatusCode)
	}
	return ""
}

// webhookBody is the JSON Meta posts for the message.
func (d *driver) webhookBody(kind, from, ext string, i, step int) any {
	now := time.Now()
	if kind == kindCloudAPI {
		msg := map[string]any{"from": from, "id": ext, "timestamp": strconv.FormatInt(now.Unix(), 10)}
		if script[step] == "#ktp" {
			msg["type"] = "image"
			msg["image"] = map[string]string{"mime_type": "image/jpeg", "sha256": d.ktpSum, "id": ktpMediaID}
		} else {
			msg["type"] = "text"
			msg["text"] = map[string]string{"body": scriptText(i, step)}
		}
		value := map[string]any{
			"messaging_product": "whatsapp",
			"metadata":          map[string]string{"display_phone_number": "6281100000000", "phone_number_id": loadPhoneNumberID},
			"contacts":          []any{map[string]any{"profile": map[string]string{"name": "Warga Uji"}, "wa_id": from}},
			"messages":          []any{msg},
		}
		return map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
			"id": "102290129340398", "changes": []any{map[string]any{"field": "messages", "value": value}}}}}
	}
	object, account := "page", loadPageID
	if kind == kindInstagram {
		object, account = "instagram", loadInstagramID
	}
	msg := map[string]any{"mid": ext}
	if script[step] == "#ktp" {
		msg["attachments"] = []any{map[string]any{"type": "image", "payload": map[string]string{"url": d.ktpURL}}}
	} else {
		msg["text"] = scriptText(i, step)
	}
	return map[string]any{"object": object, "entry": []any{map[string]any{
		"id": account, "time": now.UnixMilli(),
		"messaging": []any{map[string]any{
			"sender": map[string]string{"id": from}, "recipient": map[string]string{"id": account},
			"timestamp": now.UnixMilli(), "message": msg,
		}},
	}}}
}

// publish puts a message on INBOUND as the whatsmeow adapter does after
// converting it (and storing its media).
func (d *driver) publish(ctx context.Context, from, ext string, i, step int) string {
	now := time.Now().UTC()
	in := &event.Inbound{
		ID: event.NewID(), Channel: event.ChannelWhatsApp, Account: loadWhatsmeowAcct, ExternalID: ext,
		ConversationKey: from, Sender: event.Sender{ID: from, Name: "Warga Uji", Phone: "+" + from},
		SentAt: now, ReceivedAt: now,
	}
	if script[step] == "#ktp" {
		in.Attachments = []event.Attachment{d.ktp}
	} else {
		in.Text = scriptText(i, step)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := d.bus.PublishEvent(ctx, in, in.Subject(), in.MsgID()); err != nil {
		return "error"
	}
	return ""
}
