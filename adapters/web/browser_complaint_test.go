package web

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// TestBrowserComplaint drives chromium through the procedure after intake:
// the verifikator verifies and classifies from the complaints page, the
// koordinator records a field inspection with a photo, resolves, and
// downloads the berita acara. It takes the screenshots of the complaints
// page and of a complaint.
func TestBrowserComplaint(t *testing.T) {
	path := chromium(t)
	e := newFlowEnv(t)
	fake := e.channelFake(event.ChannelWhatsApp)
	e.addUser("vera", RoleVerifikator)
	e.addUser("kurnia", RoleKoordinator)
	shots := newScreenshots(t)
	ticket, _ := e.fileComplaint("6281234500401", identityText, flowReceived)
	// Others, so the list shows every kind of deadline.
	for _, c := range []struct {
		from, text string
		days       int
		class      workflow.Class
		cat, due   string
	}{
		{"6281234500402", "Bantuan sembako tidak dibagikan merata di Desa Kace", 30, workflow.ClassA, "bpnt", "2026-05-29"},
		{"6281234500403", "Petugas kelurahan tidak ada di kantor saat jam layanan", 5, workflow.ClassA, "layanan_petugas", "2026-06-04"},
		{"6281234500404", "Lansia terlantar di Sungailiat belum pernah dikunjungi petugas", 1, workflow.ClassC, "lansia", "2026-08-26"},
	} {
		tk, _ := e.fileComplaint(c.from, c.text, flowReceived.AddDate(0, 0, -c.days))
		e.setState(tk, func(s *store.ComplaintState) {
			s.Status, s.Class, s.Category, s.DueDate, s.Assignee = workflow.Verified, c.class, c.cat, c.due, "kurnia"
		})
	}

	ctx := newBrowser(t, path)
	url := func(p string) string { return e.ts.URL + p }
	run := func(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	eval := func(t *testing.T, js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	signIn := func(t *testing.T, name string) { run(t, signInAs(e.ts.URL, name)...) }
	step := inOrder(t)

	step("verify and classify", func(t *testing.T) {
		signIn(t, "vera")
		run(t, chromedp.Click(chromedp.CSS(`nav a[href="/admin/complaints"]`)),
			chromedp.WaitVisible(chromedp.CSS("#complaints")))
		shots.take(ctx, "complaints")
		run(t, chromedp.Click(chromedp.CSS(`tr[data-ticket="`+ticket+`"] a`)),
			chromedp.WaitVisible(chromedp.CSS("#form-verify")),
			chromedp.Click(chromedp.CSS(`#form-verify input[value="B"]`)),
			chromedp.SetValue(chromedp.CSS("#v-category"), "pkh"),
			chromedp.Click(chromedp.CSS("#form-verify button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".alert.ok")))
		if got := eval(t, `document.getElementById("c-due").textContent`); !strings.Contains(got, "23 Juni 2026") ||
			!strings.Contains(got, "sisa 13 hari kerja") {
			t.Fatalf("deadline shown: %q", got)
		}
		fake.waitFor(t, "23 Juni 2026")
		run(t, chromedp.Click(chromedp.CSS(".who form button")), chromedp.WaitVisible(chromedp.CSS("#username")))
	})
	step("follow up with a field inspection and a photo", func(t *testing.T) {
		photo := filepath.Join(t.TempDir(), "lokasi.png")
		if err := os.WriteFile(photo, fieldPhoto(t), 0o644); err != nil {
			t.Fatal(err)
		}
		signIn(t, "kurnia")
		run(t, chromedp.Navigate(url(complaintPath(ticket, ""))),
			chromedp.WaitVisible(chromedp.CSS("#form-follow-up")),
			chromedp.SendKeys(chromedp.CSS("#fu-text"), "Telaah: nama ibu pelapor ada di DTKS, penyaluran PKH tahap II tertahan di bank."),
			chromedp.Click(chromedp.CSS("#form-follow-up details summary")),
			chromedp.SetValue(chromedp.CSS("#fu-date"), "2026-06-03"),
			chromedp.SendKeys(chromedp.CSS("#fu-place"), "Kantor Cabang BRI Pangkalpinang"),
			chromedp.SendKeys(chromedp.CSS("#fu-officers"), "Kurnia, Rudi Hartono"),
			chromedp.SendKeys(chromedp.CSS("#fu-findings"), "Rekening KKS terblokir karena data ganda."),
			chromedp.SetUploadFiles(chromedp.CSS("#fu-photos"), []string{photo}),
			chromedp.Click(chromedp.CSS("#form-follow-up button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".alert.ok")),
			chromedp.WaitVisible(chromedp.CSS(".followup .photos img")))
		if got := eval(t, `document.getElementById("c-status").textContent`); got != "Sedang ditindaklanjuti" {
			t.Fatalf("status shown: %q", got)
		}
		shots.take(ctx, "complaint")
	})
	step("resolve", func(t *testing.T) {
		eval(t, `window.confirm = function () { return true; }; ""`)
		run(t, chromedp.SendKeys(chromedp.CSS("#res-text"), "Blokir rekening KKS dibuka; bantuan PKH tahap II sudah cair pada 3 Juni 2026."),
			chromedp.Click(chromedp.CSS("#form-resolve button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#c-result-text")))
		fake.waitFor(t, "bantuan PKH tahap II sudah cair")
		if c, err := e.st.ComplaintState(context.Background(), ticket); err != nil || c.Status != workflow.Resolved {
			t.Fatalf("complaint after resolve: %+v %v", c, err)
		}
	})
	step("download the berita acara", func(t *testing.T) {
		got := eval(t, `fetch(document.getElementById("ba-link").href).then(function (r) {
			return r.arrayBuffer().then(function (b) {
				return r.status + " " + r.headers.get("content-type") + " " + String.fromCharCode.apply(null, new Uint8Array(b).slice(0, 5));
			});
		})`)
		if got != "200 application/pdf %PDF-" {
			t.Fatalf("berita acara download: %q", got)
		}
	})
}

// fieldPhoto is a PNG large enough to be seen in a screenshot: sky over
// a field.
func fieldPhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	for y := range 200 {
		for x := range 320 {
			c := color.RGBA{0x8e, 0xc5, 0xe8, 0xff}
			if y > 120 {
				c = color.RGBA{0x5a, 0x9e, 0x4b, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
