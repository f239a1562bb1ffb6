package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/store"
)

// Made-up 2027 days off, test data only: we do not have the 2027 decree.
const testWeb2027 = "# TEST DATA, not the 2027 decree\n2027-01-01 libur Tahun Baru (uji)\n2027-01-04 cuti Cuti uji\n"

// TestHolidayYearSaved: a year saved on the web is listed, audited with who,
// which year and how many days, changes the stamp other processes watch,
// and enters the calendar unless the folder holds the same year.
func TestHolidayYearSaved(t *testing.T) {
	ctx := context.Background()
	st, _ := open(t)
	before, err := st.HolidayYearsStamp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, calendar.WIB)
	for days, data := range []string{"2027-01-01 libur Tahun Baru (uji)\n", testWeb2027} {
		if err := st.SaveHolidayYear(ctx, store.HolidayYear{Year: 2027, Data: data, Days: days + 1, SavedAt: at}, "siti"); err != nil {
			t.Fatal(err)
		}
	}
	after, err := st.HolidayYearsStamp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after == before {
		t.Error("the stamp did not change when a year was saved")
	}
	years, err := st.HolidayYears(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(years) != 1 || years[0].Year != 2027 || years[0].Days != 2 || years[0].SavedBy != "siti" || years[0].Data != testWeb2027 {
		t.Fatalf("HolidayYears = %+v, want 2027 replaced by the second save", years)
	}
	trail, err := st.AuditTrail(ctx, "calendar_year", "2027")
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 2 || trail[0].Actor != "siti" || trail[0].Action != "calendar.year_saved" {
		t.Errorf("audit trail = %+v, want two calendar.year_saved by siti", trail)
	}

	cal, shadowed, err := st.Calendar(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cal.Origin(2027) != calendar.Web || len(shadowed) != 0 {
		t.Errorf("Origin(2027) = %q, shadowed %v; want the web's", cal.Origin(2027), shadowed)
	}
	if ok, err := cal.IsWorkingDay(calendar.Date{Year: 2027, Month: 1, Day: 4}); err != nil || ok {
		t.Errorf("2027-01-04 working day = %v, %v; want the web's cuti", ok, err)
	}
	folder := calendar.Source{Name: "holidays/2027.txt", Data: []byte("2027-01-01 libur Tahun Baru (uji)\n")}
	cal, shadowed, err = st.Calendar(ctx, []calendar.Source{folder})
	if err != nil {
		t.Fatal(err)
	}
	if cal.Origin(2027) != folder.Name || !slices.Equal(shadowed, []int{2027}) {
		t.Errorf("with a folder file: Origin(2027) = %q, shadowed %v; want the folder's, the web's set aside", cal.Origin(2027), shadowed)
	}
}
