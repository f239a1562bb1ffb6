package intake

import (
	"time"

	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/store"
)

// toDialog builds the dialog's view from the stored conversation and reporter.
func toDialog(c *store.Conversation, r *store.Reporter, st store.DialogState) dialog.Conversation {
	return dialog.Conversation{
		Concerned:       st.Concerned,
		Pending:         st.Pending,
		ChecklistSent:   st.ChecklistSent,
		CancelAsked:     st.CancelAsked,
		NeedsOfficer:    st.NeedsOfficer,
		CancelRequested: st.CancelRequested,
		KTPQuestion:     st.KTPQuestion,
		Survey:          st.Survey,
		Status:          c.Status,
		Identity: identity.Identity{
			Name: r.Name, NIK: r.NIK, Address: r.Address, Phone: r.Phone, KTPPhoto: r.KTPPhoto,
		},
		Complaint:     c.Draft,
		Ticket:        c.Ticket,
		Greeted:       c.Greeted,
		AwaitingKTP:   c.AwaitingKTP,
		HumanTakeover: c.HumanTakeover,
	}
}

// fromDialog copies the dialog's new state back into the stored types.
func fromDialog(out dialog.Output, c *store.Conversation, r *store.Reporter, st *store.DialogState, at time.Time) {
	st.Concerned, st.Pending = out.Conv.Concerned, out.Conv.Pending
	st.ChecklistSent, st.CancelAsked = out.Conv.ChecklistSent, out.Conv.CancelAsked
	st.NeedsOfficer, st.CancelRequested = out.Conv.NeedsOfficer, out.Conv.CancelRequested
	st.KTPQuestion, st.Survey = out.Conv.KTPQuestion, out.Conv.Survey
	id := out.Conv.Identity
	r.Name, r.NIK, r.Address, r.Phone, r.KTPPhoto = id.Name, id.NIK, id.Address, id.Phone, id.KTPPhoto
	c.Status = out.Conv.Status
	c.Draft = out.Conv.Complaint
	c.Ticket = out.Conv.Ticket
	c.Greeted = out.Conv.Greeted
	c.AwaitingKTP = out.Conv.AwaitingKTP
	c.HumanTakeover = out.Conv.HumanTakeover
	c.Missing = out.Missing
	if at.After(c.LastMessageAt) {
		c.LastMessageAt = at
	}
}

// fromForm takes the walk-in form's fields as the reporter's identity where
// none is known yet: the officer typed each into its own box, so nothing is
// read out of text. A NIK or phone that does not parse is left out, and the
// dialog asks for it like any missing field.
func fromForm(id *identity.Identity, f *event.WalkinForm, now time.Time) {
	fill := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	fill(&id.Name, f.Name)
	fill(&id.Address, f.Address)
	if nik, err := identity.ParseNIK(f.NIK, now); err == nil {
		fill(&id.NIK, nik.Number)
	}
	if phone, err := identity.NormalizePhone(f.Phone); err == nil {
		fill(&id.Phone, phone)
	}
}
