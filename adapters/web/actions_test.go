package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// The identity text of a complete report but for the KTP photo (made-up NIK).
const identityText = "Nama: Siti Aminah\nNIK: 1971015708900003\nAlamat: Jl. Depati Amir No. 12, Pangkalpinang\nNo HP: 081234567890\n" +
	"Bantuan PKH ibu saya sudah tiga bulan tidak cair"

func TestReplyReachesChannel(t *testing.T) {
	e := newEnv(t)
	fake := e.channelFake(event.ChannelWhatsApp)
	conv := e.citizen(event.ChannelWhatsApp, "6281234500002", "Halo min, bantuan saya belum cair")
	fake.waitFor(t, "Terima kasih telah menghubungi") // the bot's acknowledgement
	c := e.signIn("siti", RoleAdmin)

	res := c.postForm(convPath(conv, "/reply"), url.Values{"text": {"Baik Bu, kami cek dulu datanya."}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "ok=replied") {
		t.Fatalf("reply: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	ob := fake.waitFor(t, "kami cek dulu")
	if ob.Origin != event.OriginAgent || ob.Author != "siti" || ob.Recipient != "6281234500002" || ob.Channel != event.ChannelWhatsApp {
		t.Fatalf("outbound %+v: want an agent reply by siti to the citizen", ob)
	}
	d, err := e.st.ConversationByID(context.Background(), conv)
	if err != nil {
		t.Fatal(err)
	}
	if !ob.CustomerLastMessageAt.Equal(d.LastInboundAt) {
		t.Errorf("CustomerLastMessageAt %v, want the citizen's last message %v", ob.CustomerLastMessageAt, d.LastInboundAt)
	}
	_, body := c.get(convPath(conv, ""))
	if !strings.Contains(body, "kami cek dulu") || !strings.Contains(body, ">siti") {
		t.Error("the reply and its author are not in the thread")
	}
	audit(t, e, "conversation", idString(conv), "siti", "conversation.reply")

	t.Run("empty reply refused", func(t *testing.T) {
		res := c.postForm(convPath(conv, "/reply"), url.Values{"text": {"  "}})
		if !strings.Contains(res.Header.Get("Location"), "err=empty") {
			t.Fatalf("empty reply: %s", res.Header.Get("Location"))
		}
	})
	t.Run("without CSRF token refused", func(t *testing.T) {
		before := fake.count()
		for _, form := range []url.Values{{"text": {"tanpa token"}}, {"text": {"token salah"}, "csrf": {"bukan-token"}}} {
			if res := c.post(convPath(conv, "/reply"), form); res.StatusCode != http.StatusForbidden {
				t.Fatalf("reply with csrf=%q: %d, want 403", form.Get("csrf"), res.StatusCode)
			}
		}
		n, err := e.st.CountMessages(context.Background(), conv, "out")
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 || fake.count() != before {
			t.Fatalf("refused forms still stored or sent a message: %d stored, %d sent", n, fake.count())
		}
	})
}

func TestTakeoverSilencesBot(t *testing.T) {
	e := newEnv(t)
	fake := e.channelFake(event.ChannelMessenger)
	conv := e.citizen(event.ChannelMessenger, "psid-100", "Selamat pagi, saya mau melapor")
	fake.waitFor(t, "Terima kasih telah menghubungi")
	c := e.signIn("siti", RoleAdmin)

	if res := c.postForm(convPath(conv, "/takeover"), nil); !strings.Contains(res.Header.Get("Location"), "ok=takeover") {
		t.Fatalf("takeover: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, body := c.get(convPath(conv, ""))
	if !strings.Contains(body, "Bot diam") || !strings.Contains(body, "petugas siti") {
		t.Fatal("conversation page does not show the takeover and the officer assigned")
	}
	before := fake.count()
	e.citizen(event.ChannelMessenger, "psid-100", "Nama saya Budi Santoso")
	n, _ := e.st.CountMessages(context.Background(), conv, "out")
	if n != 1 || fake.count() != before {
		t.Fatalf("the bot answered during a takeover: %d replies stored", n)
	}
	if res := c.postForm(convPath(conv, "/handback"), nil); !strings.Contains(res.Header.Get("Location"), "ok=handback") {
		t.Fatalf("handback: %s", res.Header.Get("Location"))
	}
	e.citizen(event.ChannelMessenger, "psid-100", "Bantuan sembako tidak sampai ke desa kami")
	bustest.Eventually(t, 10*time.Second, func() bool { return fake.count() > before })
	audit(t, e, "conversation", idString(conv), "siti", "conversation.takeover", "conversation.handback")
}

func TestRetryFailedReply(t *testing.T) {
	e := newEnv(t)
	fake := e.channelFake(event.ChannelInstagram)
	conv := e.citizen(event.ChannelInstagram, "igsid-7", "Halo admin")
	ack := fake.waitFor(t, "Terima kasih telah menghubungi")
	c := e.signIn("siti", RoleAdmin)
	// The adapter reports the reply failed, as it would outside Meta's window.
	d := &event.Delivery{ID: event.NewID(), OutboundID: ack.ID, Channel: event.ChannelInstagram, Account: ack.Account,
		Status: event.DeliveryFailed, Reason: "di luar jendela 24 jam", At: time.Now()}
	if _, err := e.bus.PublishEvent(context.Background(), d, d.Subject(), d.ID); err != nil {
		t.Fatal(err)
	}
	var body string
	bustest.Eventually(t, 10*time.Second, func() bool {
		_, body = c.get(convPath(conv, ""))
		return strings.Contains(body, "gagal: di luar jendela 24 jam")
	})
	thread, err := e.st.Thread(context.Background(), conv, 10)
	if err != nil {
		t.Fatal(err)
	}
	failed := thread[len(thread)-1]
	if !strings.Contains(body, "/messages/"+idString(store.ConversationID(failed.ID))+"/retry") {
		t.Fatal("no retry button on the failed reply")
	}
	retry := convPath(conv, "/messages/"+idString(store.ConversationID(failed.ID))+"/retry")
	if res := c.postForm(retry, nil); !strings.Contains(res.Header.Get("Location"), "ok=retried") {
		t.Fatalf("retry: %s", res.Header.Get("Location"))
	}
	again := fake.waitFor(t, ack.Text[:30])
	bustest.Eventually(t, 5*time.Second, func() bool {
		fake.mu.Lock()
		defer fake.mu.Unlock()
		return len(fake.msgs) == 2 && fake.msgs[1].ID != ack.ID && fake.msgs[1].Origin == event.OriginAgent
	})
	_ = again
	if res := c.postForm(retry, nil); !strings.Contains(res.Header.Get("Location"), "err=not_failed") {
		t.Fatalf("second retry of one failure: %s", res.Header.Get("Location"))
	}
	_, rows := c.get(Prefix + "/inbox/rows?human=1")
	if strings.Contains(rows, "Balasan gagal") {
		t.Error("a retried failure still counts as needing a human")
	}
}

func TestForwardToVerification(t *testing.T) {
	e := newEnv(t)
	fake := e.channelFake(event.ChannelWhatsApp)
	// Everything but the KTP photo: the bot keeps asking for it.
	conv := e.citizen(event.ChannelWhatsApp, "6281234500003", identityText)
	fake.waitFor(t, "foto KTP")
	c := e.signIn("siti", RoleAdmin)
	if res := c.postForm(convPath(conv, "/forward"), nil); !strings.Contains(res.Header.Get("Location"), "ok=forwarded") {
		t.Fatalf("forward: %s", res.Header.Get("Location"))
	}
	ticket := "ADU-" + time.Now().In(wib).Format("2006") + "-000001"
	cp, err := e.st.ComplaintByTicket(context.Background(), ticket)
	if err != nil {
		t.Fatalf("no complaint %s: %v", ticket, err)
	}
	if cp.Status != workflow.AwaitingVerification || !strings.Contains(cp.Text, "PKH") {
		t.Fatalf("complaint %+v", cp)
	}
	told := fake.waitFor(t, ticket)
	if told.Origin != event.OriginAgent {
		t.Errorf("ticket message origin %s", told.Origin)
	}
	if res := c.postForm(convPath(conv, "/forward"), nil); !strings.Contains(res.Header.Get("Location"), "err=submitted") {
		t.Fatalf("second forward: %s", res.Header.Get("Location"))
	}
	audit(t, e, "complaint", ticket, "siti", "complaint.forwarded")
}

func TestIdentityCorrection(t *testing.T) {
	e := newEnv(t)
	conv := e.citizen(event.ChannelWhatsApp, "6281234500004", "Nama saya Rudi, bantuan BLT belum sampai ke rumah kami")
	c := e.signIn("siti", RoleAdmin)
	ctx := context.Background()

	res := c.postForm(convPath(conv, "/identity"), url.Values{"nik": {"1234"}})
	if !strings.Contains(res.Header.Get("Location"), "err=nik_invalid") {
		t.Fatalf("bad NIK: %s", res.Header.Get("Location"))
	}
	res = c.postForm(convPath(conv, "/identity"), url.Values{
		"nama": {"Rudi  Hartono"}, "nik": {"1971 0157 0890 0003"}, "alamat": {"Jl. Merdeka 1, Sungailiat"}, "telepon": {"0812-3450-0004"},
	})
	if !strings.Contains(res.Header.Get("Location"), "ok=identity") {
		t.Fatalf("correction: %s", res.Header.Get("Location"))
	}
	d, err := e.st.ConversationByID(ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	if d.Reporter.Name != "Rudi Hartono" || d.Reporter.NIK != "1971015708900003" || d.Reporter.Phone != "+6281234500004" {
		t.Fatalf("reporter after correction: %+v", d.Reporter)
	}
	if !slices.Equal(d.Missing, []identity.Field{identity.FieldKTPPhoto}) {
		t.Fatalf("missing after correction: %v, want only foto_ktp", d.Missing)
	}
	if res := c.postForm(convPath(conv, "/identity"), url.Values{"action": {"confirm"}}); !strings.Contains(res.Header.Get("Location"), "ok=confirmed") {
		t.Fatalf("confirm: %s", res.Header.Get("Location"))
	}
	audit(t, e, "conversation", idString(conv), "siti", "identity.corrected", "identity.confirmed")

	// A pimpinan sees the NIK masked, the admin whole.
	p := e.signIn("kepala", RolePimpinan)
	_, body := p.get(convPath(conv, ""))
	if strings.Contains(body, "1971015708900003") || !strings.Contains(body, "1971xxxxxxxx0003") {
		t.Error("pimpinan sees the whole NIK")
	}
	_, body = c.get(convPath(conv, ""))
	if !strings.Contains(body, "1971015708900003") {
		t.Error("admin does not see the NIK to correct it")
	}
}

func TestNotesAndAssign(t *testing.T) {
	e := newEnv(t)
	conv := e.citizen(event.ChannelWhatsApp, "6281234500006", "Bantuan untuk lansia di kampung kami tidak pernah sampai")
	c := e.signIn("koor", RoleKoordinator)
	budi := e.addUser("budi", RoleAdmin)
	if res := c.postForm(convPath(conv, "/notes"), url.Values{"text": {"Perlu kunjungan lapangan minggu ini."}}); !strings.Contains(res.Header.Get("Location"), "ok=noted") {
		t.Fatalf("note: %s", res.Header.Get("Location"))
	}
	if res := c.postForm(convPath(conv, "/assign"), url.Values{"user": {idString(store.ConversationID(budi))}}); !strings.Contains(res.Header.Get("Location"), "ok=assigned") {
		t.Fatalf("assign: %s", res.Header.Get("Location"))
	}
	if res := c.postForm(convPath(conv, "/assign"), url.Values{"user": {"9999"}}); !strings.Contains(res.Header.Get("Location"), "err=no_user") {
		t.Fatalf("assign to nobody known: %s", res.Header.Get("Location"))
	}
	_, body := c.get(convPath(conv, ""))
	if !strings.Contains(body, "Perlu kunjungan lapangan") || !strings.Contains(body, "petugas budi") {
		t.Fatal("note or assignment not shown")
	}
	_, rows := c.get(Prefix + "/inbox/rows?unassigned=1")
	if strings.Contains(rows, `data-id="`+idString(conv)+`"`) {
		t.Error("assigned conversation listed as unassigned")
	}
	audit(t, e, "conversation", idString(conv), "koor", "conversation.note", "conversation.assigned")
}

// TestHTMLInert: what a citizen writes is shown as text, never run.
func TestHTMLInert(t *testing.T) {
	e := newEnv(t)
	evil := `<script>alert("xss")</script><img src=x onerror="alert(1)"> Nama: <b>Budi</b>`
	conv := e.citizenNamed(event.ChannelWhatsApp, "6281234500005", `<script>alert("nama")</script>`, evil)
	c := e.signIn("siti", RoleAdmin)
	for _, path := range []string{Prefix + "/", Prefix + "/inbox/rows", convPath(conv, ""), convPath(conv, "/thread")} {
		res, body := c.get(path)
		if strings.Contains(body, "<script>alert") || strings.Contains(body, `<img src=x`) || strings.Contains(body, "<b>Budi") {
			t.Errorf("%s renders the citizen's HTML live", path)
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("%s does not show the text escaped", path)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
}

func TestInboxFiltersAndSearch(t *testing.T) {
	e := newEnv(t)
	wa := e.citizen(event.ChannelWhatsApp, "6281299990001", identityText)
	ig := e.citizen(event.ChannelInstagram, "igsid-55", "Bantuan sosial tidak tepat sasaran di desa kami")
	fb := e.citizen(event.ChannelMessenger, "psid-56", "Petugas desa kasar saat melayani warga")
	c := e.signIn("siti", RoleAdmin)
	c.postForm(convPath(fb, "/takeover"), nil)
	row := func(id store.ConversationID) string { return `data-id="` + idString(id) + `"` }
	tests := []struct {
		name  string
		query string
		want  []store.ConversationID
	}{
		{"all, newest first", "", []store.ConversationID{fb, ig, wa}},
		{"channel", "channel=instagram", []store.ConversationID{ig}},
		{"name", "q=siti+aminah", []store.ConversationID{wa}},
		{"phone as written at the office", "q=0812-9999-0001", []store.ConversationID{wa}},
		{"whole NIK", "q=1971015708900003", []store.ConversationID{wa}},
		{"needs human", "human=1", []store.ConversationID{fb}},
		{"mine", "mine=1", []store.ConversationID{fb}},
		{"unassigned", "unassigned=1", []store.ConversationID{ig, wa}},
		{"status", "status=collecting&channel=whatsapp", []store.ConversationID{wa}},
		{"nothing", "q=tidak-ada-yang-cocok", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, body := c.get(Prefix + "/inbox/rows?" + tt.query)
			last := -1
			for _, id := range []store.ConversationID{wa, ig, fb} {
				i := strings.Index(body, row(id))
				if (i >= 0) != slices.Contains(tt.want, id) {
					t.Fatalf("conversation %d listed=%v, want %v", id, i >= 0, slices.Contains(tt.want, id))
				}
			}
			for _, id := range tt.want {
				i := strings.Index(body, row(id))
				if i < last {
					t.Fatalf("order wrong: %v", tt.want)
				}
				last = i
			}
		})
	}
	// The live refresh asks for the same filter the page shows.
	_, page := c.get(Prefix + "/?channel=instagram&human=1")
	if !strings.Contains(page, `data-live-src="/admin/inbox/rows?channel=instagram&amp;human=1"`) {
		t.Error("live refresh of a filtered inbox loses its filter")
	}
	_, body := c.get(Prefix + "/inbox/rows?channel=whatsapp")
	for _, want := range []string{"Siti Aminah", "Kurang: foto KTP", "Menunggu", "ch-whatsapp"} {
		if !strings.Contains(body, want) {
			t.Errorf("WhatsApp row lacks %q", want)
		}
	}
}

// audit checks that actor wrote the actions on the object, in order.
func audit(t *testing.T, e *testEnv, objectType, objectID, actor string, actions ...string) {
	t.Helper()
	trail, err := e.st.AuditTrail(context.Background(), objectType, objectID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range trail {
		if a.Actor == actor {
			got = append(got, a.Action)
		}
	}
	i := 0
	for _, a := range got {
		if i < len(actions) && a == actions[i] {
			i++
		}
	}
	if i < len(actions) {
		t.Fatalf("audit log of %s %s by %s: %v, want %v in order", objectType, objectID, actor, got, actions)
	}
}

// TestNIKMaskedInText: a NIK a citizen typed is shown whole only to roles
// that may see it, and never in the inbox list.
func TestNIKMaskedInText(t *testing.T) {
	e := newEnv(t)
	conv := e.citizen(event.ChannelWhatsApp, "6281234500007", "NIK saya 1971 0157 0890 0003, bantuan belum cair")
	admin := e.signIn("siti", RoleAdmin)
	boss := e.signIn("kepala", RolePimpinan)
	tests := []struct {
		name  string
		c     *client
		path  string
		whole bool
	}{
		{"admin thread", admin, convPath(conv, "/thread"), true},
		{"admin inbox", admin, Prefix + "/inbox/rows", false},
		{"pimpinan thread", boss, convPath(conv, "/thread"), false},
		{"pimpinan conversation", boss, convPath(conv, ""), false},
	}
	for _, tt := range tests {
		_, body := tt.c.get(tt.path)
		if strings.Contains(body, "1971 0157 0890 0003") != tt.whole {
			t.Errorf("%s: whole NIK shown = %v, want %v", tt.name, !tt.whole, tt.whole)
		}
		if !tt.whole && !strings.Contains(body, "1971xxxxxxxx0003") {
			t.Errorf("%s: masked NIK missing", tt.name)
		}
	}
}

// TestNIKMaskingBypassWideGaps: the extractor joins digit groups across gaps
// of up to three separators, so a NIK written that way is one too; roles
// that may not see NIKs whole must not see it in the inbox or the thread.
func TestNIKMaskingBypassWideGaps(t *testing.T) {
	// The NIK's digits in order with anything but digits and the mask's
	// x between them: what a reader would put back together.
	wholeNIK := regexp.MustCompile(`1[^0-9x]{0,12}9[^0-9x]{0,12}7[^0-9x]{0,12}1[^0-9x]{0,12}0[^0-9x]{0,12}1[^0-9x]{0,12}5[^0-9x]{0,12}7` +
		`[^0-9x]{0,12}0[^0-9x]{0,12}8[^0-9x]{0,12}9[^0-9x]{0,12}0[^0-9x]{0,12}0[^0-9x]{0,12}0[^0-9x]{0,12}0[^0-9x]{0,12}3`)
	e := newEnv(t)
	boss := e.signIn("kepala", RolePimpinan)
	tests := []struct{ name, from, nik string }{
		{"two spaces", "6281234500011", "1971  0157  0890  0003"},
		{"spaced dashes", "6281234500012", "1971 - 0157 - 0890 - 0003"},
		{"tabs", "6281234500013", "1971\t0157\t0890\t0003"},
		{"no-break spaces", "6281234500014", "1971\u00a00157\u00a0\u00a00890 0003"},
		{"parentheses", "6281234500015", "(1971) (0157) 0890 0003"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conv := e.citizen(event.ChannelWhatsApp, tt.from, "NIK saya "+tt.nik+" bantuan PKH belum cair")
			for _, path := range []string{Prefix + "/inbox/rows", convPath(conv, "/thread"), convPath(conv, "")} {
				_, body := boss.get(path)
				if wholeNIK.MatchString(body) {
					t.Errorf("%s shows the NIK whole: %q", path, wholeNIK.FindString(body))
				}
			}
		})
	}
}
