package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// TestBrowserStatistics drives chromium through the monthly report: the
// pimpinan opens July's statistics, the charts are drawn, and the Excel
// link downloads a workbook that opens (read back with excelize) and holds
// the figures the page shows, chart by chart. It takes the screenshots of
// the page and of its satisfaction section.
func TestBrowserStatistics(t *testing.T) {
	path := chromium(t)
	e := statsEnv(t)
	e.addUser("pipit", RolePimpinan)
	shots := newScreenshots(t)
	ctx := newBrowser(t, path)
	do := func(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	var figs map[string]string
	var charts map[string]string // chart id → its description: "WhatsApp: 3; Facebook Messenger: 2; …"
	step := inOrder(t)

	step("the statistics page draws its charts", func(t *testing.T) {
		do(t, signInAs(e.ts.URL, "pipit")...)
		do(t, chromedp.Navigate(e.ts.URL+Prefix+"/statistik?bulan=2026-07"),
			chromedp.WaitVisible(chromedp.CSS("#kepuasan svg")))
		var err error
		figs, err = chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries(
			[...document.querySelectorAll('[id^="fig-"]')].map(e => [e.id.slice(4), e.textContent.trim()]))`))
		if err != nil {
			t.Fatal(err)
		}
		charts, err = chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries(
			[...document.querySelectorAll("svg.chart")].map(s => [s.querySelector("desc").id.slice(0, -2), s.querySelector("desc").textContent]))`))
		if err != nil {
			t.Fatal(err)
		}
		// Drawn, not only present: every chart has a width on the screen and its bars.
		drawn, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("svg.chart")].filter(
			s => s.getBoundingClientRect().width > 200 && s.querySelectorAll("rect, path, polyline, circle").length > 0).length`))
		if err != nil {
			t.Fatal(err)
		}
		if len(charts) != 6 || drawn != 6 {
			t.Errorf("%d charts, %d drawn; want 6: %v", len(charts), drawn, charts)
		}
		if figs["received"] != "7" || figs["asked"] != "3" || figs["responses"] != "2" || figs["index"] != "75" {
			t.Errorf("figures on the page %v", figs)
		}
		shots.take(ctx, "statistik")
		shots.takeOf(ctx, "#kepuasan", "statistik-kepuasan")
	})

	step("the Excel download opens and matches the page", func(t *testing.T) {
		dir := t.TempDir()
		progress := chromedp.Events(ctx, browser.DownloadProgress)
		do(t, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: ptrTrue(),
			})
			return err
		}), chromedp.Click(chromedp.CSS(`a[href^="/admin/statistik.xlsx?bulan=2026-07"]`)))
		var file string
		for ev, err := range progress {
			if err != nil {
				t.Fatal(err)
			}
			if ev.State == browser.DownloadProgressStateCanceled {
				t.Fatal("the download was cancelled")
			}
			if ev.State == browser.DownloadProgressStateCompleted {
				file = filepath.Join(dir, ev.GUID)
				break
			}
		}
		if fi, err := os.Stat(file); err != nil || fi.Size() == 0 {
			t.Fatalf("downloaded workbook: %v", err)
		}
		f, err := excelize.OpenFile(file)
		if err != nil {
			t.Fatalf("the workbook does not open: %v", err)
		}
		defer f.Close()
		cell := workbookCells(t, f)
		number := func(s string) string { // the page's "66,7%", "10 hari kerja", "3.00" as the workbook writes it
			s = strings.TrimSuffix(strings.TrimSuffix(s, " hari kerja"), "%")
			s = strings.ReplaceAll(s, ",", ".")
			if strings.Contains(s, ".") {
				s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
			}
			return s
		}
		for fig, key := range map[string]string{
			"received": "Ringkasan/Pengaduan diterima", "finished": "Ringkasan/Pengaduan selesai",
			"compliance": "Ringkasan/Kepatuhan batas waktu (%)", "median": "Ringkasan/Median hari kerja sampai selesai",
			"backlog": "Ringkasan/Tunggakan terbuka saat ini", "asked": "Kepuasan/Pelapor yang ditanya",
			"responses": "Kepuasan/Responden", "score": "Kepuasan/Rata-rata skor (1–4)",
			"index": "Kepuasan/Indeks kepuasan (25–100)",
		} {
			if got, want := cell[key], number(figs[fig]); got != want {
				t.Errorf("workbook %s = %q, the page shows %q", key, got, figs[fig])
			}
		}
		for chart, sheet := range map[string]string{"saluran": "Saluran", "kelas": "Kelas", "kategori": "Kategori",
			"tunggakan": "Tunggakan", "kepuasan": "Kepuasan"} {
			for _, bar := range strings.Split(charts[chart], "; ") {
				label, n, ok := strings.Cut(bar, ": ")
				if !ok {
					t.Fatalf("chart %s: bar %q", chart, bar)
				}
				if got := cell[sheet+"/"+label]; got != n {
					t.Errorf("workbook %s/%s = %q, the chart shows %s", sheet, label, got, n)
				}
			}
		}
	})
}

func ptrTrue() *bool { b := true; return &b }
