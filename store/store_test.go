package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

var testKey = bytes.Repeat([]byte{7}, 32)

// open gives the test a store on a database of its own, so tests (and
// repeated runs with -count) never see each other's rows.
func open(t *testing.T) (*store.Store, string) {
	t.Helper()
	url := pgtest.URL(t)
	st, err := store.Open(context.Background(), url, testKey)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st, url
}

func TestMigrateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	st, _ := open(t)
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("second migration run: %v", err)
	}
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v != store.LatestVersion() || v < 1 {
		t.Fatalf("schema version %d, binary expects %d", v, store.LatestVersion())
	}
}

func TestOpenCreatesMissingDatabase(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.URL(t)
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("%s_new", cfg.Database)
	url := strings.Replace(dbURL, "/"+cfg.Database, "/"+name, 1)
	st, err := store.Open(ctx, url, testKey)
	if err != nil {
		t.Fatalf("opening a database that does not exist yet: %v", err)
	}
	st.Close()
	admin, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Fatalf("dropping the created database: %v", err)
	}
}

func newReporter(t *testing.T, st *store.Store, sender string) *store.Reporter {
	t.Helper()
	var r *store.Reporter
	err := st.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		r, err = tx.ReporterFor(context.Background(), store.ReporterKey{Channel: "whatsapp", Account: "62811", SenderID: sender}, "Siti")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNIKEncryptedAtRest(t *testing.T) {
	ctx := context.Background()
	st, dbURL := open(t)
	const nik = "1971015708900003" // made up
	r := newReporter(t, st, "6281200000001")
	r.Name, r.NIK = "Siti Aminah", nik
	if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.SaveReporter(ctx, r) }); err != nil {
		t.Fatal(err)
	}

	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var enc []byte
	var masked string
	if err := conn.QueryRow(ctx, "SELECT nik_enc, nik_masked FROM reporters WHERE id = $1", r.ID).Scan(&enc, &masked); err != nil {
		t.Fatal(err)
	}
	if len(enc) == 0 || bytes.Contains(enc, []byte(nik)) || bytes.Contains(enc, []byte("19710157")) {
		t.Fatalf("NIK stored in clear or not at all: %x", enc)
	}
	if masked != "1971xxxxxxxx0003" {
		t.Fatalf("masked NIK = %q", masked)
	}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		got, err := tx.Reporter(ctx, r.ID)
		if err != nil {
			return err
		}
		if got.NIK != nik || got.Name != "Siti Aminah" {
			t.Errorf("read back %q %q", got.NIK, got.Name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWrongNIKKeyRefusedAtStart: a store opened with a NIK key other than
// the one its NIKs are encrypted with used to start and say ready, and then
// fail on every returning reporter's message. Now Open refuses it, also on a
// database that holds NIKs from before the key check was recorded.
func TestWrongNIKKeyRefusedAtStart(t *testing.T) {
	ctx := context.Background()
	st, dbURL := open(t)
	r := newReporter(t, st, "6281200000001")
	r.NIK = "1971015708900003" // made up
	if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.SaveReporter(ctx, r) }); err != nil {
		t.Fatal(err)
	}
	wrongKey := bytes.Repeat([]byte{8}, 32)
	forgetCheck := func() {
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DELETE FROM nik_key_check"); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		before  func()
		key     []byte
		refused bool
	}{
		{"same key", nil, testKey, false},
		{"other key", nil, wrongKey, true},
		{"other key, check not yet recorded", forgetCheck, wrongKey, true},
		{"same key records the check again", forgetCheck, testKey, false},
		{"other key after that", nil, wrongKey, true},
	}
	for _, tt := range tests {
		if tt.before != nil {
			tt.before()
		}
		other, err := store.Open(ctx, dbURL, tt.key)
		if err == nil {
			other.Close()
		}
		if refused := errors.Is(err, store.ErrNIKKeyMismatch); refused != tt.refused || err != nil && !refused {
			t.Errorf("%s: Open error %v, want refused = %v", tt.name, err, tt.refused)
		}
	}
}

