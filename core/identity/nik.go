package identity

import (
	"errors"
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

// ParseNIK validates s (which may contain spaces, dots or dashes between
// digits) as a NIK issued no later than now.
func ParseNIK(s string, now time.Time) (NIK, error) {
	return NIK{}, ErrNIKLength
}

// MaskNIK hides all but the first four and last four digits: 1971xxxxxxxx0003.
func MaskNIK(nik string) string {
	return ""
}
