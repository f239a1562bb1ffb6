package identity

import (
	"errors"
	"strings"
)

// ErrPhone is returned for text that is not an Indonesian phone number.
var ErrPhone = errors.New("not an Indonesian phone number")

// Lengths of the national significant number (after +62 or the trunk 0):
// mobile numbers are 08xx with 10-13 digits in all, landlines an area code
// of 2-3 digits after the 0 plus a 5-8 digit subscriber number.
const (
	minMobile   = 9
	maxMobile   = 12
	minLandline = 8
	maxLandline = 10
)

// NormalizePhone turns an Indonesian number in any usual form (0812-3456-7890,
// 62812..., +62 812 ..., (0717) 123456, 0062 812...) into E.164 (+62812...).
// Spaces, dots, dashes and parentheses are ignored; anything else is an error.
func NormalizePhone(s string) (string, error) {
	nsn, _, err := phoneNumber(s)
	if err != nil {
		return "", err
	}
	return "+62" + nsn, nil
}

// phoneNumber returns the national significant number of s and whether it
// is a mobile number.
func phoneNumber(s string) (string, bool, error) {
	s = strings.TrimSpace(s)
	plus := strings.HasPrefix(s, "+")
	if plus {
		s = s[1:]
	}
	digits := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == ' ' || c == '.' || c == '-' || c == '(' || c == ')':
		default:
			return "", false, ErrPhone
		}
	}
	d := string(digits)
	switch {
	case plus || strings.HasPrefix(d, "62"):
		var ok bool
		if d, ok = strings.CutPrefix(d, "62"); !ok {
			return "", false, ErrPhone
		}
		// "+62 (0)812..." keeps the trunk zero by habit.
		d = strings.TrimPrefix(d, "0")
	case strings.HasPrefix(d, "0062"):
		d = strings.TrimPrefix(d[4:], "0")
	case strings.HasPrefix(d, "0"):
		d = d[1:]
	}
	if d == "" {
		return "", false, ErrPhone
	}
	switch c := d[0]; {
	case c == '8':
		// No mobile prefix starts 80.
		if len(d) < minMobile || len(d) > maxMobile || d[1] == '0' {
			return "", false, ErrPhone
		}
		return d, true, nil
	case c >= '2' && c <= '9':
		if len(d) < minLandline || len(d) > maxLandline {
			return "", false, ErrPhone
		}
		return d, false, nil
	}
	return "", false, ErrPhone
}

// MaskPhone hides the middle of a phone number for logs: +62812xxxx7890.
// It keeps +62, the first three national digits and up to four last digits,
// always hiding at least three. Text that is
// not a phone number has every digit but the last two hidden.
func MaskPhone(p string) string {
	nsn, _, err := phoneNumber(p)
	if err != nil {
		b := []byte(p)
		seen := 0
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] >= '0' && b[i] <= '9' {
				if seen >= 2 {
					b[i] = 'x'
				}
				seen++
			}
		}
		return string(b)
	}
	tail := min(4, len(nsn)-6)
	return "+62" + nsn[:3] + strings.Repeat("x", len(nsn)-3-tail) + nsn[len(nsn)-tail:]
}
