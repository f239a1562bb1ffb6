package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// graphFake stands in for graph.facebook.com during a load run: the
// Messenger and Instagram Send API (POST /{version}/me/messages, form
// encoded as huandu/facebook sends it), the WhatsApp Cloud API's sends
// (POST /{version}/{phone-number-id}/messages, JSON), media look-ups and
// downloads, and profile look-ups. Every send is timed on arrival, resolved
// to the message it answers (index) and counted in the current tally; it
// answers as Meta does, so the server's senders record it sent and move on.
type graphFake struct {
	srv    *http.Server
	ln     net.Listener
	ktp    []byte
	ktpSum string
	ids    atomic.Int64
	tally  atomic.Pointer[tally]
	index  atomic.Pointer[outboundIndex]
}

// fakeReply is one send the fake received.
type fakeReply struct {
	At time.Time
	// Recipient is the PSID, IGSID or WhatsApp number the reply went to.
	Recipient string
	// Key tells a resend of the same reply from another: the Messenger
	// metadata (which carries the outbound event id), the WhatsApp
	// context message id (the citizen's message answered); empty when the
	// request carries neither (Instagram).
	Key string
	// InReplyTo is the citizen's message id the reply names, when it names one.
	InReplyTo string
	Text      string
}

// ktpMediaID is the Cloud API media id of the KTP photo every Cloud API
// citizen sends; the fake serves the same JPEG for it.
const ktpMediaID = "900000000000001"

func newGraphFake(addr string) (*graphFake, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("graph fake: %w", err)
	}
	ktp := ktpJPEG()
	sum := sha256.Sum256(ktp)
	f := &graphFake{ln: ln, ktp: ktp, ktpSum: hex.EncodeToString(sum[:])}
	f.tally.Store(newTally())
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{version}/me/messages", f.sendMeta)
	mux.HandleFunc("POST /{version}/{pnid}/messages", f.sendCloud)
	mux.HandleFunc("GET /{version}/{id}", f.lookup)
	mux.HandleFunc("GET /cdn/ktp.jpg", f.download)
	f.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

// URL is the base URL to configure as ADUAN_META_GRAPH_URL.
func (f *graphFake) URL() string { return "http://" + f.ln.Addr().String() + "/" }

// ktpURL is where Messenger and Instagram citizens' KTP photo lives (Meta's
// CDN in real life).
func (f *graphFake) ktpURL() string { return f.URL() + "cdn/ktp.jpg" }

func (f *graphFake) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = f.srv.Shutdown(ctx)
}

func (f *graphFake) sendMeta(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		graphError(w, http.StatusBadRequest, 100, "cannot read the request")
		return
	}
	var rcpt struct {
		ID string `json:"id"`
	}
	var msg struct {
		Text     string `json:"text"`
		Metadata string `json:"metadata"`
	}
	if json.Unmarshal([]byte(r.FormValue("recipient")), &rcpt) != nil || rcpt.ID == "" {
		graphError(w, http.StatusBadRequest, 100, "(#100) The parameter recipient is required")
		return
	}
	_ = json.Unmarshal([]byte(r.FormValue("message")), &msg)
	f.received(fakeReply{At: at, Recipient: rcpt.ID, Key: msg.Metadata, Text: msg.Text})
	answerJSON(w, map[string]string{"recipient_id": rcpt.ID, "message_id": "m_loadgen" + strconv.FormatInt(f.ids.Add(1), 10)})
}

