package intake

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/event"
)

// TestRetentionErasesArchivedIdentityDocuments: a year after archiving, a
// complaint's KTP photo (row and bytes) and the reporter's words are gone;
// the complaint record stays, and a complaint archived more recently, or
// still open, keeps everything.
func TestRetentionErasesArchivedIdentityDocuments(t *testing.T) {
	h := newHarness(t)
	h.start(h.svc)
	ctx := context.Background()
	ktp := func(from string) event.Attachment {
		key, sha, size, err := h.bus.PutAttachment(ctx, bytes.NewReader([]byte("ktp of "+from)), "ktp.jpg", "image/jpeg")
		if err != nil {
			t.Fatal(err)
		}
		return event.Attachment{Kind: event.AttachmentImage, MIME: "image/jpeg", Filename: "ktp.jpg", Size: size, SHA256: sha, ObjectKey: key}
	}
	report := func(from string) (ticket, key string) {
		h.send(wa(from, "Bantuan BPNT saya bulan ini tidak masuk ke rekening"))
		h.send(wa(from, "Nama: Rudi Hartono\nNIK: 1971 0110 0590 0004\nAlamat: Jl. Sudirman No. 3, Sungailiat"))
		img := wa(from, "ini foto KTP saya")
		a := ktp(from)
		img.Attachments = []event.Attachment{a}
		h.send(img)
		var tk string
		conn := h.conn()
		if err := conn.QueryRow(ctx, `SELECT c.ticket FROM complaints c JOIN conversations v ON v.id = c.conversation_id
			WHERE v.conversation_key = $1`, from).Scan(&tk); err != nil {
			t.Fatal(err)
		}
		return tk, a.ObjectKey
	}
	oldTicket, oldKey := report("6281234500041")
	newTicket, newKey := report("6281234500042")
	openTicket, openKey := report("6281234500043")
	conn := h.conn()
	archive := func(ticket string, at time.Time) {
		if _, err := conn.Exec(ctx, `UPDATE complaints SET status = 'diarsipkan', archived_at = $2 WHERE ticket = $1`, ticket, at); err != nil {
			t.Fatal(err)
		}
	}
	archive(oldTicket, h.clock.Add(-400*24*time.Hour))
	archive(newTicket, h.clock.Add(-10*24*time.Hour))
	// The messages were stored "now"; the old complaint's were older than its archiving.
	if _, err := conn.Exec(ctx, `UPDATE messages SET created_at = $1 WHERE conversation_id =
		(SELECT conversation_id FROM complaints WHERE ticket = $2)`, h.clock.Add(-420*24*time.Hour), oldTicket); err != nil {
		t.Fatal(err)
	}

	if err := h.svc.ExpireOnce(ctx, h.bus, 365*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ticket, key string
		erased      bool
	}{
		{oldTicket, oldKey, true},
		{newTicket, newKey, false},
		{openTicket, openKey, false},
	}
	for _, tt := range tests {
		var ktps, worded int
		var text string
		err := conn.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.conversation_id = c.conversation_id AND a.is_ktp),
			(SELECT count(*) FROM messages m WHERE m.conversation_id = c.conversation_id AND m.direction = 'in' AND m.text <> ''),
			c.text FROM complaints c WHERE c.ticket = $1`, tt.ticket).Scan(&ktps, &worded, &text)
		if err != nil {
			t.Fatal(err)
		}
		_, _, getErr := h.bus.GetAttachment(ctx, tt.key)
		if tt.erased != (ktps == 0 && worded == 0 && getErr != nil) {
			t.Errorf("%s: %d KTP rows, %d worded messages, object error %v; want erased = %v", tt.ticket, ktps, worded, getErr, tt.erased)
		}
		if text == "" {
			t.Errorf("%s: the complaint's own text is gone", tt.ticket)
		}
		if !tt.erased {
			r, _, err := h.bus.GetAttachment(ctx, tt.key)
			if err == nil {
				b, _ := io.ReadAll(r)
				r.Close()
				if len(b) == 0 {
					t.Errorf("%s: KTP bytes empty", tt.ticket)
				}
			}
		}
	}
	trail, err := h.st.AuditTrail(ctx, "complaint", oldTicket)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) == 0 || trail[len(trail)-1].Action != "retention.expired" {
		t.Errorf("audit trail of %s: %+v, want retention.expired last", oldTicket, trail)
	}
	// A second pass finds nothing more to do.
	if err := h.svc.ExpireOnce(ctx, h.bus, 365*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if trail2, _ := h.st.AuditTrail(ctx, "complaint", oldTicket); len(trail2) != len(trail) {
		t.Errorf("second pass wrote %d more audit rows", len(trail2)-len(trail))
	}
}

// conn is a plain connection to the harness's database, closed at the end.
func (h *harness) conn() *pgx.Conn {
	h.t.Helper()
	conn, err := pgx.Connect(context.Background(), h.dbURL)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
