package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"

	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

func TestKTPImage(t *testing.T) {
	e := newEnv(t)
	conv := e.citizen(event.ChannelWhatsApp, "6281234500010", identityText, e.image("ktp"))
	other := e.citizen(event.ChannelWhatsApp, "6281234500010", "foto rumah kami", e.image("rumah"))
	if other != conv {
		t.Fatal("second message in another conversation")
	}
	thread, err := e.st.Thread(context.Background(), conv, 20)
	if err != nil {
		t.Fatal(err)
	}
	var ktp, photo *store.AttachmentRef
	for _, m := range thread {
		for i, a := range m.Attachments {
			if a.IsKTP {
				ktp = &m.Attachments[i]
			} else {
				photo = &m.Attachments[i]
			}
		}
	}
	if ktp == nil || photo == nil {
		t.Fatalf("want one KTP image and one other image in %+v", thread)
	}
	ktpPath := Prefix + "/attachments/" + strconv.FormatInt(ktp.ID, 10)
	photoPath := Prefix + "/attachments/" + strconv.FormatInt(photo.ID, 10)

	anon := e.client()
	if res, body := anon.get(ktpPath); res.StatusCode != http.StatusSeeOther || bytes.Contains([]byte(body), pngBytes[:8]) {
		t.Fatalf("KTP without sign-in: %d, want a redirect to sign in and no image", res.StatusCode)
	}
	tests := []struct {
		role Role
		path string
		want int
	}{
		{RoleKoordinator, ktpPath, http.StatusForbidden},
		{RolePimpinan, ktpPath, http.StatusForbidden},
		{RoleAuditor, ktpPath, http.StatusForbidden},
		{RolePimpinan, photoPath, http.StatusForbidden},
		{RoleKoordinator, photoPath, http.StatusOK},
		{RoleVerifikator, ktpPath, http.StatusOK},
	}
	for i, tt := range tests {
		c := e.signIn("u-"+string(tt.role)+strconv.Itoa(i), tt.role)
		res, body := c.get(tt.path)
		if res.StatusCode != tt.want {
			t.Errorf("%s GET %s: %d, want %d", tt.role, tt.path, res.StatusCode, tt.want)
			continue
		}
		if tt.want == http.StatusOK && (body != string(pngBytes) || res.Header.Get("Content-Type") != "image/png" ||
			res.Header.Get("Cache-Control") != "private, no-store") {
			t.Errorf("%s got %d bytes of %s, cache %q", tt.role, len(body), res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
		}
	}
	trail, err := e.st.AuditTrail(context.Background(), "conversation", idString(conv))
	if err != nil {
		t.Fatal(err)
	}
	var views []string
	for _, a := range trail {
		if a.Action == "ktp.viewed" {
			views = append(views, a.Actor)
		}
	}
	if len(views) != 1 || !strings.HasPrefix(views[0], "u-verifikator") {
		t.Fatalf("KTP views in the audit log: %v, want exactly the verifikator's", views)
	}
	// The page offers the KTP only as a link, so every view is a deliberate one.
	c := e.signIn("siti", RoleAdmin)
	_, body := c.get(convPath(conv, ""))
	if strings.Contains(body, `<img src="`+ktpPath) || !strings.Contains(body, `href="`+ktpPath) {
		t.Error("the KTP is embedded in the page instead of linked")
	}
}

// walkinPost submits the walk-in form as a browser does (multipart).
func walkinPost(t *testing.T, c *client, fields map[string]string, ktp []byte) *http.Response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	w.WriteField("csrf", c.csrf)
	if ktp != nil {
		fw, _ := w.CreateFormFile("ktp", "scan-ktp.png")
		fw.Write(ktp)
	}
	fw, _ := w.CreateFormFile("dokumen", "surat-rt.pdf")
	fw.Write([]byte("%PDF-1.4\n% surat keterangan RT\n"))
	w.Close()
	req, _ := http.NewRequest("POST", c.e.ts.URL+Prefix+"/walkin", &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func TestWalkin(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("siti", RoleAdmin)
	full := map[string]string{
		"nama": "Siti Aminah", "nik": "1971015708900003", "alamat": "Jl. Depati Amir No. 12, Pangkalpinang",
		"telepon": "081234567890", "isi": "Bantuan PKH ibu saya sudah tiga bulan tidak cair padahal terdaftar",
	}
	t.Run("complete: receipt with ticket", func(t *testing.T) {
		res := walkinPost(t, c, full, pngBytes)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, Prefix+"/walkin/walkin-") {
			t.Fatalf("walk-in: %d %s", res.StatusCode, loc)
		}
		_, body := c.get(loc)
		ticket := "ADU-" + time.Now().In(wib).Format("2006") + "-000001"
		for _, want := range []string{"Tanda Terima Pengaduan", ticket, "Siti Aminah", "1971xxxxxxxx0003", "5 hari kerja", "14 hari kerja", "60 hari kerja", "tiga bulan", "sejak laporan diterima tim pengaduan"} {
			if !strings.Contains(body, want) {
				t.Errorf("receipt lacks %q", want)
			}
		}
		if strings.Contains(body, "1971015708900003") {
			t.Error("receipt prints the whole NIK")
		}
		cp, err := e.st.ComplaintByTicket(context.Background(), ticket)
		if err != nil || cp.Channel != "walkin" {
			t.Fatalf("complaint %s: %+v %v", ticket, cp, err)
		}
		v, err := e.st.FindConversation(context.Background(), store.ConversationKey{Channel: "walkin", Account: walkinAccount, Key: strings.TrimPrefix(loc, Prefix+"/walkin/")})
		if err != nil {
			t.Fatal(err)
		}
		thread, _ := e.st.Thread(context.Background(), v.ID, 10)
		var kinds []string
		for _, a := range thread[0].Attachments {
			kinds = append(kinds, string(a.Kind)+":"+a.MIME+":"+strconv.FormatBool(a.IsKTP))
		}
		if strings.Join(kinds, ",") != "image:image/png:true,document:application/pdf:false" {
			t.Errorf("attachments stored as %v", kinds)
		}
		// The bot's answer is read at the desk: the walk-in channel reports it sent.
		bustest.Eventually(t, 10*time.Second, func() bool {
			thread, _ := e.st.Thread(context.Background(), v.ID, 10)
			return len(thread) == 2 && thread[1].Direction == "out" && thread[1].Delivery == "sent"
		})
	})
	t.Run("no KTP: what is missing", func(t *testing.T) {
		res := walkinPost(t, c, full, nil)
		_, body := c.get(res.Header.Get("Location"))
		if !strings.Contains(body, "Data belum lengkap") || !strings.Contains(body, "foto KTP") || strings.Contains(body, "Tanda Terima") {
			t.Fatal("incomplete walk-in does not show what is missing")
		}
	})
	t.Run("bad input kept in the form", func(t *testing.T) {
		bad := map[string]string{"nama": "Budi", "nik": "12345", "isi": "Jalan desa rusak parah", "telepon": "12"}
		res := walkinPost(t, c, bad, nil)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", res.StatusCode)
		}
	})
	t.Run("KTP that is not an image refused", func(t *testing.T) {
		res := walkinPost(t, c, full, []byte("%PDF-1.4 not an image"))
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", res.StatusCode)
		}
	})
}

func TestChannelsPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.citizen(event.ChannelWhatsApp, "6281234500020", "Halo, saya mau bertanya soal bantuan")
	healths := []event.Health{
		{Channel: event.ChannelWhatsApp, Account: "6281100000000", State: event.HealthNeedsPairing,
			Detail: "Keluar dari WhatsApp", Extra: map[string]string{"qr": pairingCode, "pair_code": "ABCD-EFGH"}},
		{Channel: event.ChannelMessenger, Account: "1001", State: event.HealthNeedsAttention,
			Detail: "token kedaluwarsa", LastInboundAt: time.Now().Add(-time.Hour)},
		{Channel: event.ChannelLapor, Account: "dinsos-babel", State: event.HealthOK,
			LastError: "timeout", Extra: map[string]string{"cursor": "2026-11-27T08:00:00Z", "last_sync_at": "2026-11-27T09:00:00Z", "custom_fact": "7"}},
	}
	for _, h := range healths {
		if err := e.bus.SetHealth(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	c := e.signIn("kepala", RolePimpinan)
	_, body := c.get(Prefix + "/channels")
	for _, want := range []string{"Perlu ditautkan", "<svg", "ABCD-EFGH", "token kedaluwarsa", "Perlu perhatian",
		"Posisi sinkron (kursor)", "27-11-2026 15:00 WIB", "Sinkron terakhir", "27-11-2026 16:00 WIB", "custom fact",
		"timeout", "JetStream menjawab", "skema versi", "<td>1</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("channels page lacks %q", want)
		}
	}
	if strings.Contains(body, pairingCode) {
		t.Error("the pairing code is printed as text besides the QR")
	}
	_, panel := c.get(Prefix + "/channels/panel")
	if !strings.Contains(panel, "<svg") || strings.Contains(panel, "<html") {
		t.Error("panel fragment wrong")
	}
}

