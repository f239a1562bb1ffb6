package identity

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// now is the reference time of the tests. Every NIK in the tests is made up.
var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseNIK(t *testing.T) {
	pangkalpinangWoman := NIK{
		Number: "1971015708900003", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
		RegencyCode: "1971", Regency: "Kota Pangkalpinang", BirthDate: date(1990, 8, 17), Female: true, Serial: "0003",
	}
	tests := []struct {
		name string
		in   string
		now  time.Time // zero: now
		want NIK       // checked when err is nil
		err  error
	}{
		{name: "plain 16 digits, woman (57-40=17)", in: "1971015708900003", want: pangkalpinangWoman},
		{name: "grouped by spaces", in: "1971 0157 0890 0003", want: pangkalpinangWoman},
		{name: "grouped by dots", in: "1971.0157.0890.0003", want: pangkalpinangWoman},
		{name: "grouped by dashes", in: "1971-0157-0890-0003", want: pangkalpinangWoman},
		{name: "region-style dots", in: "19.71.01.570890.0003", want: pangkalpinangWoman},
		{name: "surrounding blanks", in: "  1971015708900003 \n", want: pangkalpinangWoman},
		{name: "man born on the 17th", in: "1971011708900003", want: NIK{
			Number: "1971011708900003", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
			RegencyCode: "1971", Regency: "Kota Pangkalpinang", BirthDate: date(1990, 8, 17), Serial: "0003"}},
		{name: "woman born on the 1st (41)", in: "1901034101850001", want: NIK{
			Number: "1901034101850001", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
			RegencyCode: "1901", Regency: "Kab. Bangka", BirthDate: date(1985, 1, 1), Female: true, Serial: "0001"}},
		{name: "woman born on the 31st (71)", in: "1902037112800002", want: NIK{
			Number: "1902037112800002", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
			RegencyCode: "1902", Regency: "Kab. Belitung", BirthDate: date(1980, 12, 31), Female: true, Serial: "0002"}},
		{name: "Bangka Selatan", in: "1903021505850002", want: NIK{
			Number: "1903021505850002", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
			RegencyCode: "1903", Regency: "Kab. Bangka Selatan", BirthDate: date(1985, 5, 15), Serial: "0002"}},
		{name: "Bangka Tengah", in: "1904031210780004", want: NIK{
			Number: "1904031210780004", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
			RegencyCode: "1904", Regency: "Kab. Bangka Tengah", BirthDate: date(1978, 10, 12), Serial: "0004"}},
		{name: "Bangka Barat", in: "1905011209880001", want: NIK{
			Number: "1905011209880001", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
			RegencyCode: "1905", Regency: "Kab. Bangka Barat", BirthDate: date(1988, 9, 12), Serial: "0001"}},
		{name: "Belitung Timur", in: "1906024506950001", want: NIK{
			Number: "1906024506950001", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
			RegencyCode: "1906", Regency: "Kab. Belitung Timur", BirthDate: date(1995, 6, 5), Female: true, Serial: "0001"}},
		{name: "unknown regency of the province is still valid", in: "1999011708900003", want: NIK{
			Number: "1999011708900003", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
			RegencyCode: "1999", BirthDate: date(1990, 8, 17), Serial: "0003"}},
		{name: "other province: DKI Jakarta", in: "3174055203950004", want: NIK{
			Number: "3174055203950004", ProvinceCode: "31", Province: "DKI Jakarta",
			RegencyCode: "3174", BirthDate: date(1995, 3, 12), Female: true, Serial: "0004"}},
		{name: "other province: Kepulauan Riau", in: "2171011505880001", want: NIK{
			Number: "2171011505880001", ProvinceCode: "21", Province: "Kepulauan Riau",
			RegencyCode: "2171", BirthDate: date(1988, 5, 15), Serial: "0001"}},
		{name: "new province: Papua Barat Daya", in: "9671011505880001", want: NIK{
			Number: "9671011505880001", ProvinceCode: "96", Province: "Papua Barat Daya",
			RegencyCode: "9671", BirthDate: date(1988, 5, 15), Serial: "0001"}},
		{name: "new province: Papua Pegunungan", in: "9502011505880001", want: NIK{
			Number: "9502011505880001", ProvinceCode: "95", Province: "Papua Pegunungan",
			RegencyCode: "9502", BirthDate: date(1988, 5, 15), Serial: "0001"}},
		{name: "29 Feb 2000 is a leap day", in: "1971012902000003", want: NIK{
			Number: "1971012902000003", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
			RegencyCode: "1971", Regency: "Kota Pangkalpinang", BirthDate: date(2000, 2, 29), Serial: "0003"}},
		{name: "29 Feb 96 falls back to 1996, a leap year", in: "1971012902960003", want: NIK{
			Number: "1971012902960003", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
			RegencyCode: "1971", Regency: "Kota Pangkalpinang", BirthDate: date(1996, 2, 29), Serial: "0003"}},
		{name: "woman born 29 Feb 2004 (69)", in: "1971016902040003", want: NIK{
			Number: "1971016902040003", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
			RegencyCode: "1971", Regency: "Kota Pangkalpinang", BirthDate: date(2004, 2, 29), Female: true, Serial: "0003"}},
		{name: "YY=26 earlier this year reads as 2026", in: "1971010101260003", want: NIK{
			Number: "1971010101260003", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
			RegencyCode: "1971", Regency: "Kota Pangkalpinang", BirthDate: date(2026, 1, 1), Serial: "0003"}},
		{name: "born today is not in the future", in: "1971012711260003", want: NIK{
			Number: "1971012711260003", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
			RegencyCode: "1971", Regency: "Kota Pangkalpinang", BirthDate: date(2026, 11, 27), Serial: "0003"}},
		{name: "tomorrow in 2026 falls back to 1926", in: "1971012811260003", want: NIK{
			Number: "1971012811260003", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
			RegencyCode: "1971", Regency: "Kota Pangkalpinang", BirthDate: date(1926, 11, 28), Serial: "0003"}},
		{name: "serial 0001 is the first valid", in: "1971015708900001", want: NIK{
			Number: "1971015708900001", ProvinceCode: "19", Province: "Kepulauan Bangka Belitung",
			RegencyCode: "1971", Regency: "Kota Pangkalpinang", BirthDate: date(1990, 8, 17), Female: true, Serial: "0001"}},

		{name: "31 Feb", in: "1971013102900003", err: ErrNIKDate},
		{name: "30 Feb", in: "1971013002900003", err: ErrNIKDate},
		{name: "29 Feb in a non-leap year (2001 and 1901)", in: "1971012902010003", err: ErrNIKDate},
		{name: "29 Feb 97 (neither 2097 nor 1997 is leap)", in: "1971012902970003", err: ErrNIKDate},
		{name: "31 April", in: "1971013104900003", err: ErrNIKDate},
		{name: "day 00", in: "1971010001900003", err: ErrNIKDate},
		{name: "day 35: neither man (1-31) nor woman (41-71)", in: "1971013501900003", err: ErrNIKDate},
		{name: "day 40: a woman's day 0", in: "1971014001900003", err: ErrNIKDate},
		{name: "day 72: a woman's 32nd", in: "1971017201900003", err: ErrNIKDate},
		{name: "month 00", in: "1971011500900003", err: ErrNIKDate},
		{name: "month 13", in: "1971011513900003", err: ErrNIKDate},
		{name: "both centuries after now", in: "1971010101970003", now: date(1995, 6, 1), err: ErrNIKFuture},
		{name: "2000 leap day after now, 1900 not leap: future, not invalid", in: "1971012902000003", now: date(1999, 12, 31), err: ErrNIKFuture},
		{name: "serial 0000", in: "1971015708900000", err: ErrNIKSerial},
		{name: "15 digits", in: "197101570890003", err: ErrNIKLength},
		{name: "17 digits", in: "19710157089000031", err: ErrNIKLength},
		{name: "letter O for zero", in: "1971O15708900003", err: ErrNIKLength},
		{name: "slash is not a separator", in: "1971/0157/0890/0003", err: ErrNIKLength},
		{name: "empty", in: "", err: ErrNIKLength},
		{name: "province 00", in: "0071015708900003", err: ErrNIKProvince},
		{name: "province 10, just below Aceh", in: "1071015708900003", err: ErrNIKProvince},
		{name: "province 20", in: "2071015708900003", err: ErrNIKProvince},
		{name: "province 37", in: "3771015708900003", err: ErrNIKProvince},
		{name: "province 97, after the Papua provinces", in: "9771015708900003", err: ErrNIKProvince},
		{name: "province 99", in: "9971015708900003", err: ErrNIKProvince},
		{name: "province is checked before the date", in: "2071013102900003", err: ErrNIKProvince},
		{name: "date is checked before the serial", in: "1971013102900000", err: ErrNIKDate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at := tc.now
			if at.IsZero() {
				at = now
			}
			got, err := ParseNIK(tc.in, at)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("ParseNIK(%q) error = %v, want %v", tc.in, err, tc.err)
				}
				if got != (NIK{}) {
					t.Errorf("ParseNIK(%q) = %+v with error, want zero NIK", tc.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseNIK(%q) error = %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseNIK(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
			}
		})
	}
}

