package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

// A deployment with Facebook, Instagram and LAPOR! on but WhatsApp off: a
// reply to a WhatsApp reporter is stored and shown as not sent, never as
// sent, and the channels page says how to turn WhatsApp on.
func TestReplyOnChannelOff(t *testing.T) {
	cfg, err := config.LoadFrom(func(k string) string {
		return map[string]string{
			config.KeyMetaPages: "1234567890=token", config.KeyMetaAppSecret: "s", config.KeyMetaVerifyToken: "v",
			config.KeyLaporURL: "http://127.0.0.1:8090", config.KeyLaporToken: "t",
		}[k]
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(o *Options) { o.ChannelsOff = cfg.ChannelsOff() })
	c := e.signIn("siti", RoleAdmin)
	const notSentWA = "tidak terkirim: saluran WhatsApp nonaktif"

	wa := e.citizen(event.ChannelWhatsApp, "6281234500031", "Halo min, bantuan saya belum cair")
	res := c.postForm(convPath(wa, "/reply"), url.Values{"text": {"Baik Bu, kami cek dulu datanya."}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d %s", res.StatusCode, loc)
	}
	_, body := c.get(strings.TrimPrefix(loc, e.ts.URL))
	switch {
	case !strings.Contains(body, "kami cek dulu"):
		t.Fatal("the reply is not in the thread")
	case strings.Count(body, notSentWA) < 2:
		t.Errorf("the bot's answer and the reply are not both shown %q", notSentWA)
	case strings.Contains(body, "Balasan dikirim"):
		t.Error("the page says the reply was sent")
	case !strings.Contains(body, "Pesan disimpan, tetapi tidak terkirim: saluran WhatsApp nonaktif"):
		t.Error("the outcome does not say the reply was not sent")
	case !strings.Contains(body, "Saluran WhatsApp nonaktif: balasan tersimpan"):
		t.Error("the reply form does not warn that WhatsApp is off")
	}
	if _, thread := c.get(convPath(wa, "/thread")); !strings.Contains(thread, notSentWA) {
		t.Error("the live thread does not say the reply was not sent")
	}

	// The koordinator's message on a WhatsApp complaint is not sent either.
	const from = "6281234500032"
	e.citizen(event.ChannelWhatsApp, from, identityText)
	e.citizen(event.ChannelWhatsApp, from, "ini ktp saya", e.image("ini ktp saya"))
	list, err := e.st.ListComplaints(context.Background(), store.ComplaintFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("complaints %v %v, want the one submitted", list, err)
	}
	k := e.signIn("kurnia", RoleKoordinator)
	res = k.postForm(complaintPath(list[0].Ticket, "/message"), url.Values{"text": {"Mohon kirim foto buku tabungan Ibu."}})
	if !strings.Contains(res.Header.Get("Location"), "ok=message") {
		t.Fatalf("message to the reporter: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = k.get(strings.TrimPrefix(res.Header.Get("Location"), e.ts.URL))
	if strings.Contains(body, "Pesan dikirim kepada pelapor") || !strings.Contains(body, "tidak terkirim: saluran WhatsApp nonaktif") {
		t.Error("the complaint page does not say the message to the reporter was not sent")
	}
	if _, body = k.get(complaintPath(list[0].Ticket, "?ok=resolve")); strings.Contains(body, "Pengaduan selesai. Berita acara dibuat dan hasilnya dikirim") ||
		!strings.Contains(body, "tidak terkirim: saluran WhatsApp nonaktif") {
		t.Error("the outcome of resolving says the result was sent to the reporter")
	}

	ig := e.citizen(event.ChannelInstagram, "1784100000000031", "Halo min, bantuan saya belum cair")
	res = c.postForm(convPath(ig, "/reply"), url.Values{"text": {"Baik Bu, kami cek dulu."}})
	_, body = c.get(strings.TrimPrefix(res.Header.Get("Location"), e.ts.URL))
	if strings.Contains(body, "tidak terkirim") || !strings.Contains(body, "Balasan dikirim") {
		t.Error("a reply on Instagram, which is on, is not shown as on its way")
	}

	_, page := c.get(Prefix + "/channels")
	if !strings.Contains(page, `<span class="state">nonaktif</span>`) || !strings.Contains(page, "<code>ADUAN_WHATSAPP_TRANSPORT=whatsmeow</code>") {
		t.Error("the channels page does not say WhatsApp is off and how to turn it on")
	}
	if strings.Count(page, "channel-off") != 1 {
		t.Errorf("the channels page shows %d channels off, want WhatsApp alone", strings.Count(page, "channel-off"))
	}
}
