package web

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// flowNow is the office's clock in the workflow tests: Wednesday 3 June
// 2026, 09:00 WIB, so deadlines fall on known dates whatever today is.
var flowNow = time.Date(2026, 6, 3, 9, 0, 0, 0, calendar.WIB)

// flowReceived is when the test complaints reached the complaint team.
var flowReceived = time.Date(2026, 6, 2, 10, 0, 0, 0, calendar.WIB)

// newFlowEnv is newEnv with the clock at flowNow.
func newFlowEnv(t *testing.T) *testEnv {
	t.Helper()
	e := newEnv(t)
	e.advance(time.Until(flowNow))
	return e
}

// fileComplaint files a complaint of the WhatsApp citizen from (who sent
// text first) as received at received, as the core does, and ties it to
// their conversation as a forwarded report is. It returns the ticket and
// the conversation.
func (e *testEnv) fileComplaint(from, text string, received time.Time) (string, store.ConversationID) {
	e.t.Helper()
	ctx := context.Background()
	conv := e.citizen(event.ChannelWhatsApp, from, text)
	d, err := e.st.ConversationByID(ctx, conv)
	if err != nil {
		e.t.Fatal(err)
	}
	var ticket string
	err = e.st.InTx(ctx, func(tx *store.Tx) error {
		t, err := e.srv.complaints.Create(ctx, tx, complaint.NewComplaint{Channel: event.ChannelWhatsApp,
			Account: d.Account, Conversation: conv, Reporter: d.ReporterID, Text: text, ReceivedAt: received,
			Actor: complaint.ActorIntake})
		if err != nil {
			return err
		}
		ticket = t.Number
		c, err := tx.LockConversation(ctx, conv)
		if err != nil {
			return err
		}
		c.Status, c.Ticket, c.Draft, c.Missing = "submitted", t.Number, "", nil
		return tx.SaveConversation(ctx, c)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return ticket, conv
}

// setState writes workflow fields straight to the store, to put a
// complaint where a test needs it.
func (e *testEnv) setState(ticket string, change func(c *store.ComplaintState)) {
	e.t.Helper()
	ctx := context.Background()
	err := e.st.InTx(ctx, func(tx *store.Tx) error {
		c, err := tx.LockComplaint(ctx, ticket)
		if err != nil {
			return err
		}
		change(c)
		return tx.SaveComplaintState(ctx, c)
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// postMultipart sends a form with files as a browser does.
func (c *client) postMultipart(path string, fields map[string]string, files map[string][]byte) *http.Response {
	c.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	w.WriteField("csrf", c.csrf)
	for name, data := range files {
		fw, _ := w.CreateFormFile("foto", name)
		fw.Write(data)
	}
	w.Close()
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// outcome is where a form sent the officer: "ok=verify", "err=no_class",
// or the status code when it was not a redirect to the complaint.
func outcome(res *http.Response, ticket string) string {
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, complaintPath(ticket, "?")) {
		return http.StatusText(res.StatusCode)
	}
	return strings.TrimPrefix(loc, complaintPath(ticket, "?"))
}

// TestComplaintForms carries one complaint through the procedure from the
// web, each form tried first by roles the workflow refuses.
func TestComplaintForms(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t)
	fake := e.channelFake(event.ChannelWhatsApp)
	ticket, _ := e.fileComplaint("6281234500101", identityText, flowReceived)
	users := map[string]*client{}
	for name, role := range map[string]Role{"vera": RoleVerifikator, "kurnia": RoleKoordinator, "kadir": RoleKoordinator,
		"ani": RoleAdmin, "pim": RolePimpinan, "odit": RoleAuditor} {
		users[name] = e.signIn(name, role)
	}
	forbidden := http.StatusText(http.StatusForbidden)
	steps := []struct {
		name, user, action string
		form               url.Values
		want               string
	}{
		{"admin may not verify", "ani", "verify", url.Values{"class": {"B"}, "category": {"pkh"}}, forbidden},
		{"koordinator may not verify", "kurnia", "verify", url.Values{"class": {"B"}, "category": {"pkh"}}, forbidden},
		{"pimpinan may not verify", "pim", "verify", url.Values{"class": {"B"}, "category": {"pkh"}}, forbidden},
		{"auditor may not verify", "odit", "verify", url.Values{"class": {"B"}, "category": {"pkh"}}, forbidden},
		{"verify needs a class", "vera", "verify", url.Values{"class": {"D"}, "category": {"pkh"}}, "err=no_class"},
		{"verify needs a known category", "vera", "verify", url.Values{"class": {"B"}, "category": {"kosong"}}, "err=no_category"},
		{"koordinator may not resolve before", "kurnia", "archive", nil, "err=not_now"},
		{"verify", "vera", "verify", url.Values{"class": {"B"}, "category": {"pkh"}, "note": {"identitas lengkap"}}, "ok=verify"},
		{"verify twice", "vera", "verify", url.Values{"class": {"A"}, "category": {"pkh"}}, "err=not_now"},
		{"assign to an admin refused", "vera", "assign", url.Values{"to": {"ani"}}, "err=not_koordinator"},
		{"assign", "vera", "assign", url.Values{"to": {"kurnia"}}, "ok=assign"},
		{"postpone needs a reason", "kurnia", "postpone", url.Values{"reason": {""}}, "err=no_reason"},
		{"postpone", "kurnia", "postpone", url.Values{"reason": {"Menunggu data dari Kemensos."}}, "ok=postpone"},
		{"admin may not resume", "ani", "resume", nil, forbidden},
		{"resume", "vera", "resume", nil, "ok=resume"},
		{"no result before a follow-up", "kurnia", "resolve", url.Values{"result": {"x"}}, "err=not_now"},
		{"another koordinator may not follow up", "kadir", "follow-up", url.Values{"text": {"saya cek"}}, "err=not_assignee"},
		{"follow-up needs a text", "kurnia", "follow-up", url.Values{"text": {" "}}, "err=no_text"},
		{"inspection needs its date", "kurnia", "follow-up", url.Values{"text": {"cek"}, "inspection_place": {"Desa Air Itam"}}, "err=no_inspection_date"},
		{"follow-up", "kurnia", "follow-up", url.Values{"text": {"Telaah: data penerima PKH dicocokkan dengan DTKS."}}, "ok=follow_up"},
		{"resolve needs the result", "kurnia", "resolve", url.Values{"result": {""}}, "err=no_result"},
		{"admin may not resolve", "ani", "resolve", url.Values{"result": {"x"}}, forbidden},
		{"resolve", "kurnia", "resolve", url.Values{"result": {"Bantuan PKH bulan Juni sudah cair ke rekening KKS."}}, "ok=resolve"},
		{"koordinator may not archive", "kurnia", "archive", nil, forbidden},
		{"archive", "ani", "archive", nil, "ok=archive"},
	}
	for _, st := range steps {
		if !t.Run(st.name, func(t *testing.T) {
			res := users[st.user].postForm(complaintPath(ticket, "/"+st.action), st.form)
			if got := outcome(res, ticket); got != st.want {
				t.Fatalf("%s %s: %s, want %s", st.user, st.action, got, st.want)
			}
		}) {
			break
		}
		switch st.name {
		case "verify":
			c, err := e.st.ComplaintState(context.Background(), ticket)
			if err != nil {
				t.Fatal(err)
			}
			// 14 working days after Tuesday 2 June 2026, 16 June a holiday.
			if c.Status != workflow.Verified || c.Class != workflow.ClassB || c.Category != "pkh" || c.DueDate != "2026-06-23" {
				t.Fatalf("after verify: %+v", c)
			}
			fake.waitFor(t, "23 Juni 2026")
			_, body := users["vera"].get(complaintPath(ticket, ""))
			for _, want := range []string{"23 Juni 2026", "sisa 13 hari kerja", "identitas lengkap"} {
				if !strings.Contains(body, want) {
					t.Errorf("complaint page after verify lacks %q", want)
				}
			}
			if res, _ := users["pim"].get(complaintPath(ticket, "/berita-acara.pdf")); res.StatusCode != http.StatusNotFound {
				t.Errorf("berita acara before resolution: %d, want 404", res.StatusCode)
			}
		case "assign":
			formsShown(t, users, ticket, map[string][]string{
				"kurnia": {"form-postpone", "form-assign", "form-follow-up", "form-message"},
				"kadir":  {"form-assign"},
				"vera":   {"form-redirect", "form-assign"},
				"ani":    nil, "pim": nil, "odit": nil,
			})
		case "resolve":
			fake.waitFor(t, "sudah cair ke rekening KKS")
			res, body := users["pim"].get(complaintPath(ticket, "/berita-acara.pdf"))
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
				t.Fatalf("berita acara: %d %s %.8q", res.StatusCode, res.Header.Get("Content-Type"), body)
			}
			formsShown(t, users, ticket, map[string][]string{"ani": {"form-archive"}, "kurnia": {"form-message"}, "vera": nil})
		}
	}
	audit(t, e, "complaint", ticket, "vera", "complaint.verify", "complaint.assign", "complaint.resume")
	audit(t, e, "complaint", ticket, "kurnia", "complaint.postpone", "complaint.follow_up", "complaint.resolve")
	audit(t, e, "complaint", ticket, "ani", "complaint.archive")
	_, body := users["odit"].get(complaintPath(ticket, ""))
	for _, want := range []string{"Diarsipkan", "Menunggu data dari Kemensos", "Telaah: data penerima PKH", "Unduh berita acara"} {
		if !strings.Contains(strings.ToLower(body), strings.ToLower(want)) {
			t.Errorf("archived complaint page lacks %q", want)
		}
	}
}

var formID = regexp.MustCompile(`<form [^>]*id="(form-[a-z-]+)"`)

// formsShown checks that each user's page of ticket offers exactly the forms listed.
func formsShown(t *testing.T, users map[string]*client, ticket string, want map[string][]string) {
	t.Helper()
	for name, forms := range want {
		_, body := users[name].get(complaintPath(ticket, ""))
		var got []string
		for _, m := range formID.FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, ",") != strings.Join(forms, ",") {
			t.Errorf("%s sees forms %v, want %v", name, got, forms)
		}
	}
}

// TestFollowUpPhotosAndMessage: a field inspection with its photo, files
// that are refused, and the koordinator's message to the reporter.
func TestFollowUpPhotosAndMessage(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t)
	fake := e.channelFake(event.ChannelWhatsApp)
	ticket, _ := e.fileComplaint("6281234500102", "Bantuan sembako tidak sampai ke desa kami", flowReceived)
	kurnia := e.signIn("kurnia", RoleKoordinator)
	e.setState(ticket, func(c *store.ComplaintState) {
		c.Status, c.Class, c.Category, c.DueDate, c.Assignee = workflow.Verified, workflow.ClassC, "bpnt", "2026-08-31", "kurnia"
	})
	kadir := e.signIn("kadir", RoleKoordinator)
	pim := e.signIn("pim", RolePimpinan)
	vera := e.signIn("vera", RoleVerifikator)
	path := complaintPath(ticket, "/follow-up")
	fields := map[string]string{"text": "Pemeriksaan ke lokasi penyaluran.", "inspection_date": "2026-06-03",
		"inspection_place": "Balai Desa Kace", "inspection_officers": "Kurnia, Rudi", "inspection_findings": "Beras belum dibagikan."}

	for _, tc := range []struct {
		name  string
		files map[string][]byte
	}{
		{"a text file", map[string][]byte{"catatan.txt": []byte("bukan foto")}},
		{"too many files", map[string][]byte{"1.png": pngBytes, "2.png": pngBytes, "3.png": pngBytes, "4.png": pngBytes, "5.png": pngBytes, "6.png": pngBytes}},
		{"too large", map[string][]byte{"besar.png": append(append([]byte{}, pngBytes...), make([]byte, followUpMaxFile)...)}},
	} {
		if got := outcome(kurnia.postMultipart(path, fields, tc.files), ticket); got != "err=files" {
			t.Errorf("%s: %s, want err=files", tc.name, got)
		}
	}
	// Another koordinator's photo is refused before it reaches the object store.
	other := append(append([]byte{}, pngBytes...), "kadir"...)
	if got := outcome(kadir.postMultipart(path, fields, map[string][]byte{"lain.png": other}), ticket); got != "err=not_assignee" {
		t.Errorf("follow-up by another koordinator: %s", got)
	}
	sum := sha256.Sum256(other)
	if body, _, err := e.bus.GetAttachment(context.Background(), "sha256/"+hex.EncodeToString(sum[:])); err == nil {
		body.Close()
		t.Error("a refused follow-up's photo was stored")
	}
	if got := outcome(kurnia.postMultipart(path, fields, map[string][]byte{"lokasi.png": pngBytes}), ticket); got != "ok=follow_up" {
		t.Fatalf("follow-up with a photo: %s", got)
	}
	f, err := e.st.ComplaintFile(context.Background(), ticket)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.FollowUps) != 1 || len(f.FollowUps[0].Files) != 1 || f.FollowUps[0].InspectionPlace != "Balai Desa Kace" ||
		f.Assignee != "kurnia" || f.Status != workflow.FollowingUp {
		t.Fatalf("stored: %+v", f)
	}
	photo := complaintPath(ticket, "/files/"+f.FollowUps[0].Files[0].SHA256)
	_, body := kurnia.get(complaintPath(ticket, ""))
	for _, want := range []string{`<img src="` + photo, "Balai Desa Kace", "Beras belum dibagikan.", "Kurnia, Rudi"} {
		if !strings.Contains(body, want) {
			t.Errorf("complaint page lacks %q", want)
		}
	}
	if res, got := kurnia.get(photo); res.StatusCode != http.StatusOK || got != string(pngBytes) || res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("photo for koordinator: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, _ := pim.get(photo); res.StatusCode != http.StatusForbidden {
		t.Errorf("photo for pimpinan: %d, want 403", res.StatusCode)
	}

	msg := url.Values{"text": {"Selamat siang, petugas kami sudah ke lokasi dan sedang menindaklanjuti."}}
	if got := outcome(kadir.postForm(complaintPath(ticket, "/message"), msg), ticket); got != "err=not_assignee" {
		t.Errorf("message by another koordinator: %s", got)
	}
	if got := outcome(vera.postForm(complaintPath(ticket, "/message"), msg), ticket); got != "Forbidden" {
		t.Errorf("message by verifikator: %s", got)
	}
	if got := outcome(kurnia.postForm(complaintPath(ticket, "/message"), url.Values{"text": {""}}), ticket); got != "err=empty" {
		t.Errorf("empty message: %s", got)
	}
	if got := outcome(kurnia.postForm(complaintPath(ticket, "/message"), msg), ticket); got != "ok=message" {
		t.Fatalf("message: %s", got)
	}
	if ob := fake.waitFor(t, "petugas kami sudah ke lokasi"); ob.Author != "kurnia" || ob.Recipient != "6281234500102" {
		t.Errorf("message sent as %+v", ob)
	}
	audit(t, e, "complaint", ticket, "kurnia", "complaint.follow_up", "complaint.message")
}

