package meta

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

const (
	fbCDN = "https://scontent.xx.fbcdn.net/v/t1.15752-9/"
	igCDN = "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id="
)

// TestWebhookPayloads posts each payload file of testdata/, signed as Meta
// signs it, and compares what reached NATS with what Meta's documented
// shape means, in order.
func TestWebhookPayloads(t *testing.T) {
	h := newHarness(t, testConfig("http://127.0.0.1:1/"))
	ctx := context.Background()
	// record pretends Aduan sent these messages to the citizen.
	record := func(ch event.Channel, account, citizen string, sent ...sentEntry) func(t *testing.T) {
		return func(t *testing.T) {
			_ = h.w.sent.kv.Purge(ctx, sentKey(ch, account, citizen))
			for _, e := range sent {
				if err := h.w.sent.record(ctx, ch, account, citizen, e.MID, e.OutboundID, time.UnixMilli(e.At)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	sentBefore := []sentEntry{
		{MID: mid("90"), OutboundID: "OUT1", At: tsBase - 1000},
		{MID: mid("91"), OutboundID: "OUT2", At: tsBase + 400},
		{MID: mid("92"), OutboundID: "OUT3", At: tsBase + 9000},
	}
	sent := " sent=2025-11-27T05:30:00Z"
	msgr := "messenger acct=" + pageID + " ext="
	from := " key=" + psid + " sender=" + psid
	ig := "instagram acct=" + igID + " ext="
	igFrom := " key=" + igsid + " sender=" + igsid
	tests := []struct {
		name  string
		file  string
		setup func(t *testing.T)
		want  []string
	}{
		{"text", "messenger_text.json", nil, []string{
			"inbound " + msgr + mid("01") + from + ` text="Halo min, bantuan PKH ibu saya sudah 3 bulan tidak cair"` + sent}},
		{"image goes to the fetch queue", "messenger_image.json", nil, []string{
			"fetch " + msgr + mid("02") + from + " att=image:468123456_1122_n.jpg" + sent +
				" src0=" + fbCDN + "468123456_1122_n.jpg?_nc_cat=104&ccb=1-7&oh=00_AYC&oe=67A1B2C3"}},
		{"file", "messenger_file.json", nil, []string{
			"fetch " + msgr + mid("03") + from + " att=document:surat_keterangan_tidak_mampu.pdf" + sent +
				" src0=https://cdn.fbsbx.com/v/t59.2708-21/surat_keterangan_tidak_mampu.pdf/surat_keterangan_tidak_mampu.pdf?_nc_cat=1&oh=03_Q7c&oe=67A1B2C3"}},
		{"audio clip", "messenger_audio.json", nil, []string{
			"fetch " + msgr + mid("04") + from + " att=audio:audioclip-1764221399000-2741.mp4" + sent +
				" src0=https://cdn.fbsbx.com/v/t59.3654-21/audioclip-1764221399000-2741.mp4/audioclip-1764221399000-2741.mp4?_nc_cat=1&oh=03_Q7d"}},
		{"video", "messenger_video.json", nil, []string{
			"fetch " + msgr + mid("05") + from + " att=video:10000000_rumah_rusak.mp4" + sent +
				" src0=https://video.xx.fbcdn.net/v/t42.3356-2/10000000_rumah_rusak.mp4?_nc_cat=1&oh=00_AYD"}},
		{"sticker", "messenger_sticker.json", nil, []string{
			"fetch " + msgr + mid("06") + from + " att=sticker:851557_369239266556155_759568595_n.png" + sent +
				" src0=https://scontent.xx.fbcdn.net/v/t39.1997-6/851557_369239266556155_759568595_n.png?_nc_cat=1"}},
		{"shared link becomes text", "messenger_share_fallback.json", nil, []string{
			"inbound " + msgr + mid("07") + from +
				` text="ini beritanya min\n[tautan dibagikan] Penyaluran Bansos Tahap IV https://babelprov.go.id/berita/penyaluran-bansos"` + sent}},
		{"location", "messenger_location.json", nil, []string{
			"inbound " + msgr + mid("08") + from + ` loc=-2.1316,106.1169,"Lokasi rumah"` + sent}},
		{"quick reply as text", "messenger_quick_reply.json", nil, []string{
			"inbound " + msgr + mid("09") + from + ` text="Ya, lanjutkan"` + sent}},
		{"postback as text", "messenger_postback.json", nil, []string{
			"inbound " + msgr + mid("10") + from + ` text="Mulai"` + sent}},
		{"postback without mid or title", "messenger_postback_no_mid.json", nil, []string{
			"inbound " + msgr + "postback:" + psid + ":1764221405000" + from + ` text="BANTUAN" sent=2025-11-27T05:30:05Z`}},
		{"several entries", "messenger_multi_entry.json", nil, []string{
			"inbound " + msgr + mid("11") + from + ` text="Pesan ke halaman pertama"` + sent,
			"inbound messenger acct=" + page2ID + " ext=" + mid("12") + " key=" + psid2 + " sender=" + psid2 +
				` text="Pesan ke halaman kedua" sent=2025-11-27T05:30:00.15Z`}},
		{"several messaging items in order", "messenger_multi_messaging.json", nil, []string{
			"inbound " + msgr + mid("13") + from + ` text="Nama: Siti Aminah\nNIK: 1971015708900003"` + sent,
			"fetch " + msgr + mid("14") + from + " att=image:ktp_n.jpg sent=2025-11-27T05:30:01Z src0=" + fbCDN + "ktp_n.jpg?oh=1",
			// Behind its sender's photo, to keep the order.
			"fetch " + msgr + mid("15") + from + ` text="itu foto KTP saya" sent=2025-11-27T05:30:02Z`}},
		{"identity text and KTP photo", "messenger_identity_no_phone.json", nil, []string{
			"inbound " + msgr + mid("30") + from + ` text="Selamat siang admin. Saya mau lapor, bantuan PKH ibu saya sudah 3 bulan tidak cair padahal masih terdaftar.\nNama: Siti Aminah\nNIK: 1971015708900003\nAlamat: Jl. Depati Amir No. 12, Pangkalpinang"` + sent,
			"fetch " + msgr + mid("31") + from + " att=image:470001122_ktp_n.jpg sent=2025-11-27T05:30:02Z src0=" + fbCDN + "470001122_ktp_n.jpg?_nc_cat=103&ccb=1-7&oh=00_AYE&oe=67A1B2C4"}},
		{"echo from the page inbox is kept", "messenger_echo_page_inbox.json", nil, []string{
			"inbound " + msgr + mid("16") + from + ` text="Baik bu, laporan sedang kami cek." echo` + sent}},
		{"echo of our own reply is skipped", "messenger_echo_ours.json", nil, nil},
		{"delivery by mids and watermark", "messenger_delivery.json", record(event.ChannelMessenger, pageID, psid, sentBefore...), []string{
			"delivery messenger " + pageID + " delivered ext=" + mid("90") + " outbound=OUT1 at=2025-11-27T05:30:00.5Z",
			"delivery messenger " + pageID + " delivered ext=" + mid("91") + " outbound=OUT2 at=2025-11-27T05:30:00.5Z",
			"delivery messenger " + pageID + " delivered ext=" + mid("98") + " outbound= at=2025-11-27T05:30:00.5Z"}},
		{"read watermark", "messenger_read.json", record(event.ChannelMessenger, pageID, psid, sentBefore...), []string{
			"delivery messenger " + pageID + " read ext=" + mid("90") + " outbound=OUT1 at=2025-11-27T05:30:08Z",
			"delivery messenger " + pageID + " read ext=" + mid("91") + " outbound=OUT2 at=2025-11-27T05:30:08Z"}},
		{"read watermark again reports nothing new", "messenger_read.json", nil, nil},
		{"edit", "messenger_edit.json", nil, []string{
			"inbound " + msgr + mid("01") + ":edit:1" + from + ` text="Halo min, bantuan PKH ibu saya sudah 4 bulan tidak cair" edit_of=` + mid("01") + " sent=2025-11-27T05:31:00Z"}},
		{"reaction is not handled", "messenger_reaction.json", nil, nil},
		{"standby (another app's thread) is not handled", "messenger_standby.json", nil, nil},
		{"page feed change is not handled", "page_feed_change.json", nil, nil},
		{"instagram text", "instagram_text.json", nil, []string{
			"inbound " + ig + igmid("01") + igFrom + ` text="Selamat siang, mau lapor soal bantuan lansia"` + sent}},
		{"instagram image", "instagram_image.json", nil, []string{
			"fetch " + ig + igmid("02") + igFrom + " att=image:image-1" + sent + " src0=" + igCDN + "1789456123&signature=AbCdEf"}},
		{"instagram story reply", "instagram_story_reply.json", nil, []string{
			"inbound " + ig + igmid("03") + igFrom + ` text="Kapan pendaftarannya dibuka?"` + sent}},
		{"instagram story mention", "instagram_story_mention.json", nil, []string{
			"fetch " + ig + igmid("04") + igFrom + ` att=other:story_mention-1 caption="story Instagram yang menyebut akun kantor"` + sent +
				" src0=" + igCDN + "1790000002&signature=Yw"}},
		{"instagram shared post", "instagram_share.json", nil, []string{
			"fetch " + ig + igmid("05") + igFrom + ` att=other:share-1 caption="kiriman Instagram yang dibagikan"` + sent +
				" src0=" + igCDN + "1790000003&signature=Xv"}},
		{"instagram reel link", "instagram_reel.json", nil, []string{
			"inbound " + ig + igmid("06") + igFrom + ` text="[tautan dibagikan] Antrean bansos di kantor desa https://www.instagram.com/reel/C0abcDEF/"` + sent}},
		{"instagram unsend", "instagram_unsend.json", nil, []string{
			"inbound " + ig + igmid("01") + ":unsend" + igFrom + " unsend_of=" + igmid("01") + sent}},
		{"instagram read by mid", "instagram_read.json", record(event.ChannelInstagram, igID, igsid,
			sentEntry{MID: igmid("90"), OutboundID: "OUT4", At: tsBase - 2000},
			sentEntry{MID: igmid("91"), OutboundID: "OUT5", At: tsBase - 1000},
			sentEntry{MID: igmid("92"), OutboundID: "OUT6", At: tsBase + 1000}), []string{
			"delivery instagram " + igID + " read ext=" + igmid("90") + " outbound=OUT4 at=",
			"delivery instagram " + igID + " read ext=" + igmid("91") + " outbound=OUT5 at="}},
		{"instagram unsupported content reaches the inbox", "instagram_unsupported.json", nil, []string{
			"inbound " + ig + igmid("07") + igFrom + ` att=other: error="the citizen sent something this platform does not pass on to apps; ask them to send it again as a photo or text"` + sent}},
		{"instagram echo from the app", "instagram_echo.json", nil, []string{
			"inbound " + ig + igmid("08") + igFrom + ` text="Halo kak, silakan kirim foto KTP ya." echo` + sent}},
		{"instagram echo of a reply we recorded", "instagram_echo.json",
			record(event.ChannelInstagram, igID, igsid, sentEntry{MID: igmid("08"), OutboundID: "OUT7", At: tsBase}), nil},
		{"signed but not JSON", "malformed_not_json.txt", nil, []string{
			"rejected messenger reason=not JSON: unexpected end of JSON input"}},
		{"no entry", "malformed_no_entry.json", nil, []string{
			"rejected messenger reason=webhook body not understood: no entry"}},
		{"entry of the wrong type", "malformed_entry_type.json", nil, []string{
			"rejected messenger reason=webhook body not understood: json: cannot unmarshal string into Go struct field envelope.entry of type []json.RawMessage"}},
		{"one good item, one without sender", "malformed_partial.json", nil, []string{
			"inbound " + msgr + mid("20") + from + ` text="pesan yang baik"` + sent,
			"rejected messenger reason=entry[0].messaging[1]: no sender or recipient id"}},
		{"unknown object", "unknown_object.json", nil, []string{
			`rejected messenger reason=object "user" not handled`}},
		{"whatsapp object without its handler", "whatsapp_object.json", nil, []string{
			`rejected whatsapp reason=object "whatsapp_business_account" not handled`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The cases share senders and nothing fetches here: a file an
			// earlier case queued would hold this case's texts behind it.
			if s, err := h.b.JetStream().Stream(t.Context(), StreamFetch); err != nil {
				t.Fatal(err)
			} else if err := s.Purge(t.Context()); err != nil {
				t.Fatal(err)
			}
			if tt.setup != nil {
				tt.setup(t)
			}
			body := readTestdata(t, tt.file)
			if code := h.postSigned(body); code != http.StatusOK {
				t.Fatalf("status %d, want 200", code)
			}
			msgs := h.published()
			var got []string
			for _, m := range msgs {
				s := summary(t, m)
				if strings.HasPrefix(s, "delivery instagram") { // IG read reports carry no time: now
					s = s[:strings.Index(s, " at=")+4]
				}
				got = append(got, s)
				if strings.HasPrefix(s, "rejected") {
					var r event.Rejected
					if err := event.Unmarshal(m.Data, &r); err != nil || string(r.Body) != string(body) {
						t.Errorf("rejected input does not hold the body whole (err %v)", err)
					}
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("published:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestWebhookSignature(t *testing.T) {
	h := newHarness(t, testConfig("http://127.0.0.1:1/"))
	body := readTestdata(t, "messenger_text.json")
	sha1Sig := func() string {
		m := hmac.New(sha1.New, []byte(testSecret))
		m.Write(body)
		return "sha1=" + hex.EncodeToString(m.Sum(nil))
	}
	tests := []struct {
		name    string
		body    []byte
		header  map[string]string
		status  int
		publish int
	}{
		{"valid", body, map[string]string{SignatureHeader: Sign([]byte(testSecret), body)}, 200, 1},
		{"wrong secret", body, map[string]string{SignatureHeader: Sign([]byte("rahasia-lain"), body)}, 403, 0},
		{"missing header", body, nil, 403, 0},
		{"tampered body", []byte(strings.Replace(string(body), "3 bulan", "9 bulan", 1)),
			map[string]string{SignatureHeader: Sign([]byte(testSecret), body)}, 403, 0},
		{"sha-1 header only", body, map[string]string{"X-Hub-Signature": sha1Sig()}, 403, 0},
		{"sha-1 value in the sha-256 header", body, map[string]string{SignatureHeader: sha1Sig()}, 403, 0},
		{"not hex", body, map[string]string{SignatureHeader: "sha256=zz"}, 403, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, h.srv.URL+Path, strings.NewReader(string(tt.body)))
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if n := len(h.published()); n != tt.publish {
				t.Fatalf("%d messages published, want %d", n, tt.publish)
			}
		})
	}
}

func TestWebhookEmptySecretRefusesAll(t *testing.T) {
	cfg := testConfig("http://127.0.0.1:1/")
	cfg.AppSecret = ""
	h := newHarness(t, cfg)
	body := readTestdata(t, "messenger_text.json")
	if code := h.post(body, Sign(nil, body)); code != http.StatusForbidden {
		t.Fatalf("status %d with an empty app secret, want 403", code)
	}
}

func TestWebhookBodyLimit(t *testing.T) {
	h := newHarness(t, testConfig("http://127.0.0.1:1/"))
	big := []byte(`{"object":"page","entry":[],"pad":"` + strings.Repeat("x", MaxBodySize) + `"}`)
	if code := h.postSigned(big); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d for a body over 1 MiB, want 413", code)
	}
	if n := len(h.published()); n != 0 {
		t.Fatalf("%d messages published from an oversized body", n)
	}
}

func TestWebhookVerify(t *testing.T) {
	h := newHarness(t, testConfig("http://127.0.0.1:1/"))
	tests := []struct {
		name   string
		query  url.Values
		status int
		body   string
	}{
		{"subscribe", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken}, "hub.challenge": {"1158201444"}}, 200, "1158201444"},
		{"wrong token", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"tebakan"}, "hub.challenge": {"1"}}, 403, ""},
		{"token prefix", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken[:5]}, "hub.challenge": {"1"}}, 403, ""},
		{"wrong mode", url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {testVerifyToken}, "hub.challenge": {"1"}}, 403, ""},
		{"nothing", url.Values{}, 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(h.srv.URL + Path + "?" + tt.query.Encode())
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status == 200 && string(b) != tt.body {
				t.Fatalf("body %q, want the challenge %q", b, tt.body)
			}
		})
	}
}

