package identity

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaskNIKs masks every number in text that could hold a NIK, the way
// Extract reads numbers: digit runs joined across gaps of up to three
// separators (spaces, tabs, no-break spaces, dashes, parentheses, one dot)
// form one number, and every such number of 16 digits or more is shown as
// MaskNIK shows it (1971xxxxxxxx0003). The web, the log redactor and the CLI
// all mask free text with it, so no NIK that Extract would find survives.
//
// It joins a little more than Extract does (any Unicode space, and a JSON
// "\t" escape, count as a blank), so that a log line's escaped tab or an
// unusual space hides nothing; a number it masks is always a whole chain of
// joined runs, so what remains next to a mask can never be joined into a
// NIK again.
func MaskNIKs(text string) string { return ReplaceNIKs(text, MaskNIK) }

// ReplaceNIKs replaces every number in text that could hold a NIK, found as
// MaskNIKs finds them, with what replace returns for its digits.
func ReplaceNIKs(text string, replace func(digits string) string) string {
	norm, at := maskingCopy(text)
	var b strings.Builder
	done := 0 // bytes of text already written
	forEachChain(norm, func(start, end int, digits string) {
		if len(digits) < nikLength {
			return
		}
		from, to := at[start], at[end]
		b.WriteString(text[done:from])
		b.WriteString(replace(digits))
		done = to
	})
	if done == 0 {
		return text
	}
	b.WriteString(text[done:])
	return b.String()
}

// nikLength is the number of digits in a NIK (and a KK number).
const nikLength = 16

// maskingCopy is text with blanks normalized as Extract normalizes them
// (plus the extras MaskNIKs documents), and at[i] the offset in text of byte
// i of the copy; at[len(copy)] is len(text).
func maskingCopy(text string) (string, []int) {
	norm := make([]byte, 0, len(text))
	at := make([]int, 0, len(text)+1)
	for i := 0; i < len(text); {
		c := text[i]
		size := 1
		switch {
		case c == '\r':
			c = '\n'
			if i+1 < len(text) && text[i+1] == '\n' {
				size = 2
			}
		case c == '\t':
			c = ' '
		case c == '\\' && i+1 < len(text) && text[i+1] == 't':
			c, size = ' ', 2
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(text[i:])
			size = n
			if !unicode.IsSpace(r) {
				// Only its first byte matters: it is neither digit nor blank.
				norm = append(norm, text[i:i+n]...)
				for k := range n {
					at = append(at, i+k)
				}
				i += n
				continue
			}
			c = ' '
		}
		norm = append(norm, c)
		at = append(at, i)
		i += size
	}
	at = append(at, len(text))
	return string(norm), at
}

// forEachChain calls f for every maximal chain of digit runs that joinable
// gaps connect in s, with its byte span and its digits.
func forEachChain(s string, f func(start, end int, digits string)) {
	start, end := -1, -1
	var digits []byte
	for _, r := range digitRuns(s) {
		if start >= 0 && !joinable(s[end:r.start]) {
			f(start, end, string(digits))
			start, digits = -1, digits[:0]
		}
		if start < 0 {
			start = r.start
		}
		digits = append(digits, s[r.start:r.end]...)
		end = r.end
	}
	if start >= 0 {
		f(start, end, string(digits))
	}
}
