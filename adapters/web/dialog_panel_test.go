package web

import (
	"net/http"
	"net/url"
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
