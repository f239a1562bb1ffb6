package main

import (
	"io"
	"regexp"

	"github.com/aduan-gateway/aduan/core/identity"
)

// longNumber matches runs of ten or more digits: phone numbers look like
// this, while timestamps, counts, ports and addresses do not.
var longNumber = regexp.MustCompile(`\d{10,}`)

// redactWriter masks NIKs, as identity.MaskNIKs finds them, and other long
// numbers in every log line before it is written. Code must not log personal
// data in the first place; this is the safety net for the line that slips
// through (an error message quoting input, say).
type redactWriter struct{ w io.Writer }

func (r redactWriter) Write(p []byte) (int, error) {
	masked := identity.MaskNIKs(string(p))
	masked = longNumber.ReplaceAllStringFunc(masked, identity.MaskNIK)
	if _, err := io.WriteString(r.w, masked); err != nil {
		return 0, err
	}
	return len(p), nil
}
