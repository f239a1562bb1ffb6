package identity

import (
	"errors"
	"fmt"
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

// InternationalPhone reads a number of any country as WhatsApp addresses
// it: its digits with the country code and no plus ("6281234567890",
// "16505551234"). A number with the trunk 0, or a bare 8… mobile number as
// many Indonesians write it, is read as Indonesian; other digits are taken
// to start with their country code, so a foreign citizen's WhatsApp id is
// kept as it is.
func InternationalPhone(s string) (string, error) {
	d, _, bad := scanPhone(s)
	if bad != 0 {
		return "", fmt.Errorf("%q is not a phone number", bad)
	}
	switch {
	case strings.HasPrefix(d, "00"):
		d = d[2:]
	case strings.HasPrefix(d, "0"):
		d = "62" + d[1:]
	case strings.HasPrefix(d, "8") && len(d) <= 12:
		d = "62" + d
	}
	if len(d) < 8 || len(d) > 15 {
		return "", fmt.Errorf("a phone number has 8 to 15 digits with the country code, got %d", len(d))
	}
	return d, nil
}

// Digits keeps the digits of s ("0812-3456 7890" → "081234567890"), for
// matching numbers however they were written.
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// scanPhone reads the digits of a number as people type it: spaces, dots,
// dashes and parentheses are ignored and a leading "+" is reported; bad is
// the first other character, if any.
func scanPhone(s string) (digits string, plus bool, bad rune) {
	s, plus = strings.CutPrefix(strings.TrimSpace(s), "+")
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b = append(b, byte(r))
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return "", plus, r
		}
	}
	return string(b), plus, 0
}

// phoneNumber returns the national significant number of s and whether it
// is a mobile number.
func phoneNumber(s string) (string, bool, error) {
	d, plus, bad := scanPhone(s)
	if bad != 0 {
		return "", false, ErrPhone
	}
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
