package identity

import (
	"errors"
	"strings"
	"time"
)

// Errors of ParseNIK. Their text is English; the dialog explains them to
// citizens in Indonesian.
var (
	// ErrNIKLength: not exactly 16 digits.
	ErrNIKLength = errors.New("nik must have 16 digits")
	// ErrNIKProvince: the first two digits are not an Indonesian province code.
	ErrNIKProvince = errors.New("nik province code unknown")
	// ErrNIKDate: digits 7-12 are not a real date of birth (women add 40 to the day).
	ErrNIKDate = errors.New("nik birth date invalid")
	// ErrNIKFuture: the date of birth lies in the future.
	ErrNIKFuture = errors.New("nik birth date in the future")
	// ErrNIKSerial: the last four digits are 0000.
	ErrNIKSerial = errors.New("nik serial is 0000")
)

// NIK is a parsed national identity number.
type NIK struct {
	Number       string // the 16 digits
	ProvinceCode string // 2 digits
	Province     string // name of the province
	RegencyCode  string // 4 digits (province + regency/city)
	Regency      string // name when known (Kepulauan Bangka Belitung), else ""
	BirthDate    time.Time
	Female       bool
	Serial       string
}

// provinces are the Kemendagri province codes that open every NIK, including
// the Papua provinces created in 2022.
var provinces = map[string]string{
	"11": "Aceh",
	"12": "Sumatera Utara",
	"13": "Sumatera Barat",
	"14": "Riau",
	"15": "Jambi",
	"16": "Sumatera Selatan",
	"17": "Bengkulu",
	"18": "Lampung",
	"19": "Kepulauan Bangka Belitung",
	"21": "Kepulauan Riau",
	"31": "DKI Jakarta",
	"32": "Jawa Barat",
	"33": "Jawa Tengah",
	"34": "DI Yogyakarta",
	"35": "Jawa Timur",
	"36": "Banten",
	"51": "Bali",
	"52": "Nusa Tenggara Barat",
	"53": "Nusa Tenggara Timur",
	"61": "Kalimantan Barat",
	"62": "Kalimantan Tengah",
	"63": "Kalimantan Selatan",
	"64": "Kalimantan Timur",
	"65": "Kalimantan Utara",
	"71": "Sulawesi Utara",
	"72": "Sulawesi Tengah",
	"73": "Sulawesi Selatan",
	"74": "Sulawesi Tenggara",
	"75": "Gorontalo",
	"76": "Sulawesi Barat",
	"81": "Maluku",
	"82": "Maluku Utara",
	"91": "Papua",
	"92": "Papua Barat",
	"93": "Papua Selatan",
	"94": "Papua Tengah",
	"95": "Papua Pegunungan",
	"96": "Papua Barat Daya",
}

// regencies names the regencies and cities of the office's own province only;
// elsewhere the province is enough.
var regencies = map[string]string{
	"1901": "Kab. Bangka",
	"1902": "Kab. Belitung",
	"1903": "Kab. Bangka Selatan",
	"1904": "Kab. Bangka Tengah",
	"1905": "Kab. Bangka Barat",
	"1906": "Kab. Belitung Timur",
	"1971": "Kota Pangkalpinang",
}

// ParseNIK validates s (which may contain spaces, dots or dashes between
// digits) as a NIK issued no later than now.
//
// The birth date is read as 20YY unless that lies after now, then as 19YY.
// When neither reading is usable the error is ErrNIKFuture if one of them is
// a real calendar date (only later than now), else ErrNIKDate. A NIK has no
// check digit, so a valid result only means the number is well-formed.
func ParseNIK(s string, now time.Time) (NIK, error) {
	num, ok := nikDigits(s)
	if !ok {
		return NIK{}, ErrNIKLength
	}
	prov, ok := provinces[num[:2]]
	if !ok {
		return NIK{}, ErrNIKProvince
	}
	birth, female, err := nikBirthDate(num[6:12], now)
	if err != nil {
		return NIK{}, err
	}
	if num[12:] == "0000" {
		return NIK{}, ErrNIKSerial
	}
	return NIK{
		Number:       num,
		ProvinceCode: num[:2],
		Province:     prov,
		RegencyCode:  num[:4],
		Regency:      regencies[num[:4]],
		BirthDate:    birth,
		Female:       female,
		Serial:       num[12:],
	}, nil
}

// nikDigits strips the separators people type inside a NIK and reports
// whether exactly 16 digits and nothing else remain.
func nikDigits(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var b [16]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if n == len(b) {
				return "", false
			}
			b[n] = c
			n++
		case c == ' ' || c == '.' || c == '-':
		default:
			return "", false
		}
	}
	if n != len(b) {
		return "", false
	}
	return string(b[:]), true
}

// nikBirthDate reads DDMMYY, where women have 40 added to the day.
func nikBirthDate(ddmmyy string, now time.Time) (time.Time, bool, error) {
	day := atoi2(ddmmyy[0:2])
	month := atoi2(ddmmyy[2:4])
	yy := atoi2(ddmmyy[4:6])
	female := day > 40
	if female {
		day -= 40
	}
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	exists := false
	for _, year := range []int{2000 + yy, 1900 + yy} {
		t, ok := calendarDate(year, month, day)
		if !ok {
			continue
		}
		exists = true
		if !t.After(today) {
			return t, female, nil
		}
	}
	if exists {
		return time.Time{}, false, ErrNIKFuture
	}
	return time.Time{}, false, ErrNIKDate
}

// calendarDate builds the date and reports whether it exists (time.Date
// would silently roll 30 February over into March).
func calendarDate(year, month, day int) (time.Time, bool) {
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == day
}

func atoi2(s string) int {
	return int(s[0]-'0')*10 + int(s[1]-'0')
}

// MaskNIK hides all but the first four and last four digits: 1971xxxxxxxx0003.
// Separators are dropped. Input of another length is masked so that at most
// a quarter of its digits (never more than eight) show.
func MaskNIK(nik string) string {
	var digits []byte
	for i := 0; i < len(nik); i++ {
		if c := nik[i]; c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	keep := min(4, len(digits)/4)
	for i := keep; i < len(digits)-keep; i++ {
		digits[i] = 'x'
	}
	return string(digits)
}