// TestWebhookNATSDown: with JetStream gone the webhook answers 503, so Meta
// retries, instead of 200 for a message it did not store.
func TestWebhookNATSDown(t *testing.T) {
	h := newHarness(t, testConfig("http://127.0.0.1:1/"))
	h.b.Close()
	for _, file := range []string{"messenger_text.json", "messenger_image.json", "malformed_no_entry.json"} {
		if code := h.postSigned(readTestdata(t, file)); code != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d with NATS down, want 503", file, code)
		}
	}
}

func TestWebhookHandleObject(t *testing.T) {
	h := newHarness(t, testConfig("http://127.0.0.1:1/"))
	body := readTestdata(t, "whatsapp_object.json")
	var got []byte
	var fail error
	h.w.HandleObject("whatsapp_business_account", func(_ context.Context, b []byte) error {
		got = b
		return fail
	})
	if code := h.postSigned(body); code != http.StatusOK || string(got) != string(body) {
		t.Fatalf("status %d, handler got %d bytes; want 200 and the whole body", code, len(got))
	}
	fail = errors.New("nats unavailable")
	if code := h.postSigned(body); code != http.StatusServiceUnavailable {
		t.Fatalf("status %d when the handler fails, want 503", code)
	}
	if code := h.post(body, Sign([]byte("salah"), body)); code != http.StatusForbidden {
		t.Fatalf("status %d for a bad signature, want 403 before any handler", code)
	}
	if n := len(h.published()); n != 0 {
		t.Fatalf("%d messages published by the webhook itself for a handled object", n)
	}
}

