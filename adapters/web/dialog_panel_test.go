package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aduan-gateway/aduan/core/event"
)

// The conversation page shows the person concerned (NIK masked), "perlu
// petugas" for words of danger, and the complaint text, which an officer
// corrects with an audited form.
func TestDialogPanel(t *testing.T) {
	e := newEnv(t)
	conv := e.citizen(event.ChannelWhatsApp, "6281234500031",
		"tolong pak darurat, ibu sy Jamilah NIK 1901024506550001 ditelantarkan anaknya tdk dikasih makan")
	c := e.signIn("siti", RoleAdmin)
	_, body := c.get(convPath(conv, ""))
	for _, want := range []string{"Perlu petugas", "Penerima manfaat", "Jamilah", "1901xxxxxxxx0001", "ibu", "ditelantarkan anaknya"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if _, panel, _ := strings.Cut(body, `id="penerima-manfaat"`); strings.Contains(panel[:strings.Index(panel, "</section>")], "1901024506550001") {
		t.Error("the penerima manfaat card shows the whole NIK")
	}

	if _, inbox := c.get(Prefix + "/inbox/rows?human=1"); !strings.Contains(inbox, "Perlu petugas: darurat") {
		t.Error("the inbox filter perlu petugas does not list the conversation with its reason")
	}

	res := c.postForm(convPath(conv, "/complaint-text"), url.Values{"text": {"Ibu Jamilah ditelantarkan anaknya, tidak diberi makan."}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "ok=complaint_text") {
		t.Fatalf("correction: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body = c.get(convPath(conv, "")); !strings.Contains(body, "tidak diberi makan.") {
		t.Error("the corrected complaint text is not shown")
	}
	if res := c.postForm(convPath(conv, "/officer-seen"), nil); !strings.Contains(res.Header.Get("Location"), "ok=officer_seen") {
		t.Fatalf("officer seen: %s", res.Header.Get("Location"))
	}
	if _, body = c.get(convPath(conv, "")); strings.Contains(body, "Perlu petugas") {
		t.Error("perlu petugas still shown after an officer took it up")
	}
	audit(t, e, "conversation", idString(conv), "siti", "complaint.text_corrected", "conversation.officer_seen")

	t.Run("an empty correction is refused", func(t *testing.T) {
		res := c.postForm(convPath(conv, "/complaint-text"), url.Values{"text": {"  "}})
		if !strings.Contains(res.Header.Get("Location"), "err=empty") {
			t.Fatalf("empty correction: %s", res.Header.Get("Location"))
		}
	})
}

// A cancel request after the ticket: the conversation needs an officer, and
// the reporter's words, with their reason, are on the complaint's page.
func TestCancelRequestReachesOfficer(t *testing.T) {
	e := newEnv(t)
	const from = "6281234500032"
	e.citizen(event.ChannelWhatsApp, from, identityText)
	conv := e.citizen(event.ChannelWhatsApp, from, "ini ktp saya", e.image("ini ktp saya"))
	e.citizen(event.ChannelWhatsApp, from, "batal aja pak, takut nanti bantuan sy dicabut")
	c := e.signIn("siti", RoleAdmin)
	_, body := c.get(convPath(conv, ""))
	_, panel, _ := strings.Cut(body, `id="perlu-petugas"`)
	ticket := regexp.MustCompile(`/admin/complaints/(ADU-\d{4}-\d{6})`).FindStringSubmatch(panel)
	if ticket == nil || !strings.Contains(panel, "pelapor meminta laporan dibatalkan") {
		t.Fatalf("the perlu petugas card does not name the cancel request and its complaint: %q", panel)
	}
	_, page := c.get(Prefix + "/complaints/" + ticket[1])
	if !strings.Contains(page, "Tambahan dari pelapor") || !strings.Contains(page, "takut nanti bantuan sy dicabut") {
		t.Error("the complaint page does not show the reporter's cancel request with the reason")
	}
}
