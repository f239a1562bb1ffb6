package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/store"
)

// TestPrivacyExportEraseCLI answers a data-subject request end to end: a
// citizen reports on WhatsApp with their NIK and KTP photo, and is named
// as the person concerned in another reporter's conversation. Only an admin
// may export or erase; the export holds everything, the zip the KTP photo;
// the erasure waits for the open complaint, then removes the identity,
// the words and the files (object store included), keeps the complaint's
// record, and is audited without the NIK anywhere.
func TestPrivacyExportEraseCLI(t *testing.T) {
	_, logs := startServe(t)
	ctx := context.Background()
	const (
		nik   = "1971015708900003"
		phone = "6281234567890"
		other = "6281234500077"
	)
	addUsers(t, [2]string{"ani", "admin"}, [2]string{"vera", "verifikator"}, [2]string{"kiki", "koordinator"})
	wa := []string{"--channel", "whatsapp", "--from", phone}
	simulateJSON(t, append(wa, "--name", "Siti", "--text", "Bantuan PKH ibu saya sudah 3 bulan tidak cair")...)
	simulateJSON(t, append(wa, "--text", "Nama: Siti Aminah\nNIK: 1971 0157 0890 0003\nAlamat: Jl. Depati Amir No. 12, Pangkalpinang")...)
	png := writePNG(t)
	s := simulateJSON(t, append(wa, "--image", png)...)
	if s.Conversation.Ticket == nil {
		t.Fatalf("no ticket: %+v", s)
	}
	ticket := *s.Conversation.Ticket
	simulateJSON(t, "--channel", "whatsapp", "--from", other, "--name", "Budi",
		"--text", "Saya melapor untuk kakak saya, NIK 1971 0157 0890 0003, bantuannya terhenti")
	// The same photo sent by both: its bytes outlive the erasure of one of them.
	shared := filepath.Join(t.TempDir(), "rumah.png")
	photo, err := os.ReadFile(png)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(shared, append(photo, "rumah"...), 0o600); err != nil {
		t.Fatal(err)
	}
	simulateJSON(t, append(wa, "--image", shared, "--caption", "foto rumah kami")...)
	simulateJSON(t, "--channel", "whatsapp", "--from", other, "--image", shared, "--caption", "foto rumah kakak saya")

	conn, err := pgx.Connect(ctx, os.Getenv("ADUAN_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var otherConv store.ConversationID
	if err := conn.QueryRow(ctx, `SELECT id FROM conversations WHERE conversation_key = $1`, other).Scan(&otherConv); err != nil {
		t.Fatal(err)
	}
	_, st, err := loadStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var ownConv store.ConversationID
	if err := conn.QueryRow(ctx, `SELECT id FROM conversations WHERE conversation_key = $1`, phone).Scan(&ownConv); err != nil {
		t.Fatal(err)
	}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		// A new address of her own awaiting her YA.
		d, err := tx.DialogState(ctx, ownConv)
		if err != nil {
			return err
		}
		d.Pending = identity.Identity{Address: "Jl. Baru No. 1, Sungailiat"}
		if err := tx.SaveDialogState(ctx, ownConv, d); err != nil {
			return err
		}
		return tx.SaveDialogState(ctx, otherConv, store.DialogState{
			Concerned: identity.Person{Name: "Siti Aminah", NIK: nik, Relation: "kakak"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	var ktpKey, sharedKey string
	if err := conn.QueryRow(ctx, `SELECT a.object_key FROM attachments a JOIN messages m ON m.id = a.message_id
		JOIN conversations v ON v.id = m.conversation_id WHERE v.conversation_key = $1 AND a.is_ktp`, phone).Scan(&ktpKey); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `SELECT a.object_key FROM attachments a JOIN messages m ON m.id = a.message_id
		JOIN conversations v ON v.id = m.conversation_id WHERE v.id = $1`, otherConv).Scan(&sharedKey); err != nil {
		t.Fatal(err)
	}

	refused := func(want string, args ...string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := run(ctx, args, &out, &errOut)
		if code == 0 || !strings.Contains(errOut.String(), want) {
			t.Errorf("aduan %s: exit %d, stderr %q; want a refusal naming %q", strings.Join(args, " "), code, errOut.String(), want)
		}
		if strings.Contains(out.String()+errOut.String(), nik) {
			t.Errorf("aduan %s printed the NIK in clear", strings.Join(args, " "))
		}
	}
	refused("answered by an admin", "privacy", "export", "--nik", nik, "--as", "vera")
	refused("answered by an admin", "privacy", "erase", "--nik", nik, "--as", "vera", "--yes")
	refused("16 digits", "privacy", "export", "--nik", "1971", "--as", "ani")
	refused("--as USER are required", "privacy", "export", "--nik", nik)

	// Erasure waits while the office still owes an answer. The complaint is
	// then carried to its end, with a photo of the follow-up (as the web
	// form stores it) and an answer to the satisfaction survey.
	refused("still open", "privacy", "erase", "--nik", nik, "--as", "ani", "--yes")
	runCmd(t, "complaint", "verify", ticket, "--class", "A", "--category", "pkh", "--as", "vera")
	runCmd(t, "complaint", "assign", ticket, "--to", "kiki", "--as", "vera")
	runCmd(t, "complaint", "follow-up", ticket, "--text", "Kunjungan ke rumah Ibu Siti Aminah", "--inspection-date", "2026-11-20",
		"--place", "Jl. Depati Amir No. 12", "--officers", "Kiki", "--findings", "Rekening Ibu Siti pasif", "--as", "kiki")
	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	b, err := openClientBus(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	fuKey, fuSHA, fuSize, err := b.PutAttachment(ctx, strings.NewReader("foto rumah Ibu Siti"), "rumah.jpg", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		cs, err := tx.LockComplaint(ctx, ticket)
		if err != nil {
			return err
		}
		_, err = tx.AddFollowUp(ctx, cs.ID, store.FollowUp{At: time.Now(), Author: "kiki", Text: "Foto rumah pelapor",
			Files: []store.FollowUpFile{{MIME: "image/jpeg", Filename: "rumah.jpg", Size: fuSize, SHA256: fuSHA, ObjectKey: fuKey}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	runCmd(t, "complaint", "resolve", ticket, "--result", "Rekening Ibu Siti Aminah diaktifkan kembali", "--as", "kiki")
	if _, err := conn.Exec(ctx, `INSERT INTO satisfaction (complaint_id, conversation_id, channel, asked_at, score, comment, answered_at)
		SELECT id, conversation_id, channel, now(), 2, 'Petugasnya lambat sekali', now() FROM complaints WHERE ticket = $1
		ON CONFLICT (complaint_id) DO UPDATE SET score = 2, comment = excluded.comment, answered_at = now()`, ticket); err != nil {
		t.Fatal(err)
	}
	before := runCmd(t, "complaint", "show", "--json", ticket)

	var exp struct {
		Reporters []struct {
			ID         int64  `json:"id"`
			Name       string `json:"name"`
			NIK        string `json:"nik"`
			Address    string `json:"address"`
			Identities []struct {
				Channel  string `json:"channel"`
				SenderID string `json:"sender_id"`
			} `json:"channel_identities"`
			Conversations []struct {
				Pending  struct{ Address string } `json:"pending_identity"`
				Messages []struct {
					Text  string `json:"text"`
					Files []struct {
						KTP  bool   `json:"ktp"`
						Path string `json:"path"`
					} `json:"files"`
				} `json:"messages"`
			} `json:"conversations"`
			Complaints []struct {
				Ticket   string `json:"ticket"`
				Timeline []any  `json:"timeline"`
			} `json:"complaints"`
			Satisfaction []struct {
				Score   int    `json:"score"`
				Comment string `json:"comment"`
			} `json:"satisfaction"`
		} `json:"reporters"`
		Concerned []struct {
			ConversationID int64    `json:"conversation_id"`
			NIK            string   `json:"nik"`
			Relation       string   `json:"relation"`
			Tickets        []string `json:"tickets"`
		} `json:"concerned"`
	}
	if err := json.Unmarshal([]byte(runCmd(t, "privacy", "export", "--nik", "1971 0157 0890 0003", "--as", "ani")), &exp); err != nil {
		t.Fatal(err)
	}
	if len(exp.Reporters) != 1 || len(exp.Concerned) != 1 {
		t.Fatalf("export: %d reporters, %d concerned; want 1 and 1: %+v", len(exp.Reporters), len(exp.Concerned), exp)
	}
	r := exp.Reporters[0]
	if r.Name != "Siti Aminah" || r.NIK != nik || !strings.Contains(r.Address, "Depati Amir") ||
		len(r.Identities) != 1 || r.Identities[0].SenderID != phone ||
		len(r.Complaints) != 1 || r.Complaints[0].Ticket != ticket || len(r.Complaints[0].Timeline) == 0 ||
		len(r.Conversations) != 1 || len(r.Conversations[0].Messages) < 6 ||
		r.Conversations[0].Pending.Address != "Jl. Baru No. 1, Sungailiat" ||
		len(r.Satisfaction) != 1 || r.Satisfaction[0].Comment != "Petugasnya lambat sekali" {
		t.Errorf("exported reporter: %+v", r)
	}
	ktpFiles := 0
	for _, m := range r.Conversations[0].Messages {
		for _, f := range m.Files {
			if f.KTP {
				ktpFiles++
			}
		}
	}
	if c := exp.Concerned[0]; ktpFiles != 1 || c.NIK != nik || c.Relation != "kakak" || int64(otherConv) != c.ConversationID {
		t.Errorf("export: %d KTP files, concerned %+v", ktpFiles, c)
	}

	zipPath := filepath.Join(t.TempDir(), "data-subjek.zip")
	runCmd(t, "privacy", "export", "--nik", nik, "--out", zipPath, "--as", "ani")
	z, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string]*zip.File{}
	for _, f := range z.File {
		entries[f.Name] = f
	}
	z.Close()
	want, _ := os.ReadFile(png)
	if entries["data.json"] == nil || entries["README.txt"] == nil || entries["berkas/1-KTP-ktp.png"] == nil ||
		entries["berkas/1-KTP-ktp.png"].UncompressedSize64 != uint64(len(want)) {
		t.Errorf("zip entries: %v", entries)
	}

	out := runCmd(t, "privacy", "erase", "--nik", nik, "--as", "ani")
	if !strings.Contains(out, "Nothing erased yet") || !strings.Contains(out, ticket) {
		t.Errorf("erase without --yes printed %q", out)
	}
	if out := runCmd(t, "privacy", "erase", "--nik", nik, "--as", "ani", "--yes"); !strings.Contains(out, "erased") ||
		!strings.Contains(out, ticket) || strings.Contains(out, nik) {
		t.Errorf("erase printed %q", out)
	}

	// The identity, words and files are gone; the complaint's record stays.
	var name, nikMasked, text, status string
	var hashed, anonymised bool
	if err := conn.QueryRow(ctx, `SELECT name, nik_masked, nik_hash IS NOT NULL, anonymised_at IS NOT NULL
		FROM reporters WHERE id = $1`, r.ID).Scan(&name, &nikMasked, &hashed, &anonymised); err != nil {
		t.Fatal(err)
	}
	if name != "" || nikMasked != "" || hashed || !anonymised {
		t.Errorf("reporter after erasure: %q %q hash %v anonymised %v", name, nikMasked, hashed, anonymised)
	}
	var leftover int
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM reporter_identities WHERE reporter_id = $1)
		+ (SELECT count(*) FROM messages m JOIN conversations v ON v.id = m.conversation_id WHERE v.reporter_id = $1
			AND (m.text <> '' OR m.sender_id <> ''))
		+ (SELECT count(*) FROM attachments a JOIN messages m ON m.id = a.message_id JOIN conversations v
			ON v.id = m.conversation_id WHERE v.reporter_id = $1)
		+ (SELECT count(*) FROM conversations WHERE conversation_key = $2)`, r.ID, phone).Scan(&leftover); err != nil {
		t.Fatal(err)
	}
	if leftover != 0 {
		t.Errorf("%d identities, messages, files or phone-keyed conversations left", leftover)
	}
	if err := conn.QueryRow(ctx, `SELECT text, status FROM complaints WHERE ticket = $1`, ticket).Scan(&text, &status); err != nil {
		t.Fatal(err)
	}
	if text != store.ErasedText || status != "selesai" {
		t.Errorf("complaint after erasure: %q %s", text, status)
	}
	// The office's record stays: class, category, dates, who acted; its
	// free text is gone, the berita acara only numbered.
	var was, is struct {
		Class, Category, Status, Result string
		Timeline                        []struct{ Action, Actor, Note string }
		FollowUps                       []struct {
			Text            string
			InspectionPlace string `json:"inspection_place"`
			Files           []any
		} `json:"follow_ups"`
		BeritaAcara string `json:"berita_acara"`
	}
	if err := json.Unmarshal([]byte(before), &was); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(runCmd(t, "complaint", "show", "--json", ticket)), &is); err != nil {
		t.Fatal(err)
	}
	if is.Class != "A" || is.Category != "pkh" || is.Status != "selesai" || is.Result != store.ErasedText ||
		len(is.Timeline) != len(was.Timeline) || len(is.FollowUps) != 2 || is.FollowUps[0].Text != store.ErasedText ||
		is.FollowUps[0].InspectionPlace != "" || len(is.FollowUps[1].Files) != 0 || is.BeritaAcara == "" || is.BeritaAcara != was.BeritaAcara {
		t.Errorf("complaint after erasure:\n%+v\nbefore:\n%+v", is, was)
	}
	refused("has no berita acara", "complaint", "berita-acara", ticket, "--out", filepath.Join(t.TempDir(), "ba.pdf"))
	var score int
	var comment string
	if err := conn.QueryRow(ctx, `SELECT score, comment FROM satisfaction`).Scan(&score, &comment); err != nil ||
		score != 2 || comment != "" {
		t.Errorf("survey answer after erasure: score %d, comment %q (%v); want the score without the comment", score, comment, err)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(runCmd(t, "complaint", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c["ticket"] == ticket && (c["reporter_name"] != "(data dihapus)" || c["nik_masked"] != "") {
			t.Errorf("complaint list after erasure: %v", c)
		}
	}
	var pendingLeft bool
	if err := conn.QueryRow(ctx, `SELECT pending_identity_enc IS NOT NULL FROM conversations WHERE id = $1`, ownConv).Scan(&pendingLeft); err != nil || pendingLeft {
		t.Errorf("the pending identity outlived the erasure (%v)", err)
	}
	var concernedLeft bool
	var otherText string
	if err := conn.QueryRow(ctx, `SELECT v.concerned_nik_enc IS NOT NULL OR v.concerned_name <> '', m.text
		FROM conversations v JOIN messages m ON m.conversation_id = v.id AND m.direction = 'in'
		WHERE v.id = $1 ORDER BY m.id LIMIT 1`, otherConv).Scan(&concernedLeft, &otherText); err != nil {
		t.Fatal(err)
	}
	if concernedLeft || !strings.Contains(otherText, "(NIK dihapus)") || strings.Contains(otherText, "0157") {
		t.Errorf("the other conversation still names the person: %v %q", concernedLeft, otherText)
	}
	for _, key := range []string{ktpKey, fuKey} {
		if _, _, err := b.GetAttachment(ctx, key); !errors.Is(err, bus.ErrAttachmentNotFound) {
			t.Errorf("object %s (the KTP, a follow-up photo) is still in the object store: %v", key, err)
		}
	}
	if body, _, err := b.GetAttachment(ctx, sharedKey); err != nil {
		t.Errorf("the photo the other reporter sent too is gone: %v", err)
	} else {
		body.Close()
	}

	// Audited by reporter id, the NIK nowhere in the log.
	var actions []string
	rows, err := conn.Query(ctx, `SELECT action FROM audit_log WHERE actor = 'ani' AND object_type = 'reporter'
		AND object_id = $1 ORDER BY id`, strconv.FormatInt(r.ID, 10))
	if err != nil {
		t.Fatal(err)
	}
	if actions, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if strings.Join(actions, ",") != "privacy.exported,privacy.exported,privacy.erase_previewed,privacy.erased" {
		t.Errorf("audit of reporter %d: %v", r.ID, actions)
	}
	var clear int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE object_id LIKE '%0157089%'
		OR detail::text LIKE '%0157089%'`).Scan(&clear); err != nil || clear != 0 {
		t.Errorf("%d audit rows hold the NIK (%v)", clear, err)
	}
	if exp := runCmd(t, "privacy", "export", "--nik", nik, "--as", "ani"); !strings.Contains(exp, `"reporters": []`) {
		t.Errorf("export after erasure: %s", exp)
	}

	if strings.Contains(logs.String(), nik) {
		t.Error("the server logged the NIK in clear")
	}

	// Writing again from the same phone starts afresh.
	s = simulateJSON(t, append(wa, "--text", "Halo, saya mau bertanya")...)
	if s.Conversation.Identity.Nama != "" || s.Conversation.Identity.NIKMasked != "" || s.Conversation.Ticket != nil {
		t.Errorf("the same phone after erasure: %+v", s.Conversation)
	}
}