// The birth date is compared with the reporter's calendar day, in now's
// time zone, not in UTC.
func TestParseNIKUsesLocalDay(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	at := time.Date(2026, 11, 28, 6, 0, 0, 0, wib) // 27 Nov 23:00 UTC
	got, err := ParseNIK("1971012811260003", at)
	if err != nil {
		t.Fatal(err)
	}
	if want := date(2026, 11, 28); !got.BirthDate.Equal(want) {
		t.Errorf("BirthDate = %v, want %v (born today in WIB)", got.BirthDate, want)
	}
}

func TestProvinceCodes(t *testing.T) {
	want := strings.Fields("11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 71 72 73 74 75 76 81 82 91 92 93 94 95 96")
	for code := 0; code < 100; code++ {
		c := string([]byte{byte('0' + code/10), byte('0' + code%10)})
		known := RegionName(c) != ""
		listed := false
		for _, w := range want {
			listed = listed || w == c
		}
		if known != listed {
			t.Errorf("RegionName(%q) known = %v, want %v", c, known, listed)
		}
	}
}

func TestRegionName(t *testing.T) {
	tests := []struct{ code, want string }{
		{"19", "Kepulauan Bangka Belitung"},
		{"91", "Papua"},
		{"92", "Papua Barat"},
		{"93", "Papua Selatan"},
		{"94", "Papua Tengah"},
		{"1971", "Kota Pangkalpinang"},
		{"1906", "Kab. Belitung Timur"},
		{"1907", ""},
		{"3171", ""}, // outside the province only the province is named
		{"20", ""},
		{"1", ""},
		{"197101", ""},
	}
	for _, tc := range tests {
		if got := RegionName(tc.code); got != tc.want {
			t.Errorf("RegionName(%q) = %q, want %q", tc.code, got, tc.want)
		}
	}
}

