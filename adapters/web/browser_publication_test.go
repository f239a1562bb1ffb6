package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aduan-gateway/aduan/core/workflow"
)

// TestBrowserPublication drives chromium through the uji konsekuensi: the
// pimpinan opens a finished complaint, decides to publish it with a
// summary for the public, and the public results page shows it, on a
// laptop and a phone. It takes the screenshots of both pages.
func TestBrowserPublication(t *testing.T) {
	path := chromium(t)
	e := newPublicEnv(t)
	shots := newScreenshots(t)
	recv := time.Now().AddDate(0, 0, -20)
	ticket := e.file(0, people[0], recv)
	e.resolve(ticket, "pkh", people[0].result, recv, recv.AddDate(0, 0, 3))
	other := e.file(1, people[1], recv.Add(time.Hour))
	e.resolve(other, "layanan_petugas", people[1].result, recv.Add(time.Hour), recv.AddDate(0, 0, 15))
	e.decide(other, workflow.Publish, people[1].reason, "Petugas layanan telah dibina; prosedur pelayanan di kecamatan diperbaiki.")
	summary := "Bantuan PKH yang tertunda telah disalurkan kembali setelah rekening penerima diaktifkan."

	ctx := newBrowser(t, path)
	run := func(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	text := func(t *testing.T, sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("`+sel+`").textContent`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	step := inOrder(t)

	step("the pimpinan decides to publish", func(t *testing.T) {
		run(t, signInAs(e.ts.URL, "pipit")...)
		run(t, chromedp.Navigate(e.ts.URL+complaintPath(ticket, "")),
			chromedp.WaitVisible(chromedp.CSS("#publication-link")),
			chromedp.Click(chromedp.CSS("#publication-link")),
			chromedp.WaitVisible(chromedp.CSS("#form-publication")),
			chromedp.Click(chromedp.CSS(`#form-publication input[value="publish"]`)),
			chromedp.SendKeys(chromedp.CSS("#p-reason"), "Tidak memuat data pribadi; bermanfaat bagi penerima PKH lain."),
			chromedp.Click(chromedp.CSS("#form-publication button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".alert.error")))
		if got := text(t, ".alert.error"); !strings.Contains(got, "ringkasan untuk publik") {
			t.Fatalf("publishing without a summary: %q", got)
		}
		run(t, chromedp.SendKeys(chromedp.CSS("#p-summary"), summary),
			chromedp.Click(chromedp.CSS("#form-publication button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".alert.ok")))
		if got := text(t, "#p-current"); !strings.Contains(got, "Dipublikasikan") || !strings.Contains(got, "pipit") {
			t.Fatalf("current decision shown: %q", got)
		}
		shots.take(ctx, "uji-konsekuensi")
	})
	step("the public page shows the result", func(t *testing.T) {
		run(t, chromedp.Navigate(e.pub.URL+"/publikasi/"), chromedp.WaitVisible(chromedp.CSS("table.hasil")))
		body := text(t, "main")
		for _, want := range []string{ticket, other, summary, "Tepat waktu", "Melewati batas waktu", "PKH (Program Keluarga Harapan)"} {
			if !strings.Contains(body, want) {
				t.Errorf("the public page lacks %q", want)
			}
		}
		for _, p := range people[:2] {
			for _, v := range p.secrets() {
				if strings.Contains(body, v) {
					t.Errorf("the public page shows %q", v)
				}
			}
		}
		shots.take(ctx, "publikasi")
		run(t, chromedp.EmulateViewport(390, 844),
			chromedp.Navigate(e.pub.URL+"/publikasi/"+ticket), chromedp.WaitVisible(chromedp.CSS("dl.rincian")))
		if got := text(t, "main"); !strings.Contains(got, summary) || !strings.Contains(got, "Tepat waktu") {
			t.Errorf("one result: %q", got)
		}
		shots.take(ctx, "publikasi-phone")
	})
	if ds, err := e.st.PublicationDecisions(context.Background(), ticket); err != nil || len(ds) != 1 || ds[0].DecidedBy != "pipit" {
		t.Errorf("decisions %+v, %v", ds, err)
	}
}
