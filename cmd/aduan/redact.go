package main

import (
	"bytes"
	"io"
	"regexp"
)

// longNumber matches runs of ten or more digits, optionally after a plus
// sign: NIKs, KK numbers and phone numbers all look like this, while
// timestamps, counts and ports do not.
var longNumber = regexp.MustCompile(`\+?\d{10,}`)

// redactWriter masks long numbers in every log line before it is written.
// Code must not log personal data in the first place; this is the safety net
// for the line that slips through (an error message quoting input, say).
type redactWriter struct{ w io.Writer }

func (r redactWriter) Write(p []byte) (int, error) {
	if !longNumber.Match(p) {
		return r.w.Write(p)
	}
	masked := longNumber.ReplaceAllFunc(p, maskDigits)
	if _, err := r.w.Write(masked); err != nil {
		return 0, err
	}
	return len(p), nil
}

// maskDigits keeps the first four and last four characters, which is enough
// to tell numbers apart in a log and not enough to use one.
func maskDigits(b []byte) []byte {
	n := len(b)
	keep := 4
	if n < 2*keep+2 {
		keep = 2
	}
	out := append([]byte{}, b[:keep]...)
	out = append(out, bytes.Repeat([]byte{'x'}, n-2*keep)...)
	return append(out, b[n-keep:]...)
}
