package main

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/aduan-gateway/aduan/adapters/meta"
)

// baseline is the pipeline loadgen compares Aduan with, in the same run,
// on the same machine, NATS and PostgreSQL: a signed Messenger webhook is
// checked and published to a JetStream stream of its own (200 after the
// ack); one consumer takes what has arrived, up to a batch, stores it with
// one multi-row INSERT into its own table, acknowledges after the commit,
// and posts one reply per message to the Graph fake. It is what any
// durable gateway must do at the least; Aduan adds the conversation, the
// dialog, the identity checks and the outbox.
type baseline struct {
	js       jetstream.JetStream
	pool     *pgxpool.Pool
	secret   []byte
	replyURL string
	client   *http.Client
	srv      *http.Server
	ln       net.Listener
	wg       sync.WaitGroup
	cancel   context.CancelFunc
}

const (
	baselineStream  = "LOADGEN_BASELINE"
	baselineSubject = "loadgen.baseline"
	baselineTable   = "loadgen_baseline"
	baselineBatch   = 256
	baselineSenders = 8
)

type baselineMsg struct {
	MID    string `json:"mid"`
	Sender string `json:"sender"`
	Text   string `json:"text"`
}

func startBaseline(ctx context.Context, js jetstream.JetStream, dbURL string, secret []byte, graphURL string) (*baseline, error) {
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+baselineTable+` (
		mid text PRIMARY KEY, sender text NOT NULL, body text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		pool.Close()
		return nil, fmt.Errorf("baseline table: %w", err)
	}
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: baselineStream, Subjects: []string{baselineSubject},
		Storage: jetstream.FileStorage, Duplicates: 2 * time.Minute}); err != nil {
		pool.Close()
		return nil, fmt.Errorf("baseline stream: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		pool.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	bl := &baseline{js: js, pool: pool, secret: secret, replyURL: graphURL + "v23.0/me/messages", ln: ln, cancel: cancel,
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: baselineSenders}}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhook", bl.receive)
	bl.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = bl.srv.Serve(ln) }()

	cons, err := js.CreateOrUpdateConsumer(ctx, baselineStream, jetstream.ConsumerConfig{Durable: "baseline",
		AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: 4 * baselineBatch})
	if err != nil {
		bl.close()
		return nil, fmt.Errorf("baseline consumer: %w", err)
	}
	in := make(chan jetstream.Msg, 2*baselineBatch)
	cc, err := cons.Consume(func(m jetstream.Msg) {
		select {
		case in <- m:
		case <-ctx.Done():
		}
	}, jetstream.PullMaxMessages(2*baselineBatch))
	if err != nil {
		bl.close()
		return nil, err
	}
	replies := make(chan baselineMsg, 4*baselineBatch)
	bl.wg.Add(1)
	go func() {
		defer bl.wg.Done()
		defer close(replies)
		defer cc.Stop()
		bl.store(ctx, in, replies)
	}()
	for range baselineSenders {
		bl.wg.Add(1)
		go func() {
			defer bl.wg.Done()
			for m := range replies {
				bl.reply(ctx, m)
			}
		}()
	}
	return bl, nil
}

// URL is the baseline's webhook.
func (bl *baseline) URL() string { return "http://" + bl.ln.Addr().String() + "/webhook" }

func (bl *baseline) receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, meta.MaxBodySize))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	if !hmac.Equal([]byte(r.Header.Get(meta.SignatureHeader)), []byte(meta.Sign(bl.secret, body))) {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	var p struct {
		Entry []struct {
			Messaging []struct {
				Sender struct {
					ID string `json:"id"`
				} `json:"sender"`
				Message json.RawMessage `json:"message"`
			} `json:"messaging"`
		} `json:"entry"`
	}
	if json.Unmarshal(body, &p) != nil || len(p.Entry) == 0 || len(p.Entry[0].Messaging) == 0 {
		http.Error(w, "not a message", http.StatusBadRequest)
		return
	}
	ev := p.Entry[0].Messaging[0]
	var m struct {
		MID string `json:"mid"`
	}
	if json.Unmarshal(ev.Message, &m) != nil || m.MID == "" {
		http.Error(w, "no mid", http.StatusBadRequest)
		return
	}
	data, _ := json.Marshal(baselineMsg{MID: m.MID, Sender: ev.Sender.ID, Text: string(ev.Message)})
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if _, err := bl.js.Publish(ctx, baselineSubject, data, jetstream.WithMsgID(m.MID)); err != nil {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// store commits what has arrived, a batch at a time, then acknowledges it
// and hands it to the reply senders.
func (bl *baseline) store(ctx context.Context, in <-chan jetstream.Msg, replies chan<- baselineMsg) {
	for {
		var batch []jetstream.Msg
		select {
		case <-ctx.Done():
			return
		case m := <-in:
			batch = append(batch, m)
		}
	drain:
		for len(batch) < baselineBatch {
			select {
			case m := <-in:
				batch = append(batch, m)
			default:
				break drain
			}
		}
		msgs := make([]baselineMsg, len(batch))
		mids, senders, bodies := make([]string, len(batch)), make([]string, len(batch)), make([]string, len(batch))
		for i, m := range batch {
			_ = json.Unmarshal(m.Data(), &msgs[i])
			mids[i], senders[i], bodies[i] = msgs[i].MID, msgs[i].Sender, msgs[i].Text
		}
		_, err := bl.pool.Exec(ctx, `INSERT INTO `+baselineTable+` (mid, sender, body)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (mid) DO NOTHING`, mids, senders, bodies)
		for _, m := range batch {
			if err != nil {
				_ = m.NakWithDelay(time.Second)
			} else {
				_ = m.Ack()
			}
		}
		if err != nil {
			continue
		}
		for _, m := range msgs {
			select {
			case replies <- m:
			case <-ctx.Done():
				return
			}
		}
	}
}

// reply posts the answer to m as a page would, form encoded.
func (bl *baseline) reply(ctx context.Context, m baselineMsg) {
	rcpt, _ := json.Marshal(map[string]string{"id": m.Sender})
	msg, _ := json.Marshal(map[string]string{"text": "Terima kasih, pesan Anda kami terima.", "metadata": "baseline:" + m.MID})
	form := url.Values{"recipient": {string(rcpt)}, "message": {string(msg)}, "messaging_type": {"RESPONSE"}}
	for attempt := 0; attempt < 3 && ctx.Err() == nil; attempt++ {
		resp, err := bl.client.PostForm(bl.replyURL, form)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
}

// close stops the baseline and removes its stream and table.
func (bl *baseline) close() {
	bl.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = bl.srv.Shutdown(ctx)
	bl.wg.Wait()
	if err := bl.js.DeleteStream(ctx, baselineStream); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		fmt.Println("baseline: removing the stream:", err)
	}
	_, _ = bl.pool.Exec(ctx, `DROP TABLE IF EXISTS `+baselineTable)
	bl.pool.Close()
}