// TestWebhookProfileName: a new sender's name is looked up once in the
// background; the webhook does not wait for it, later messages carry it.
func TestWebhookProfileName(t *testing.T) {
	cfg := testConfig("")
	graph := newGraphFake(t, cfg.Pages)
	cfg.GraphURL = graph.URL()
	cfg.ProfileLookup = true
	h := newHarness(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.w.RunNames(ctx)

	first := readTestdata(t, "messenger_text.json")
	if code := h.postSigned(first); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	var lookups []graphRequest
	bustest.Eventually(t, 5*time.Second, func() bool {
		lookups = append(lookups, graph.take()...)
		return len(lookups) > 0
	})
	l := lookups[0]
	if l.Method != http.MethodGet || l.Path != "/v23.0/"+psid || l.Form.Get("fields") != "name" ||
		l.Account != pageID || l.Proof != newGraphFakeProof(l.Token) {
		t.Fatalf("look-up %s %s fields=%q with the token of %q; want GET /v23.0/%s fields=name, signed, page token",
			l.Method, l.Path, l.Form.Get("fields"), l.Account, psid)
	}
	var names []string
	n := 0
	bustest.Eventually(t, 5*time.Second, func() bool {
		n++ // a new message each time, until one carries the name
		second := []byte(strings.Replace(string(first), mid("01"), mid("4"+strconv.Itoa(n)), 1))
		if code := h.postSigned(second); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		names = nil
		for _, m := range h.published() {
			var in event.Inbound
			if event.Unmarshal(m.Data, &in) == nil {
				names = append(names, in.Sender.Name)
			}
		}
		return len(names) > 0 && names[len(names)-1] == "Siti Aminah"
	})
	if n := len(graph.take()); n != 0 {
		t.Fatalf("%d more look-ups; the name is cached", n)
	}
}

// TestWebhookHealth: an inbound message stamps the account's last inbound
// time and leaves a state the sender recorded alone.
func TestWebhookHealth(t *testing.T) {
	h := newHarness(t, testConfig("http://127.0.0.1:1/"))
	ctx := context.Background()
	if err := h.b.SetHealth(ctx, event.Health{Channel: event.ChannelMessenger, Account: pageID,
		State: event.HealthNeedsAttention, Detail: "token kedaluwarsa"}); err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-time.Second)
	if code := h.postSigned(readTestdata(t, "messenger_text.json")); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	// The stamp is written beside the webhook's work, not inside it.
	var hl event.Health
	bustest.Eventually(t, 5*time.Second, func() bool {
		hl, _, _ = h.b.Health(ctx, event.ChannelMessenger, pageID)
		return !hl.LastInboundAt.Before(before)
	})
	if hl.State != event.HealthNeedsAttention || hl.Detail != "token kedaluwarsa" || hl.LastInboundAt.Before(before) {
		t.Fatalf("health %+v; want needs_attention kept and last inbound stamped", hl)
	}
}