func TestTicketsSequentialPerYear(t *testing.T) {
	ctx := context.Background()
	st, _ := open(t)
	const workers, each = 8, 5
	var mu sync.Mutex
	var got []string
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				err := st.InTx(ctx, func(tx *store.Tx) error {
					tk, _, err := tx.NextTicket(ctx, "ADU", 2031)
					mu.Lock()
					got = append(got, tk)
					mu.Unlock()
					return err
				})
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	sort.Strings(got)
	for i, tk := range got {
		if want := fmt.Sprintf("ADU-2031-%06d", i+1); tk != want {
			t.Fatalf("ticket %d = %s, want %s (all: %v)", i, tk, want, got)
		}
	}
	// A rolled-back transaction gives its number back; another year starts at 1.
	_ = st.InTx(ctx, func(tx *store.Tx) error {
		_, _, _ = tx.NextTicket(ctx, "ADU", 2031)
		return errors.New("roll back")
	})
	for _, tc := range []struct {
		year int
		want string
	}{{2031, "ADU-2031-000041"}, {2032, "ADU-2032-000001"}} {
		err := st.InTx(ctx, func(tx *store.Tx) error {
			tk, _, err := tx.NextTicket(ctx, "ADU", tc.year)
			if tk != tc.want {
				t.Errorf("next ticket of %d = %s, want %s", tc.year, tk, tc.want)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func inbound(ext string) *event.Inbound {
	return &event.Inbound{ID: event.NewID(), Channel: event.ChannelWhatsApp, Account: "62811", ExternalID: ext,
		ConversationKey: "6281200000002", Sender: event.Sender{ID: "6281200000002"}, Text: "halo",
		Attachments: []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", SHA256: "ab", ObjectKey: "sha256/ab"}},
		ReceivedAt:  time.Now()}
}

func TestInboundStoredOnce(t *testing.T) {
	ctx := context.Background()
	st, _ := open(t)
	r := newReporter(t, st, "6281200000002")
	key := store.ConversationKey{Channel: "whatsapp", Account: "62811", Key: "6281200000002"}
	var conv *store.Conversation
	for i, ext := range []string{"A1", "A1", "A2"} {
		err := st.InTx(ctx, func(tx *store.Tx) error {
			var err error
			if conv, err = tx.ConversationFor(ctx, key, r.ID); err != nil {
				return err
			}
			_, dup, err := tx.InsertInbound(ctx, conv.ID, inbound(ext))
			if want := i == 1; dup != want {
				t.Errorf("message %d (%s): duplicate = %v, want %v", i, ext, dup, want)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	n, err := st.CountMessages(ctx, conv.ID, "in")
	if err != nil || n != 2 {
		t.Fatalf("stored %d inbound messages (err %v), want 2", n, err)
	}
	if _, err := st.InboundByExternalID(ctx, "whatsapp", "62811", "A1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.InboundByExternalID(ctx, "whatsapp", "62811", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing message: err = %v, want ErrNotFound", err)
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	st, dbURL := open(t)
	if err := st.InTx(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, "admin:budi", "attachment.view", "attachment", "42", map[string]any{"role": "admin"})
	}); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{"UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"} {
		if _, err := conn.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want append-only refusal", q, err)
		}
	}
	trail, err := st.AuditTrail(ctx, "attachment", "42")
	if err != nil || len(trail) != 1 || trail[0].Actor != "admin:budi" {
		t.Fatalf("audit trail = %+v, %v", trail, err)
	}
}

func TestOutboxRelayPublishesInOrderOnce(t *testing.T) {
	ctx := context.Background()
	st, _ := open(t)
	b := bustest.New(t)
	before, err := st.PendingOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{event.NewID(), event.NewID(), event.NewID()}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		for i, id := range ids {
			if err := tx.Enqueue(ctx, "aduan.complaint.submitted", id, []byte(fmt.Sprintf(`{"n":%d}`, i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := b.Conn().SubscribeSync("aduan.complaint.submitted")
	if err != nil {
		t.Fatal(err)
	}
	publish := func(ctx context.Context, subject, msgID string, data []byte) error {
		_, err := b.Publish(ctx, subject, msgID, data)
		return err
	}
	n, err := st.RelayOutbox(ctx, publish, 100)
	if err != nil || n != before+len(ids) {
		t.Fatalf("relayed %d (err %v), want %d", n, err, before+len(ids))
	}
	for i := range ids {
		msg, err := sub.NextMsg(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf(`{"n":%d}`, i); string(msg.Data) != want {
			t.Fatalf("message %d = %s, want %s", i, msg.Data, want)
		}
	}
	if n, err := st.RelayOutbox(ctx, publish, 100); err != nil || n != 0 {
		t.Fatalf("second relay sent %d (err %v), want 0", n, err)
	}
	if p, _ := st.PendingOutbox(ctx); p != 0 {
		t.Fatalf("%d entries still pending", p)
	}
}

// TestOpenWithPoolSize: a database URL may size the connection pool
// (pool_max_conns, pgx's own parameter); it used to reach PostgreSQL as a
// setting it refused, so Open failed.
func TestOpenWithPoolSize(t *testing.T) {
	u := pgtest.URL(t)
	if strings.Contains(u, "://") {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + "pool_max_conns=3"
	} else {
		u += " pool_max_conns=3"
	}
	st, err := store.Open(context.Background(), u, testKey)
	if err != nil {
		t.Fatalf("Open with pool_max_conns: %v", err)
	}
	st.Close()
}

func TestMigrateRefusesNewerDatabase(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	st, err := store.Open(ctx, url, testKey)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')"); err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err == nil || !strings.Contains(err.Error(), "9999") {
		t.Fatalf("migrating a database from a newer binary: err = %v", err)
	}
}

func TestPruneOutboxKeepsUnpublished(t *testing.T) {
	ctx := context.Background()
	st, _ := open(t)
	b := bustest.New(t)
	err := st.InTx(ctx, func(tx *store.Tx) error {
		return tx.Enqueue(ctx, "aduan.complaint.submitted", event.NewID(), []byte(`{}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	publish := func(ctx context.Context, subject, msgID string, data []byte) error {
		_, err := b.Publish(ctx, subject, msgID, data)
		return err
	}
	if _, err := st.RelayOutbox(ctx, publish, 10); err != nil {
		t.Fatal(err)
	}
	if err := st.InTx(ctx, func(tx *store.Tx) error {
		return tx.Enqueue(ctx, "aduan.complaint.submitted", event.NewID(), []byte(`{}`))
	}); err != nil {
		t.Fatal(err)
	}
	n, err := st.PruneOutbox(ctx, time.Now().Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d (err %v), want the one published row", n, err)
	}
	if p, _ := st.PendingOutbox(ctx); p != 1 {
		t.Fatalf("pending after prune = %d, want 1", p)
	}
}
