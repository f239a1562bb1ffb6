// Package identity finds and checks a reporter's identity in free Indonesian
// text: name, NIK, address, phone number, KTP photo, and the complaint itself.
// It is pure: values in, values out, no I/O.
package identity

import (
	"slices"
	"strings"
)

// Field is one item of the identity checklist, named by the code used in
// replies, config and the admin UI.
type Field string

// The checklist, in the order reporters are asked for it.
const (
	FieldName      Field = "nama"
	FieldNIK       Field = "nik"
	FieldAddress   Field = "alamat"
	FieldPhone     Field = "telepon"
	FieldKTPPhoto  Field = "foto_ktp"
	FieldComplaint Field = "isi_aduan"
)

// Fields lists every field in checklist order.
var Fields = []Field{FieldName, FieldNIK, FieldAddress, FieldPhone, FieldKTPPhoto, FieldComplaint}

// Found is what one message yields. Empty strings mean "not in this message".
type Found struct {
	Name    string
	Address string
	// Phone is in E.164 form (+62...).
	Phone string
	// NIK holds the 16 digits of a valid NIK.
	NIK string
	// NIKInvalid holds the digits of something written as a NIK that failed
	// validation, and NIKError why; both empty when none was found.
	NIKInvalid string
	NIKError   error
	// KTPMentioned is true when the text (or an image caption) says it is the KTP.
	KTPMentioned bool
	// KK holds the digits of a number labelled as the KK (kartu keluarga)
	// number; it is never the NIK.
	KK string
	// KKMentioned is true when it names the KK (kartu keluarga): a photo
	// captioned "foto KK, ktp blm jadi" is the KK, not the KTP.
	KKMentioned bool
	// Complaint is the substantive text that is not identity data or small talk.
	Complaint string
	// Concerned is someone else the message gives a name or NIK of ("ibu
	// saya Jamilah, NIK …"): never the reporter. Empty when none.
	Concerned Person
}

// Identity is what is known of a reporter so far.
type Identity struct {
	Name     string
	NIK      string
	Address  string
	Phone    string
	KTPPhoto bool
}

// Missing returns the fields of required that id (with the complaint text
// collected so far) still lacks, in checklist order.
func Missing(id Identity, complaint string, required []Field) []Field {
	var missing []Field
	for _, f := range Fields {
		if !slices.Contains(required, f) {
			continue
		}
		var empty bool
		switch f {
		case FieldName:
			empty = strings.TrimSpace(id.Name) == ""
		case FieldNIK:
			empty = strings.TrimSpace(id.NIK) == ""
		case FieldAddress:
			empty = strings.TrimSpace(id.Address) == ""
		case FieldPhone:
			empty = strings.TrimSpace(id.Phone) == ""
		case FieldKTPPhoto:
			empty = !id.KTPPhoto
		case FieldComplaint:
			empty = strings.TrimSpace(complaint) == ""
		}
		if empty {
			missing = append(missing, f)
		}
	}
	return missing
}
