package intake

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

// TestRetentionErasesArchivedIdentityDocuments: a year after archiving, a
// complaint's KTP photo (row and bytes) and the reporter's words are gone;
// the complaint record stays, and a complaint archived more recently, or
// still open, keeps everything.
func TestRetentionErasesArchivedIdentityDocuments(t *testing.T) {
	h := newHarness(t)
	h.start(h.svc)
	ctx := context.Background()
	report := h.report
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

// file puts content into the object store as a citizen's file.
func (h *harness) file(kind event.AttachmentKind, name, mime, content string) event.Attachment {
	h.t.Helper()
	key, sha, size, err := h.bus.PutAttachment(context.Background(), bytes.NewReader([]byte(content)), name, mime)
	if err != nil {
		h.t.Fatal(err)
	}
	return event.Attachment{Kind: kind, MIME: mime, Filename: name, Size: size, SHA256: sha, ObjectKey: key}
}

// report files a complete WhatsApp report from a citizen and returns its
// ticket and the object key of the KTP photo.
func (h *harness) report(from string) (ticket, ktpKey string) {
	h.t.Helper()
	ctx := context.Background()
	h.send(wa(from, "Bantuan BPNT saya bulan ini tidak masuk ke rekening"))
	h.send(wa(from, "Nama: Rudi Hartono\nNIK: 1971 0110 0590 0004\nAlamat: Jl. Sudirman No. 3, Sungailiat"))
	img := wa(from, "ini foto KTP saya")
	a := h.file(event.AttachmentImage, "ktp.jpg", "image/jpeg", "ktp of "+from)
	img.Attachments = []event.Attachment{a}
	h.send(img)
	if err := h.conn().QueryRow(ctx, `SELECT c.ticket FROM complaints c JOIN conversations v ON v.id = c.conversation_id
		WHERE v.conversation_key = $1`, from).Scan(&ticket); err != nil {
		h.t.Fatal(err)
	}
	return ticket, a.ObjectKey
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

// TestRetentionExpiresFilesIdleReportersRejected: a year on, the other
// files of an archived complaint go with its KTP photo (rows and bytes);
// a reporter with no open complaint and nothing new for a year is
// anonymised (a chat that never became a complaint too), the complaint's
// record staying; a reporter whose complaint is still open, or who wrote
// lately, keeps their identity; rejected input older than a year is gone.
func TestRetentionExpiresFilesIdleReportersRejected(t *testing.T) {
	h := newHarness(t)
	h.start(h.svc)
	ctx := context.Background()
	conn := h.conn()
	const (
		archivedFrom = "6281234500051"
		idleFrom     = "6281234500052"
		openFrom     = "6281234500053"
		recentFrom   = "6281234500054"
	)
	yearAgo := h.clock.Add(-400 * 24 * time.Hour)

	ticket, ktpKey := h.report(archivedFrom)
	doc := wa(archivedFrom, "ini surat keterangan RT")
	docFile := h.file(event.AttachmentDocument, "surat-rt.pdf", "application/pdf", "%PDF-1.4 surat RT")
	doc.Attachments = []event.Attachment{docFile}
	h.send(doc)
	h.send(wa(idleFrom, "Halo, saya mau bertanya soal bantuan"))
	h.report(openFrom)
	h.send(wa(recentFrom, "Halo, saya mau bertanya soal PKH"))
	// Everything but the recent chat happened more than a year ago.
	for _, from := range []string{archivedFrom, idleFrom, openFrom} {
		for _, q := range []string{
			`UPDATE messages SET created_at = $2 WHERE conversation_id = (SELECT id FROM conversations WHERE conversation_key = $1)`,
			`UPDATE complaints SET updated_at = $2, received_at = $2 WHERE conversation_id = (SELECT id FROM conversations WHERE conversation_key = $1)`,
			`UPDATE conversations SET last_message_at = $2, created_at = $2 WHERE conversation_key = $1`,
			`UPDATE reporters SET created_at = $2, updated_at = $2 WHERE id = (SELECT reporter_id FROM conversations WHERE conversation_key = $1)`,
		} {
			if _, err := conn.Exec(ctx, q, from, yearAgo.Add(-20*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := conn.Exec(ctx, `UPDATE complaints SET status = 'diarsipkan', archived_at = $2 WHERE ticket = $1`, ticket, yearAgo); err != nil {
		t.Fatal(err)
	}
	for i, at := range []time.Time{yearAgo, h.clock} {
		err := h.st.InsertRejected(ctx, &event.Rejected{ID: event.NewID(), Channel: event.ChannelMessenger,
			Source: "webhook /webhooks/meta", Reason: "unknown object", Body: []byte(`{"n":` + string(rune('0'+i)) + `}`), ReceivedAt: at})
		if err != nil {
			t.Fatal(err)
		}
	}

	// Who is who, before retention changes the conversations' keys.
	type who struct {
		conv     store.ConversationID
		reporter store.ReporterID
	}
	ids := map[string]who{}
	for _, from := range []string{archivedFrom, idleFrom, openFrom, recentFrom} {
		var w who
		if err := conn.QueryRow(ctx, `SELECT id, reporter_id FROM conversations WHERE conversation_key = $1`, from).
			Scan(&w.conv, &w.reporter); err != nil {
			t.Fatal(err)
		}
		ids[from] = w
	}

	if err := h.svc.ExpireOnce(ctx, h.bus, 365*24*time.Hour); err != nil {
		t.Fatal(err)
	}

	var files, rejected int
	var text string
	if err := conn.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.conversation_id = $1),
		(SELECT count(*) FROM rejected_inputs), (SELECT text FROM complaints WHERE ticket = $2)`,
		ids[archivedFrom].conv, ticket).Scan(&files, &rejected, &text); err != nil {
		t.Fatal(err)
	}
	if files != 0 {
		t.Errorf("%d files of the archived complaint left", files)
	}
	for _, key := range []string{ktpKey, docFile.ObjectKey} {
		if _, _, err := h.bus.GetAttachment(ctx, key); !errors.Is(err, bus.ErrAttachmentNotFound) {
			t.Errorf("object %s still stored: %v", key, err)
		}
	}
	if text == "" || text == store.ErasedText {
		t.Errorf("the archived complaint's own text is gone: %q", text)
	}
	if rejected != 1 {
		t.Errorf("%d rejected inputs left, want the recent one", rejected)
	}

	tests := []struct {
		name, from string
		anonymised bool
	}{
		{"complaint archived a year ago", archivedFrom, true},
		{"a chat idle for a year", idleFrom, true},
		{"complaint still open", openFrom, false},
		{"wrote lately", recentFrom, false},
	}
	for _, tt := range tests {
		var named, linked, anonymised bool
		var key string
		if err := conn.QueryRow(ctx, `SELECT name <> '' OR profile_name <> '' OR nik_hash IS NOT NULL OR phone <> '',
			EXISTS (SELECT 1 FROM reporter_identities WHERE reporter_id = r.id), anonymised_at IS NOT NULL,
			(SELECT conversation_key FROM conversations WHERE id = $2)
			FROM reporters r WHERE id = $1`, ids[tt.from].reporter, ids[tt.from].conv).Scan(&named, &linked, &anonymised, &key); err != nil {
			t.Fatal(err)
		}
		if got := !named && !linked && anonymised && key != tt.from; got != tt.anonymised || !got && (!named || !linked || key != tt.from) {
			t.Errorf("%s: named %v, linked %v, anonymised %v, key %q; want anonymised %v",
				tt.name, named, linked, anonymised, key, tt.anonymised)
		}
	}
	trail, err := h.st.AuditTrail(ctx, "reporter", strconv.FormatInt(int64(ids[archivedFrom].reporter), 10))
	if err != nil || len(trail) != 1 || trail[0].Action != "retention.anonymised" || trail[0].Actor != "retention" {
		t.Errorf("audit of the anonymised reporter: %+v %v", trail, err)
	}

	// A second pass finds nothing more to do.
	ex, err := h.st.Expire(ctx, h.clock.Add(-365*24*time.Hour), func([]string) error { return nil })
	if err != nil || ex.Complaints+ex.Reporters+ex.Rejected+len(ex.ObjectKeys) != 0 {
		t.Errorf("second pass: %+v %v", ex, err)
	}
}
