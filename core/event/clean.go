package event

import (
	"strings"
	"unicode/utf8"
)

// MaxTextBytes bounds an inbound message's text. No platform sends more
// (WhatsApp allows 65,536 characters); the bound keeps every inbound event,
// even one written in characters JSON escapes sixfold, under NATS's 1 MiB
// max_payload, so a webhook carrying one is not refused on every retry.
const MaxTextBytes = 128 << 10

// CleanText makes s fit to store and to show: valid UTF-8 (each invalid
// byte becomes U+FFFD), without NUL, which PostgreSQL refuses in text, and
// without the bidirectional overrides, embeddings and isolates (U+202A-E,
// U+2066-9) that make "berkas\u202egpj.exe" read as "berkasexe.jpg" in the
// inbox; the plain direction marks stay. Other characters are kept as the
// citizen wrote them; terminals get their own neutralising.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r == 0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			return -1
		}
		return r
	}, s)
}

// clean applies CleanText to every text of the message and cuts its text
// to MaxTextBytes: adapters build events from input anyone can send, and
// one NUL in a name would otherwise fail the core's transaction on every
// redelivery.
func (m *Inbound) clean() {
	for _, p := range []*string{
		&m.ID, &m.Account, &m.ExternalID, &m.ConversationKey,
		&m.Sender.ID, &m.Sender.Name, &m.Sender.Phone,
		&m.Text, &m.EditOf, &m.UnsendOf,
	} {
		*p = CleanText(*p)
	}
	if len(m.Text) > MaxTextBytes {
		n := MaxTextBytes
		for n > 0 && !utf8.RuneStart(m.Text[n]) {
			n--
		}
		m.Text = m.Text[:n]
	}
	for i := range m.Attachments {
		a := &m.Attachments[i]
		for _, p := range []*string{&a.MIME, &a.Filename, &a.SHA256, &a.ObjectKey, &a.Caption, &a.Error} {
			*p = CleanText(*p)
		}
	}
	if l := m.Location; l != nil {
		l.Name, l.Address = CleanText(l.Name), CleanText(l.Address)
	}
	for i := range m.Contacts {
		c := &m.Contacts[i]
		c.Name = CleanText(c.Name)
		for j := range c.Phones {
			c.Phones[j] = CleanText(c.Phones[j])
		}
	}
	if f := m.Walkin; f != nil {
		for _, p := range []*string{&f.Name, &f.NIK, &f.Address, &f.Phone} {
			*p = CleanText(*p)
		}
	}
	if x := m.Lapor; x != nil {
		for _, p := range []*string{&x.TrackingID, &x.Title, &x.Category, &x.Classification, &x.Location, &x.Status} {
			*p = CleanText(*p)
		}
	}
}
