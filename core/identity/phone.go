package identity

import "errors"

// ErrPhone is returned for text that is not an Indonesian phone number.
var ErrPhone = errors.New("not an Indonesian phone number")

// NormalizePhone turns an Indonesian number in any usual form (0812-3456-7890,
// 62812..., +62 812 ...) into E.164 (+62812...).
func NormalizePhone(s string) (string, error) {
	return "", ErrPhone
}

// MaskPhone hides the middle of a phone number for logs: +62812xxxx7890.
func MaskPhone(p string) string {
	return ""
}
