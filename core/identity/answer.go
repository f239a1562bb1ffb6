package identity

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ExtractAnswer is Extract for a message that answers the dialog's request
// for the fields in expecting. Citizens often answer "nama lengkap?" with
// just "siti aminah", or "alamat?" with just "jalan merdeka no 5 rt 02":
// alone, such a line could be a remark or the complaint; as the answer to
// what was asked, it is that field. It counts only when the message is one
// line that Extract found no identity in, and, for a name, only when the
// complaint is not also awaited (a short complaint such as "PKH macet" must
// not become a name).
func ExtractAnswer(text string, now time.Time, expecting []Field) Found {
	bareMin := 2
	if slices.Contains(expecting, FieldName) {
		bareMin = 1
	}
	f := extract(text, now, bareMin)
	if len(expecting) == 0 || f.Name != "" || f.Address != "" || f.Phone != "" || f.NIK != "" || f.NIKInvalid != "" {
		return f
	}
	line := strings.TrimSpace(text)
	if line == "" || strings.Contains(line, "\n") {
		return f
	}
	low := strings.ToLower(line)
	// "dari Kelapa, Bangka Barat" answers "alamat?"; "atas nama Yanti" answers "nama?".
	for _, lead := range []string{"dari ", "asal ", "tinggal di ", "di "} {
		if rest, ok := strings.CutPrefix(low, lead); ok && slices.Contains(expecting, FieldAddress) {
			place := strings.TrimRight(line[len(line)-len(rest):], " .,;")
			if r, _ := utf8.DecodeRuneInString(place); unicode.IsUpper(r) && !strings.ContainsAny(place, "?!") {
				f.Address, f.Complaint = place, ""
				return f
			}
		}
	}
	for _, lead := range []string{"atas nama ", "a.n. ", "an. ", "a/n "} {
		if rest, ok := strings.CutPrefix(low, lead); ok && slices.Contains(expecting, FieldName) {
			if name, ok := nameShaped(line[len(line)-len(rest):], 1, false); ok {
				f.Name, f.Complaint = name, ""
				return f
			}
		}
	}
	if slices.Contains(expecting, FieldAddress) && addressShaped(line) {
		f.Address = strings.TrimRight(line, ".,;")
		f.Complaint = ""
		return f
	}
	if slices.Contains(expecting, FieldName) && !slices.Contains(expecting, FieldComplaint) && f.Complaint == "" {
		if name, ok := nameShaped(line, 1, false); ok {
			f.Name = name
		}
	}
	return f
}

// addressHeads open an address given without its label.
var addressHeads = wordSet(`jalan jl jln gang gg komplek komp perum perumahan dusun dsn desa ds kampung kp blok rt kelurahan kel`)

// addressMarkers inside such a line make it an address rather than a
// sentence about a street or a village.
var addressMarkers = wordSet(`rt rw no nomor kel kelurahan kec kecamatan kab kabupaten blok`)

// addressShaped reports whether line is an address on its own: it opens
// with an address word, holds a house number or an administrative marker
// (RT, RW, kelurahan, kecamatan, ...), and none of the words that start a
// complaint ("kami", "tidak", "bantuan", ...).
func addressShaped(line string) bool {
	words := strings.FieldsFunc(strings.ToLower(line), func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == '.' || r == '/' || r == ':'
	})
	if len(words) < 2 || len(words) > 20 || !addressHeads[words[0]] {
		return false
	}
	marked := false
	for _, w := range words[1:] {
		if addrStop[w] || addrQuestion[w] {
			return false
		}
		if addressMarkers[w] || strings.ContainsFunc(w, unicode.IsDigit) {
			marked = true
		}
	}
	return marked
}