func TestMaskNIK(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"16 digits", "1971015708900003", "1971xxxxxxxx0003"},
		{"with separators", "1971 0157.0890-0003", "1971xxxxxxxx0003"},
		{"15 digits", "197101570890003", "197xxxxxxxxx003"},
		{"17 digits", "19710157089000031", "1971xxxxxxxxx0031"},
		{"8 digits", "12345678", "12xxxx78"},
		{"3 digits", "123", "xxx"},
		{"no digits", "nik saya", ""},
		{"empty", "", ""},
		{"32 digits", strings.Repeat("1971015708900003", 2), "1971" + strings.Repeat("x", 24) + "0003"},
	}
	for _, tc := range tests {
		if got := MaskNIK(tc.in); got != tc.want {
			t.Errorf("%s: MaskNIK(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

// Whatever the input, a masked NIK shows at most 8 digits and at most half.
func TestMaskNIKRevealsLittle(t *testing.T) {
	for n := 0; n <= 40; n++ {
		in := strings.Repeat("7", n)
		got := MaskNIK(in)
		shown := strings.Count(got, "7")
		if shown > 8 || shown > n/2 {
			t.Errorf("MaskNIK of %d digits shows %d: %q", n, shown, got)
		}
		if len(got) != n {
			t.Errorf("MaskNIK of %d digits has length %d", n, len(got))
		}
	}
}

func BenchmarkParseNIK(b *testing.B) {
	for b.Loop() {
		if _, err := ParseNIK("1971 0157 0890 0003", now); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseNIK: ParseNIK never panics, and a NIK it accepts is 16 digits
// with a known province, born no later than now, that parses again to the
// same and masks to eight digits shown.
func FuzzParseNIK(f *testing.F) {
	for _, s := range []string{"1971015708900003", "1971 0157.0890-0003", "3273014107950001", "1971013002000001",
		"9971015708900003", "1971015708900000", "19710157089000031", "", "1971-0157"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		nik, err := ParseNIK(s, now)
		if err != nil {
			return
		}
		if len(nik.Number) != 16 || strings.Trim(nik.Number, "0123456789") != "" {
			t.Fatalf("ParseNIK(%q).Number = %q", s, nik.Number)
		}
		if RegionName(nik.ProvinceCode) == "" || nik.BirthDate.After(now) || nik.Serial == "0000" {
			t.Errorf("ParseNIK(%q) = %+v", s, nik)
		}
		again, err := ParseNIK(nik.Number, now)
		if err != nil || again != nik {
			t.Errorf("ParseNIK(%q) = %+v, %v; want %+v", nik.Number, again, err, nik)
		}
		if m := MaskNIK(nik.Number); strings.Count(m, "x") != 8 {
			t.Errorf("MaskNIK(%q) = %q", nik.Number, m)
		}
	})
}

// RegionName names a Kemendagri region code: a 2-digit province code, or a
// 4-digit regency/city code of Kepulauan Bangka Belitung. It returns "" for
// codes it does not know.
func RegionName(code string) string {
	switch len(code) {
	case 2:
		return provinces[code]
	case 4:
		return regencies[code]
	}
	return ""
}