// TestProfileLookupSenderIDEscaped: a sender id is a number; one that is
// not (a path, a query) is never put into a Graph API path.
func TestProfileLookupSenderIDEscaped(t *testing.T) {
	cfg := testConfig("")
	graph := newGraphFake(t, cfg.Pages)
	cfg.GraphURL = graph.URL()
	cfg.ProfileLookup = true
	h := newHarness(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.w.RunNames(ctx)
	first := string(readTestdata(t, "messenger_text.json"))
	for i, id := range []string{"1/../../" + pageID + "/conversations", "me?fields=email", psid2} {
		body := strings.ReplaceAll(first, psid, id)
		body = strings.Replace(body, mid("01"), mid("5"+strconv.Itoa(i)), 1)
		if code := h.postSigned([]byte(body)); code != http.StatusOK {
			t.Fatalf("sender %q: status %d", id, code)
		}
	}
	var lookups []graphRequest
	bustest.Eventually(t, 5*time.Second, func() bool {
		lookups = append(lookups, graph.take()...)
		for _, l := range lookups {
			if l.Path == "/v23.0/"+psid2 {
				return true
			}
		}
		return false
	})
	for _, l := range lookups {
		if l.Path != "/v23.0/"+psid2 {
			t.Errorf("Graph API asked for %s", l.Path)
		}
	}
}

// TestMessageForOtherPageRejected: a signed message to a page that is not
// configured starts no conversation (nothing could answer it); the body is
// kept as rejected input with the reason.
func TestMessageForOtherPageRejected(t *testing.T) {
	h := newHarness(t, testConfig("http://127.0.0.1:1/"))
	body := strings.ReplaceAll(string(readTestdata(t, "messenger_text.json")), pageID, "5544332211")
	if code := h.postSigned([]byte(body)); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	var got []string
	for _, m := range h.published() {
		got = append(got, summary(t, m))
	}
	if len(got) != 1 || !strings.Contains(got[0], `rejected messenger reason=page or account "5544332211" is not configured`) {
		t.Fatalf("published %q; want only the rejected body", got)
	}
}