// row is the list's row of ticket.
func row(t *testing.T, body, ticket string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr data-ticket="` + regexp.QuoteMeta(ticket) + `".*?</tr>`).FindString(body)
	if m == "" {
		t.Fatalf("no row of %s", ticket)
	}
	return m
}

var listTickets = regexp.MustCompile(`<tr data-ticket="([^"]+)"`)

func TestComplaintsList(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t)
	kurnia := e.signIn("kurnia", RoleKoordinator)
	vera := e.signIn("vera", RoleVerifikator)
	overdue, overdueConv := e.fileComplaint("6281234500201", "Bantuan PKH terlambat dua bulan", flowReceived.AddDate(0, 0, -30))
	near, _ := e.fileComplaint("6281234500202", "Petugas kelurahan kasar saat pelayanan", flowReceived)
	onTrack, _ := e.fileComplaint("6281234500203", "Lansia terlantar di Sungailiat", flowReceived)
	waiting, _ := e.fileComplaint("6281234500204", "Anak putus sekolah belum dapat bantuan", flowReceived)
	set := func(ticket string, class workflow.Class, cat, due, assignee string) {
		e.setState(ticket, func(c *store.ComplaintState) {
			c.Status, c.Class, c.Category, c.DueDate, c.Assignee = workflow.Verified, class, cat, due, assignee
		})
	}
	set(overdue, workflow.ClassA, "pkh", "2026-05-29", "kurnia")
	set(near, workflow.ClassA, "layanan_petugas", "2026-06-04", "kurnia")
	set(onTrack, workflow.ClassC, "lansia", "2026-06-23", "")

	_, body := vera.get(Prefix + "/complaints")
	for _, tc := range []struct{ ticket, has, hasNot string }{
		{overdue, "lewat 2 hari kerja", "Mendekati batas"},
		{overdue, "Lewat batas", ""},
		{near, "sisa 1 hari kerja", "Lewat batas"},
		{near, "Mendekati batas", ""},
		{onTrack, "sisa 13 hari kerja", "batas</span>"},
		{onTrack, "23 Juni 2026", ""},
		{waiting, "belum ditetapkan", "hari kerja"},
	} {
		r := row(t, body, tc.ticket)
		if !strings.Contains(r, tc.has) || (tc.hasNot != "" && strings.Contains(r, tc.hasNot)) {
			t.Errorf("row of %s: want %q and not %q in\n%s", tc.ticket, tc.has, tc.hasNot, r)
		}
	}
	if !strings.Contains(body, `href="/admin/complaints"`) {
		t.Error("no link to the complaints page in the navigation")
	}

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"due=overdue", []string{overdue}},
		{"due=near", []string{near}},
		{"due=on_track", []string{onTrack}},
		{"due=near&status=terverifikasi", []string{near}},
		{"due=near&status=selesai", nil},
		{"status=menunggu_verifikasi", []string{waiting}},
		{"class=C", []string{onTrack}},
		{"class=c", []string{onTrack}},
		{"category=layanan_petugas", []string{near}},
		{"channel=whatsapp&class=A", []string{near, overdue}},
		{"channel=messenger", nil},
		{"q=sungailiat", []string{onTrack}},
		{"q=" + url.QueryEscape(waiting), []string{waiting}},
		{"status=bogus&class=Z&due=later", []string{waiting, onTrack, near, overdue}},
	} {
		_, body := vera.get(Prefix + "/complaints?" + tc.query)
		var got []string
		for _, m := range listTickets.FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("?%s: %v, want %v", tc.query, got, tc.want)
		}
	}
	_, mine := kurnia.get(Prefix + "/complaints?mine=1")
	if got := listTickets.FindAllStringSubmatch(mine, -1); len(got) != 2 {
		t.Errorf("mine: %d rows, want 2", len(got))
	}

	t.Run("digest", func(t *testing.T) {
		_, body := kurnia.get(Prefix + "/complaints")
		d := regexp.MustCompile(`(?s)<section class="card digest".*?</section>`).FindString(body)
		if !strings.Contains(d, "Tugas hari ini") || !strings.Contains(d, "Lewat batas waktu</span> 1 pengaduan") ||
			!strings.Contains(d, overdue) || !strings.Contains(d, near) || strings.Contains(d, onTrack) {
			t.Errorf("koordinator's digest:\n%s", d)
		}
		_, body = vera.get(Prefix + "/complaints")
		d = regexp.MustCompile(`(?s)<section class="card digest".*?</section>`).FindString(body)
		if !strings.Contains(d, "<strong>1</strong> pengaduan menunggu verifikasi") || !strings.Contains(d, "02-06-2026 10:00 WIB") {
			t.Errorf("verifikator's digest:\n%s", d)
		}
	})
	t.Run("inbox rows show the deadline", func(t *testing.T) {
		_, body := vera.get(Prefix + "/")
		li := regexp.MustCompile(`(?s)<li class="conv[^"]*" data-id="` + idString(overdueConv) + `">.*?</li>`).FindString(body)
		if !strings.Contains(li, "Lewat batas: lewat 2 hari kerja") {
			t.Errorf("inbox row of the overdue complaint:\n%s", li)
		}
	})
	t.Run("paging", func(t *testing.T) {
		ctx := context.Background()
		d, err := e.st.ConversationByID(ctx, overdueConv)
		if err != nil {
			t.Fatal(err)
		}
		err = e.st.InTx(ctx, func(tx *store.Tx) error {
			for range complaintPageSize + 1 {
				if _, err := e.srv.complaints.Create(ctx, tx, complaint.NewComplaint{Channel: event.ChannelWhatsApp,
					Account: d.Account, Reporter: d.ReporterID, Text: "aduan massal", ReceivedAt: flowNow,
					Actor: complaint.ActorIntake}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		_, first := vera.get(Prefix + "/complaints?q=aduan")
		_, second := vera.get(Prefix + "/complaints?page=2&q=aduan")
		n1, n2 := len(listTickets.FindAllString(first, -1)), len(listTickets.FindAllString(second, -1))
		if n1 != complaintPageSize || n2 != 1 || !strings.Contains(first, `href="/admin/complaints?page=2&amp;q=aduan"`) ||
			!strings.Contains(second, `rel="prev"`) || strings.Contains(second, `rel="next"`) {
			t.Errorf("pages of %d and %d rows", n1, n2)
		}
	})
}

// TestDossier: the zip holds the whole file, with KTP images only for a
// role that may open them; each download is audited.
func TestDossier(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	conv := e.citizen(event.ChannelWhatsApp, "6281234500301", identityText, e.image("ktp"))
	e.citizen(event.ChannelWhatsApp, "6281234500301", "ini foto rumah ibu saya", e.image("rumah"))
	var ticket string
	bustest.Eventually(t, 10*time.Second, func() bool {
		d, err := e.st.ConversationByID(ctx, conv)
		ticket = d.Ticket
		return err == nil && ticket != ""
	})
	vera := e.signIn("vera", RoleVerifikator)
	kurnia := e.signIn("kurnia", RoleKoordinator)
	pim := e.signIn("pim", RolePimpinan)

	entries := func(t *testing.T, c *client) map[string]string {
		t.Helper()
		res, body := c.get(complaintPath(ticket, "/berkas.zip"))
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("dossier: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		z, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, f := range z.File {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r)
			r.Close()
			out[f.Name] = string(b)
		}
		return out
	}
	names := func(m map[string]string) (ktp, other int) {
		for n := range m {
			switch {
			case strings.HasPrefix(n, "lampiran/") && strings.Contains(n, "KTP-"):
				ktp++
			case strings.HasPrefix(n, "lampiran/"):
				other++
			}
		}
		return
	}
	t.Run("verifikator: everything, NIK whole", func(t *testing.T) {
		got := entries(t, vera)
		for _, n := range []string{"README.txt", "complaint.json", "timeline.csv", "thread.txt"} {
			if _, ok := got[n]; !ok {
				t.Errorf("no %s in %v", n, got)
			}
		}
		if ktp, other := names(got); ktp != 1 || other != 1 {
			t.Errorf("attachments: %d KTP, %d other; want 1 and 1", ktp, other)
		}
		if !strings.Contains(got["thread.txt"], "1971015708900003") || !strings.Contains(got["complaint.json"], ticket) ||
			!strings.Contains(got["timeline.csv"], "submit") {
			t.Errorf("thread, summary or timeline wrong:\n%s\n%s", got["thread.txt"], got["timeline.csv"])
		}
	})
	t.Run("koordinator: no KTP, NIK masked", func(t *testing.T) {
		got := entries(t, kurnia)
		if ktp, other := names(got); ktp != 0 || other != 1 {
			t.Errorf("attachments: %d KTP, %d other; want 0 and 1", ktp, other)
		}
		if strings.Contains(got["thread.txt"], "1971015708900003") || !strings.Contains(got["thread.txt"], "1971xxxxxxxx0003") {
			t.Errorf("thread.txt shows the NIK whole to a koordinator:\n%s", got["thread.txt"])
		}
	})
	if res, _ := pim.get(complaintPath(ticket, "/berkas.zip")); res.StatusCode != http.StatusForbidden {
		t.Errorf("pimpinan: %d, want 403", res.StatusCode)
	}
	audit(t, e, "complaint", ticket, "vera", "complaint.dossier")
	audit(t, e, "complaint", ticket, "kurnia", "complaint.dossier")

	t.Run("page: identity per role", func(t *testing.T) {
		_, body := kurnia.get(complaintPath(ticket, ""))
		if strings.Contains(body, "1971015708900003") || !strings.Contains(body, "1971xxxxxxxx0003") || strings.Contains(body, "Lihat foto KTP") {
			t.Error("koordinator's page shows the NIK whole or links the KTP")
		}
		_, body = vera.get(complaintPath(ticket, ""))
		if !strings.Contains(body, "1971015708900003") || !strings.Contains(body, "Lihat foto KTP") ||
			!strings.Contains(body, `href="/admin/conversations/`+idString(conv)+`"`) {
			t.Error("verifikator's page lacks the NIK, the KTP link or the conversation link")
		}
	})
	// The rule of single KTP views (issue 11 item 4) holds for the zip too:
	// the dossier once gave a verifikator every KTP of every complaint.
	t.Run("verifikator: KTP only while awaiting verification", func(t *testing.T) {
		form := url.Values{"class": {"B"}, "category": {"pkh"}}
		if got := outcome(vera.postForm(complaintPath(ticket, "/verify"), form), ticket); got != "ok=verify" {
			t.Fatalf("verify: %s", got)
		}
		if ktp, other := names(entries(t, vera)); ktp != 0 || other != 1 {
			t.Errorf("verified complaint, verifikator: %d KTP, %d other; want 0 and 1", ktp, other)
		}
		siti := e.signIn("siti", RoleAdmin)
		if ktp, _ := names(entries(t, siti)); ktp != 1 {
			t.Errorf("verified complaint, admin: %d KTP, want 1", ktp)
		}
		// Nor do the complaint's page and the thread link what would be refused.
		for _, path := range []string{complaintPath(ticket, ""), convPath(conv, ""), convPath(conv, "/thread")} {
			if _, body := vera.get(path); strings.Contains(body, "Lihat foto KTP") {
				t.Errorf("%s links the KTP for the verifikator of a verified complaint", path)
			}
			if _, body := siti.get(path); !strings.Contains(body, "Lihat foto KTP") {
				t.Errorf("%s lacks the KTP link for the admin", path)
			}
		}
	})

	t.Run("confidential reporter never shown", func(t *testing.T) {
		d, err := e.st.ConversationByID(ctx, conv)
		if err != nil {
			t.Fatal(err)
		}
		var secret string
		err = e.st.InTx(ctx, func(tx *store.Tx) error {
			tk, err := e.srv.complaints.Create(ctx, tx, complaint.NewComplaint{Channel: event.ChannelWhatsApp,
				Account: d.Account, Conversation: conv, Reporter: d.ReporterID, Text: "Laporan rahasia tentang pungutan",
				ReceivedAt: time.Now(), Confidential: true, Actor: complaint.ActorIntake})
			secret = tk.Number
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []*client{vera, kurnia} {
			_, body := c.get(complaintPath(secret, ""))
			if strings.Contains(body, "Siti Aminah") || strings.Contains(body, "0003") || !strings.Contains(body, "Identitas pelapor dirahasiakan") {
				t.Error("a confidential reporter is shown on the complaint page")
			}
			_, list := c.get(Prefix + "/complaints?q=" + secret)
			if strings.Contains(row(t, list, secret), "Siti Aminah") {
				t.Error("a confidential reporter is named in the list")
			}
		}
	})
}

// TestWorkflowActionsDocumented keeps docs/roles.md's table of complaint
// actions equal to what core/workflow allows each role from some status.
func TestWorkflowActionsDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/roles.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|(.*)\\|\\s*$")
	seen := map[workflow.Action]bool{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		a, ok := workflow.ParseAction(m[1])
		if !ok {
			continue
		}
		seen[a] = true
		cells := strings.Split(m[2], "|")
		cells = cells[len(cells)-len(Roles):]
		for i, r := range Roles {
			may := false
			for _, st := range workflow.Statuses() {
				if _, err := workflow.Check(workflow.Case{Status: st}, a, workflow.Actor{Name: "x", Role: workflow.Role(r)}); err == nil {
					may = true
				}
			}
			if documented := strings.TrimSpace(cells[i]) == "✓"; documented != may {
				t.Errorf("docs/roles.md says %s may %s: %v; core/workflow says %v", r, a, documented, may)
			}
		}
	}
	for _, a := range workflow.Actions() {
		if a != workflow.Reopen && !seen[a] {
			t.Errorf("action %s missing from docs/roles.md", a)
		}
	}
}

// TestReceiptDeadlines: the walk-in receipt gives each class's due date,
// counted from the day the desk received the report.
func TestReceiptDeadlines(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.signIn("siti", RoleAdmin)
	res := walkinPost(t, c, map[string]string{"nama": "Ahmad Fauzi", "nik": "1971015708900003",
		"alamat": "Jl. Jenderal Sudirman No. 5, Pangkalpinang", "telepon": "081377001122",
		"isi": "Ayah saya lansia terlantar, belum pernah menerima bantuan sosial."}, pngBytes)
	_, body := c.get(res.Header.Get("Location"))
	ticket := regexp.MustCompile(`class="ticket-id">([^<]+)<`).FindStringSubmatch(body)
	if ticket == nil {
		t.Fatal("no ticket on the receipt")
	}
	cp, err := e.st.ComplaintByTicket(context.Background(), ticket[1])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "sejak laporan diterima tim pengaduan") {
		t.Error("the receipt does not say the deadline counts from receipt")
	}
	for _, cl := range workflow.Classes() {
		due, err := calendar.Embedded().Due(cp.ReceivedAt, cl.WorkingDays())
		if err != nil {
			continue // a year without holiday data: no date promised
		}
		want := strconv.Itoa(cl.WorkingDays()) + " hari kerja</strong>, paling lambat " + due.Long()
		if !strings.Contains(body, want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
}

// TestReturnAndRedirect: the verifikator's other answers, each told to the
// reporter with its reason; a koordinator may not give them.
func TestReturnAndRedirect(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t)
	fake := e.channelFake(event.ChannelWhatsApp)
	vera := e.signIn("vera", RoleVerifikator)
	kurnia := e.signIn("kurnia", RoleKoordinator)
	ani := e.signIn("ani", RoleAdmin)
	for _, tc := range []struct {
		action, reason, told string
		status               workflow.Status
	}{
		{"return", "Mohon sebutkan nama desa tempat bantuan tidak diterima.", "memerlukan keterangan tambahan", workflow.Returned},
		{"redirect", "Jalan desa rusak adalah wewenang Dinas PUPR.", "bukan wewenang kantor kami", workflow.NotOurMatter},
	} {
		t.Run(tc.action, func(t *testing.T) {
			ticket, _ := e.fileComplaint("62812345006"+strconv.Itoa(len(tc.action)), "Laporan untuk "+tc.action, flowReceived)
			form := url.Values{"reason": {tc.reason}}
			if got := outcome(kurnia.postForm(complaintPath(ticket, "/"+tc.action), form), ticket); got != "Forbidden" {
				t.Errorf("koordinator: %s, want Forbidden", got)
			}
			if got := outcome(vera.postForm(complaintPath(ticket, "/"+tc.action), url.Values{}), ticket); got != "err=no_reason" {
				t.Errorf("without a reason: %s", got)
			}
			if got := outcome(vera.postForm(complaintPath(ticket, "/"+tc.action), form), ticket); got != "ok="+tc.action {
				t.Fatalf("verifikator: %s", got)
			}
			if ob := fake.waitFor(t, tc.reason); !strings.Contains(ob.Text, tc.told) {
				t.Errorf("reporter told %q", ob.Text)
			}
			c, err := e.st.ComplaintState(context.Background(), ticket)
			if err != nil || c.Status != tc.status || c.Reason != tc.reason {
				t.Fatalf("after %s: %+v %v", tc.action, c, err)
			}
			_, body := ani.get(complaintPath(ticket, ""))
			if strings.Contains(body, `id="form-archive"`) != (tc.status == workflow.NotOurMatter) {
				t.Errorf("archive form offered to the admin: %v", !strings.Contains(body, `id="form-archive"`))
			}
		})
	}
}