// TestLiveEvents: a citizen's message reaches an open stream as a change.
func TestLiveEvents(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("siti", RoleAdmin)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.ts.URL+Prefix+"/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("content type %q", res.Header.Get("Content-Type"))
	}
	lines := bufio.NewScanner(res.Body)
	lines.Scan() // retry:
	lines.Scan() // : connected
	conv := e.citizen(event.ChannelWhatsApp, "6281234500030", "Pesan baru dari warga")
	want := `data: {"conversation_id":` + idString(conv) + `,"what":"message"}`
	for lines.Scan() {
		if lines.Text() == want {
			return
		}
	}
	t.Fatalf("stream ended without %s: %v", want, lines.Err())
}

// TestPairPhone asks for a WhatsApp phone pairing code over the request
// subject the WhatsApp adapter answers; here a stand-in answers it.
func TestPairPhone(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("siti", RoleAdmin)
	form := url.Values{"account": {"6281100000000"}, "phone": {"0811-0000-0000"}}
	post := func(c *client) (int, string) {
		req, _ := http.NewRequest("POST", e.ts.URL+Prefix+"/channels/whatsapp/pair", strings.NewReader(form.Encode()+"&csrf="+c.csrf))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := post(c); code != http.StatusBadGateway || !strings.Contains(body, "Adaptor WhatsApp tidak aktif") {
		t.Fatalf("without a WhatsApp role: %d", code)
	}
	sub, err := e.bus.Conn().Subscribe(event.SubjectWhatsAppPairPhone, func(m *nats.Msg) {
		var req event.PairPhoneRequest
		json.Unmarshal(m.Data, &req)
		reply := event.PairPhoneReply{Code: "K7QP-2M4X"}
		if (req.Account != "6281100000000" && req.Account != "") || req.Phone != "6281100000000" {
			reply = event.PairPhoneReply{Error: "unexpected request " + string(m.Data)}
		}
		data, _ := json.Marshal(reply)
		m.Respond(data)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if code, body := post(c); code != http.StatusOK || !strings.Contains(body, "K7QP-2M4X") {
		t.Fatalf("with the adapter answering: %d %s", code, body)
	}
	if code, _ := post(e.signIn("koor", RoleKoordinator)); code != http.StatusForbidden {
		t.Fatalf("koordinator asked for a pairing code: %d", code)
	}
	audit(t, e, "whatsapp", "6281100000000", "siti", "whatsapp.pair_requested")
	// Before the first pairing the number is unknown: the request still goes.
	form.Set("account", "")
	if code, body := post(c); code != http.StatusOK || !strings.Contains(body, "K7QP-2M4X") {
		t.Fatalf("unpaired account: %d %s", code, body)
	}
	audit(t, e, "whatsapp", "unpaired", "siti", "whatsapp.pair_requested")
}

func TestUploadTooLarge(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("siti", RoleAdmin)
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("csrf", c.csrf)
	w.WriteField("isi", "Aduan dengan lampiran besar")
	fw, _ := w.CreateFormFile("dokumen", "besar.pdf")
	fw.Write(bytes.Repeat([]byte("x"), walkinMaxBody+1))
	w.Close()
	req, _ := http.NewRequest("POST", e.ts.URL+Prefix+"/walkin", &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "30 MB") {
		t.Fatalf("oversized walk-in: %d", res.StatusCode)
	}
}

// TestChannelsPageCalendarWarning: the channels page warns when a deadline
// counted from today may reach a year without holiday data, and names the
// year and the folder; when the years are known it says nothing. The clock is
// set back to 2024, a year the binary has no data for (sessions work with a
// clock in the past, not with one far ahead).
func TestChannelsPageCalendarWarning(t *testing.T) {
	const dir = "/srv/aduan/holidays"
	today := time.Date(2024, 6, 3, 10, 0, 0, 0, calendar.WIB)
	// made-up, not the real 2024 decree: one day off makes the year known.
	with2024, err := calendar.New(calendar.Source{Name: "2024.txt", Data: []byte("2024-01-01 libur Tahun Baru\n")})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		cal  *calendar.Calendar
		warn bool
	}{
		{"built-in years only", nil, true},
		{"the admin's 2024 file", with2024, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) {
				if tc.cal != nil {
					o.Complaints.SetCalendar(tc.cal)
				}
				o.HolidaysDir = dir
			})
			e.advance(time.Until(today))
			c := e.signIn("kepala", RolePimpinan)
			for _, path := range []string{"/channels", "/channels/panel"} {
				_, body := c.get(Prefix + path)
				if !strings.Contains(body, "WhatsApp") {
					t.Fatalf("%s did not render:\n%s", path, body)
				}
				if shown := strings.Contains(body, "Kalender hari kerja"); shown != tc.warn {
					t.Fatalf("%s: warning shown %v, want %v", path, shown, tc.warn)
				}
				if !tc.warn {
					continue
				}
				for _, want := range []string{
					"Kalender hari kerja tahun 2024 belum tersedia",
					"keputusan bersama (SKB) libur nasional dan cuti bersama tahun 2024 agar tenggat",
					"2024.txt", "<code>" + dir + "</code>", "aduan calendar show 2024",
				} {
					if !strings.Contains(body, want) {
						t.Errorf("%s: warning lacks %q", path, want)
					}
				}
			}
		})
	}
}