func (f *graphFake) sendCloud(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	var req struct {
		To   string `json:"to"`
		Text struct {
			Body string `json:"body"`
		} `json:"text"`
		Context *struct {
			MessageID string `json:"message_id"`
		} `json:"context"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.To == "" {
		graphError(w, http.StatusBadRequest, 100, "(#100) Invalid parameter")
		return
	}
	rep := fakeReply{At: at, Recipient: req.To, Text: req.Text.Body}
	if req.Context != nil {
		rep.Key, rep.InReplyTo = req.Context.MessageID, req.Context.MessageID
	}
	f.received(rep)
	answerJSON(w, map[string]any{
		"messaging_product": "whatsapp",
		"contacts":          []map[string]string{{"input": req.To, "wa_id": req.To}},
		"messages":          []map[string]string{{"id": "wamid.loadgen" + strconv.FormatInt(f.ids.Add(1), 10)}},
	})
}

// received counts r in the current tally, resolved to what it answers.
func (f *graphFake) received(r fakeReply) {
	if x := f.index.Load(); x != nil {
		r = x.resolve(r)
	}
	f.tally.Load().reply(r)
}

// lookup answers a Cloud API media look-up for the KTP, and any other id as
// a profile look-up.
func (f *graphFake) lookup(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == ktpMediaID {
		answerJSON(w, map[string]string{"url": f.ktpURL() + "?mid=" + id, "mime_type": "image/jpeg", "sha256": f.ktpSum,
			"file_size": strconv.Itoa(len(f.ktp)), "id": id, "messaging_product": "whatsapp"})
		return
	}
	answerJSON(w, map[string]string{"id": id, "name": "Warga Uji", "first_name": "Warga", "last_name": "Uji"})
}

func (f *graphFake) download(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Content-Length", strconv.Itoa(len(f.ktp)))
	_, _ = w.Write(f.ktp)
}

func graphError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": msg, "type": "OAuthException", "code": code, "fbtrace_id": "loadgen"}})
}

func answerJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// ktpJPEG is a small real JPEG: the server checks what a download claims to be.
func ktpJPEG() []byte {
	img := image.NewGray(image.Rect(0, 0, 86, 54))
	for y := range 54 {
		for x := range 86 {
			img.SetGray(x, y, color.Gray{Y: uint8(128 + (x*y)%96)})
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: 70})
	return b.Bytes()
}

// outboundIndex resolves a reply at the fake to the outbound event it
// carries, and so to the citizen's message it answers: it listens to the
// replies the core publishes. A Messenger request names its outbound event
// (metadata); an Instagram request names nothing, so its text is looked up
// among the recipient's outbound events.
type outboundIndex struct {
	mu   sync.Mutex
	byID map[string]*indexedOutbound
	byTo map[string][]*indexedOutbound // by recipient, oldest first
	sub  *nats.Subscription
}

type indexedOutbound struct {
	event.Outbound
	parts map[string]bool // texts already resolved to it
}

func newOutboundIndex(nc *nats.Conn) (*outboundIndex, error) {
	x := &outboundIndex{byID: map[string]*indexedOutbound{}, byTo: map[string][]*indexedOutbound{}}
	sub, err := nc.Subscribe(event.SubjectOutboundPrefix+">", func(m *nats.Msg) {
		o := &indexedOutbound{parts: map[string]bool{}}
		if event.Unmarshal(m.Data, &o.Outbound) != nil {
			return
		}
		x.mu.Lock()
		if x.byID[o.ID] == nil {
			x.byID[o.ID] = o
			x.byTo[o.Recipient] = append(x.byTo[o.Recipient], o)
		}
		x.mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	x.sub = sub
	return x, nil
}

// resolve fills r's key and the message it answers from its outbound event,
// waiting briefly for the event to be seen; without one, r stays as it is.
// A text goes to the oldest of the recipient's events holding it that was
// not yet given it.
func (x *outboundIndex) resolve(r fakeReply) fakeReply {
	id, named := strings.CutPrefix(r.Key, metaMetadataPrefix)
	if r.InReplyTo != "" || r.Key != "" && !named {
		return r
	}
	part := strings.TrimSpace(r.Text)
	for wait := time.Now().Add(2 * time.Second); ; {
		x.mu.Lock()
		var found *indexedOutbound
		if named {
			found = x.byID[id]
		} else if r.Key == "" && part != "" {
			// The oldest event holding the text not yet given it; if
			// every one was, the text may belong to an event not seen
			// yet, and stays unresolved.
			for _, o := range x.byTo[r.Recipient] {
				if strings.Contains(o.Text, part) && !o.parts[part] {
					found = o
					break
				}
			}
		}
		if found != nil {
			found.parts[part] = true
			r.Key, r.InReplyTo = found.ID, found.InReplyTo
		}
		x.mu.Unlock()
		if found != nil || time.Now().After(wait) {
			return r
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// metaMetadataPrefix starts the metadata of Aduan's Messenger replies,
// followed by the outbound event id.
const metaMetadataPrefix = "aduan:"

func (x *outboundIndex) close() { _ = x.sub.Unsubscribe() }

// loadBus is a load run's connection to the server's NATS: whatsmeow-shaped
// events are published through it, the fake's outbound index listens on
// it, and the KTP photo is stored through it once.
type loadBus struct {
	*bus.Bus
	index *outboundIndex
	ktp   event.Attachment
}

// openLoadBus connects to the NATS of the server configured by cfg and
// gives fake its outbound index.
func openLoadBus(ctx context.Context, cfg *config.Config, fake *graphFake) (*loadBus, error) {
	b, err := openClientBus(ctx, cfg)
	if err != nil {
		return nil, err
	}
	x, err := newOutboundIndex(b.Conn())
	if err != nil {
		b.Close()
		return nil, err
	}
	ktp, err := storeKTP(ctx, b, fake.ktp)
	if err != nil {
		x.close()
		b.Close()
		return nil, err
	}
	fake.index.Store(x)
	return &loadBus{Bus: b, index: x, ktp: ktp}, nil
}

// newDriver returns a driver sending to webhookURL with client, signing with
// secret, publishing through l and counting in t; the caller sets the
// load's shape (kinds, rate, senders, duration).
func (l *loadBus) newDriver(fake *graphFake, t *tally, client *http.Client, webhookURL, secret string) *driver {
	return &driver{tally: t, client: client, webhookURL: webhookURL, secret: []byte(secret), bus: l.Bus,
		ktpURL: fake.ktpURL(), ktp: l.ktp, ktpSum: fake.ktpSum, steps: len(script)}
}

func (l *loadBus) close() {
	l.index.close()
	l.Bus.Close()
}
