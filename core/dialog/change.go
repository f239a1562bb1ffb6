package dialog

import (
	"strings"

	"github.com/aduan-gateway/aduan/core/identity"
)

// hasTicket: the reporter already has a submitted complaint, so their
// identity is on record and changes only with their confirmation.
func (s *step) hasTicket() bool {
	return s.conv.Ticket != "" || len(s.in.OwnTickets) > 0
}

// pendingFields lists the fields of Conversation.Pending, in checklist order.
func pendingFields(p identity.Identity) []identity.Field {
	var out []identity.Field
	for _, f := range identity.Fields {
		if fieldValue(p, f) != "" {
			out = append(out, f)
		}
	}
	return out
}

func fieldValue(id identity.Identity, f identity.Field) string {
	switch f {
	case identity.FieldName:
		return id.Name
	case identity.FieldNIK:
		return id.NIK
	case identity.FieldAddress:
		return id.Address
	case identity.FieldPhone:
		return id.Phone
	}
	return ""
}

func fieldPtr(id *identity.Identity, f identity.Field) *string {
	switch f {
	case identity.FieldName:
		return &id.Name
	case identity.FieldNIK:
		return &id.NIK
	case identity.FieldAddress:
		return &id.Address
	case identity.FieldPhone:
		return &id.Phone
	}
	return nil
}

// answerPending handles the reporter's YA or TIDAK to "Apakah Anda ingin
// mengganti …?". It reports false when the message is no such answer; the
// question then lapses and the message is handled as any other.
func (s *step) answerPending() (bool, error) {
	yes, no := yesNo(s.in.Msg.Text)
	if len(s.in.Msg.Attachments) > 0 || (!yes && !no) {
		s.conv.Pending = identity.Identity{}
		return false, nil
	}
	fields := pendingFields(s.conv.Pending)
	pending := s.conv.Pending
	s.conv.Pending = identity.Identity{}
	v := s.view()
	v.Ticket = s.conv.Ticket
	if no {
		return true, s.say(tplChangeDeclined, v)
	}
	for _, f := range fields {
		*fieldPtr(&s.conv.Identity, f) = fieldValue(pending, f)
	}
	s.actions = append(s.actions, IdentityChanged{Fields: fields, Confirmed: true})
	v = s.view()
	v.Ticket = s.conv.Ticket
	v.Changes = s.changeViews(fields, s.conv.Identity)
	if s.conv.Status == StatusSubmitted && s.conv.Ticket != "" {
		s.actions = append(s.actions, AppendToComplaint{Ticket: s.conv.Ticket, Text: s.updatedNote(fields)})
	}
	return true, s.say(tplIdentityChanged, v)
}

// updatedNote tells the officer which fields changed, never their values.
func (s *step) updatedNote(fields []identity.Field) string {
	labels := make([]string, len(fields))
	for i, f := range fields {
		labels[i] = s.d.tpl.Label(f)
	}
	return "[data diri diperbarui: " + strings.Join(labels, ", ") + "]"
}

// changeViews describes values for a reply, the NIK masked.
func (s *step) changeViews(fields []identity.Field, from identity.Identity) []ChangeView {
	out := make([]ChangeView, 0, len(fields))
	for _, f := range fields {
		v := fieldValue(from, f)
		if f == identity.FieldNIK {
			v = identity.MaskNIK(v)
		}
		out = append(out, ChangeView{Code: f, Label: s.d.tpl.Label(f), Value: v})
	}
	return out
}

// Words of a YA/TIDAK answer, with what may come around them.
var (
	yesWords = wordSet(`ya iya iyaa yaa iye iy y yes yess ok oke okey okay betul benar bener setuju boleh silakan silahkan ganti lanjut yup yoi`)
	noWords  = wordSet(`tidak tdk tak gak ga gk nggak ngga enggak engga no nope bukan jangan jgn batal`)
	fillers  = wordSet(`pak bu bang kak min mas mbak dek sis gan om saja aja deh dong lah kok sih ya yah nih tuh benar betul`)
)

// yesNo reads a short YA or TIDAK answer; a message that says more than an
// answer (a new sentence, a question) is neither.
func yesNo(text string) (yes, no bool) {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !('a' <= r && r <= 'z')
	})
	if len(words) == 0 || len(words) > 8 {
		return false, false
	}
	switch {
	case noWords[words[0]]:
		return false, true
	case yesWords[words[0]]:
		for _, w := range words[1:] {
			if noWords[w] {
				return false, false
			}
		}
		if len(words) > 3 {
			for _, w := range words[1:] {
				if !yesWords[w] && !fillers[w] {
					return false, false
				}
			}
		}
		return true, false
	}
	return false, false
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