// TestLaterKTPPhotosProtected: only the photo that first completed the
// identity was marked as a KTP, so a second "ini foto KTP saya" was served
// to koordinator and auditor without an audit row. Every photo the dialog
// counts as a KTP is an identity document now, and a verifikator sees KTPs
// only of complaints awaiting verification.
func TestLaterKTPPhotosProtected(t *testing.T) {
	var dbURL string
	e := newEnvURL(t, &dbURL)
	ctx := context.Background()
	conv := e.citizen(event.ChannelWhatsApp, "6281234500020", identityText, e.image("ktp"))
	e.citizen(event.ChannelWhatsApp, "6281234500020", "ini foto KTP saya yang baru", e.image(""))
	e.citizen(event.ChannelWhatsApp, "6281234500020", "foto rumah kami", e.image("rumah"))
	// A conversation still collecting its report: no complaint to verify.
	collecting := e.citizen(event.ChannelWhatsApp, "6281234500021", "ini foto KTP saya", e.image("ktp"))

	ktpPaths := func(conv store.ConversationID) (ktps []string, others int) {
		thread, err := e.st.Thread(ctx, conv, 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range thread {
			for _, a := range m.Attachments {
				if a.IsKTP {
					ktps = append(ktps, Prefix+"/attachments/"+strconv.FormatInt(a.ID, 10))
				} else {
					others++
				}
			}
		}
		return ktps, others
	}
	ktps, others := ktpPaths(conv)
	if len(ktps) != 2 || others != 1 {
		t.Fatalf("%d KTP images and %d others, want 2 and 1", len(ktps), others)
	}
	early, _ := ktpPaths(collecting)
	if len(early) != 1 {
		t.Fatalf("%d KTP images in the collecting conversation, want 1", len(early))
	}
	later := ktps[1]
	verif := e.signIn("vera", RoleVerifikator)
	tests := []struct {
		name string
		c    *client
		path string
		want int
	}{
		{"koordinator, later KTP", e.signIn("kora", RoleKoordinator), later, http.StatusForbidden},
		{"auditor, later KTP", e.signIn("audi", RoleAuditor), later, http.StatusForbidden},
		{"pimpinan, later KTP", e.signIn("pim", RolePimpinan), later, http.StatusForbidden},
		{"verifikator, complaint awaiting verification", verif, later, http.StatusOK},
		{"verifikator, no complaint yet", verif, early[0], http.StatusForbidden},
		{"admin, no complaint yet", e.signIn("siti", RoleAdmin), early[0], http.StatusOK},
	}
	for _, tt := range tests {
		if res, _ := tt.c.get(tt.path); res.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, res.StatusCode, tt.want)
		}
	}
	views := func(conv store.ConversationID) []string {
		trail, err := e.st.AuditTrail(ctx, "conversation", idString(conv))
		if err != nil {
			t.Fatal(err)
		}
		var actors []string
		for _, a := range trail {
			if a.Action == "ktp.viewed" {
				actors = append(actors, a.Actor)
			}
		}
		return actors
	}
	if got := views(conv); !slices.Equal(got, []string{"vera"}) {
		t.Errorf("KTP views of the complaint's conversation: %v, want [vera]", got)
	}
	if got := views(collecting); !slices.Equal(got, []string{"siti"}) {
		t.Errorf("KTP views of the collecting conversation: %v, want [siti]", got)
	}

	// Once verified, the complaint is out of the verifikator's hands.
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE complaints SET status = 'terverifikasi' WHERE conversation_id = $1`, conv); err != nil {
		t.Fatal(err)
	}
	if res, _ := verif.get(later); res.StatusCode != http.StatusForbidden {
		t.Errorf("verifikator after verification: %d, want 403", res.StatusCode)
	}
}
