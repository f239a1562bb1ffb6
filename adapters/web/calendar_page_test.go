package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/calendar"
)

// testWeb2027 is MADE-UP 2027 data for tests, not the 2027 decree (which
// Aduan does not have): a cuti bersama on 4 January and one on 8 February
// move a class C deadline from 2027-02-24 to 2027-03-01.
const testWeb2027 = `# TEST DATA ONLY, not the 2027 SKB
2027-01-01 libur Tahun Baru 2027 Masehi (uji)
2027-01-04 cuti  Cuti bersama uji
2027-02-08 cuti  Cuti bersama uji kedua
`

// TestCalendarPageAddsYear: on 2026-11-30 a class C verification reaches
// 2027, which has no data, and is refused; an admin pastes 2027's lines on
// /admin/kalender (a mistake is refused with its line and nothing saved, a
// preview saves nothing), saves them, audited, and the same verification
// then succeeds with the due date counted through the entered days, without
// a restart. Other roles may not open the page.
func TestCalendarPageAddsYear(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	e.advance(time.Until(time.Date(2026, 11, 30, 9, 0, 0, 0, calendar.WIB)))
	received := time.Date(2026, 11, 30, 8, 0, 0, 0, calendar.WIB)
	ticket, _ := e.fileComplaint("6281200000101", "Bantuan BPNT belum cair", received)
	vera, ani := e.signIn("vera", RoleVerifikator), e.signIn("ani", RoleAdmin)
	classC := func() url.Values { return url.Values{"class": {"C"}, "category": {"pkh"}} }

	var nd *calendar.NoDataError
	if _, err := e.srv.complaints.Calendar().Due(received, 60); !errors.As(err, &nd) || nd.Year != 2027 {
		t.Fatalf("class C before 2027 is added: %v, want no data for 2027", err)
	}
	if got := outcome(vera.postForm(complaintPath(ticket, "/verify"), classC()), ticket); got != "err=no_calendar&tahun=2027" {
		t.Fatalf("verify class C before 2027 is added: %s, want err=no_calendar naming 2027", got)
	}
	if _, body := vera.get(complaintPath(ticket, "?err=no_calendar&tahun=2027")); !strings.Contains(body, "Kalender hari kerja tahun 2027 belum tersedia") {
		t.Errorf("the complaint page does not name 2027:\n%s", body)
	}
	if _, body := ani.get(Prefix + "/channels"); !strings.Contains(body, `href="/admin/kalender"`) {
		t.Error("the channels page's warning does not link to the calendar page")
	}
	if _, body := ani.get(Prefix + "/kalender"); !strings.Contains(body, "dapat sampai ke tahun 2027") ||
		!strings.Contains(body, "<td>2026</td><td>25</td><td>bawaan aplikasi</td>") {
		t.Errorf("the calendar page does not list the years and warn about 2027:\n%s", body)
	}

	if res, _ := vera.get(Prefix + "/kalender"); res.StatusCode != http.StatusForbidden {
		t.Errorf("verifikator opening the page: status %d, want 403", res.StatusCode)
	}
	if res := vera.postForm(Prefix+"/kalender", url.Values{"data": {testWeb2027}, "action": {"simpan"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("verifikator saving: status %d, want 403", res.StatusCode)
	}
	bad := strings.Replace(testWeb2027, "2027-01-04 cuti", "2027-01-04 cutibersama", 1)
	res, body := ani.postPage(Prefix+"/kalender", url.Values{"data": {bad}, "action": {"simpan"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Baris 3: jenis &#34;cutibersama&#34; tidak dikenal") {
		t.Errorf("a malformed line: status %d, want 400 naming line 3:\n%s", res.StatusCode, body)
	}
	res, body = ani.postPage(Prefix+"/kalender", url.Values{"data": {testWeb2027}, "action": {"pratinjau"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Tahun 2027 belum memiliki data: 3 hari akan ditambahkan") ||
		!strings.Contains(body, "Senin, 8 Februari 2027") {
		t.Errorf("preview: status %d:\n%s", res.StatusCode, body)
	}
	if years, err := e.st.HolidayYears(ctx); err != nil || len(years) != 0 {
		t.Fatalf("after a mistake and a preview: %v, %v; want nothing saved", years, err)
	}

	res = ani.postForm(Prefix+"/kalender", url.Values{"data": {testWeb2027}, "action": {"simpan"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != Prefix+"/kalender?disimpan=2027" {
		t.Fatalf("save: status %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	trail, err := e.st.AuditTrail(ctx, "calendar_year", "2027")
	if err != nil || len(trail) != 1 || trail[0].Actor != "ani" || trail[0].Action != "calendar.year_saved" {
		t.Errorf("audit trail %+v, %v; want calendar.year_saved by ani", trail, err)
	}
	if _, body := ani.get(Prefix + "/kalender"); !strings.Contains(body, "<td>2027</td><td>3</td><td>dimasukkan lewat halaman ini oleh ani") {
		t.Errorf("the page does not list the entered 2027:\n%s", body)
	}

	if got := outcome(vera.postForm(complaintPath(ticket, "/verify"), classC()), ticket); got != "ok=verify" {
		t.Fatalf("verify class C after 2027 is added: %s", got)
	}
	c, err := e.st.ComplaintState(ctx, ticket)
	if err != nil {
		t.Fatal(err)
	}
	// 60 working days after Monday 30 November 2026, through 24 and 25
	// December and the three test days of 2027 (2027-02-24 without them).
	if c.DueDate != "2027-03-01" {
		t.Errorf("due %s, want 2027-03-01", c.DueDate)
	}
}

// TestCalendarPageRefusesFolderYear: a year the holidays folder holds is
// not replaced from the web; the page says where to change it.
func TestCalendarPageRefusesFolderYear(t *testing.T) {
	t.Parallel()
	folder := []calendar.Source{{Name: "/srv/aduan/holidays/2027.txt", Data: []byte(testWeb2027)}}
	cal, err := calendar.New(folder...)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(o *Options) { o.HolidayFiles = folder; o.Complaints.SetCalendar(cal) })
	ani := e.signIn("ani", RoleAdmin)
	res, body := ani.postPage(Prefix+"/kalender", url.Values{"data": {"2027-01-01 libur Tahun Baru (uji)\n"}, "action": {"simpan"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Tahun 2027 diatur oleh berkas /srv/aduan/holidays/2027.txt") {
		t.Errorf("status %d, want 400 naming the folder's file:\n%s", res.StatusCode, body)
	}
	if years, err := e.st.HolidayYears(context.Background()); err != nil || len(years) != 0 {
		t.Errorf("saved %v, %v; want nothing", years, err)
	}
}
