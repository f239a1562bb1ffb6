// Package dialog is the conversation with a citizen as a pure state machine:
// (conversation, message) → (conversation', replies, actions). It decides what
// to ask, when a report is complete, and what to answer to commands; the
// caller (core/intake) does the I/O and carries out the actions.
package dialog

import (
	"slices"
	"time"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/core/workflow"
)

// Status is where a conversation stands.
type Status string

// Conversation statuses.
const (
	// StatusCollecting: gathering identity and the complaint text.
	StatusCollecting Status = "collecting"
	// StatusSubmitted: a complaint was created; new messages add to it
	// while it is open (after it is finished they start a new report).
	StatusSubmitted Status = "submitted"
	// StatusCancelled: the reporter wrote BATAL; the next message starts afresh.
	StatusCancelled Status = "cancelled"
)

// Conversation is the dialog's memory of one reporter on one channel.
// Identity is per reporter and outlives a single complaint.
type Conversation struct {
	Status   Status
	Identity identity.Identity
	// Complaint is the complaint text collected for the report being built.
	Complaint string
	// Ticket is the complaint this conversation last submitted ("" if none).
	Ticket string
	// Greeted is true once the first message was acknowledged.
	Greeted bool
	// AwaitingKTP is true once the KTP photo was asked for, so the next image counts as the KTP.
	AwaitingKTP bool
	// HumanTakeover: an officer answers by hand; the bot stays silent.
	HumanTakeover bool
	// Concerned is the person the complaint is about when it is not the
	// reporter (penerima manfaat: a mother, a husband, a neighbour). Data
	// about them never changes the reporter's identity.
	Concerned identity.Person
	// ChecklistSent: the full list of what is needed was sent once; later
	// reminders name only what is missing, briefly.
	ChecklistSent bool
	// CancelAsked: the reporter asked in words to cancel the report being
	// collected and was asked to confirm with YA.
	CancelAsked bool
	// NeedsOfficer says why an officer must look ("" when not): "darurat"
	// (words of danger or urgency) or "pembatalan" (a cancel request after
	// the ticket). Only an officer clears it.
	NeedsOfficer string
	// CancelRequested: after the ticket the reporter asked to cancel.
	CancelRequested bool
	// KTPQuestion is the external id of a photo sent before the KTP was
	// asked for, without a caption: the reply asked "Apakah foto tadi foto
	// KTP Anda?" and YA, or a next message saying it is the KTP, makes it so.
	KTPQuestion string
	// Pending holds the reporter's own identity values that would replace
	// stored ones after a ticket, until the reporter answers YA (only the
	// fields to change are set).
	Pending identity.Identity
	// Survey is the ticket whose satisfaction question (sent with the
	// result when it was resolved) awaits the reporter's answer; "" when
	// none does.
	Survey string
}

// TicketInfo is one of the reporter's own complaints, for STATUS and for
// knowing whether the conversation's complaint is still open.
type TicketInfo struct {
	Ticket string
	Status workflow.Status
	// Due is the follow-up deadline, "YYYY-MM-DD"; empty until the complaint is classified.
	Due string
	// Result is the result recorded at resolution, Reason why the complaint
	// was returned, redirected or postponed; both as the reporter was told.
	Result string
	Reason string
}

// outcome is what a finished complaint ended with, in the office's words:
// its result, or why it is not the office's matter ("" while it is open).
func (t TicketInfo) outcome() string {
	if !t.Status.Finished() {
		return ""
	}
	if t.Result != "" {
		return t.Result
	}
	return t.Reason
}

// Input is one step's input.
type Input struct {
	Conv Conversation
	Msg  *event.Inbound
	Now  time.Time
	// OwnTickets are the reporter's complaints; STATUS answers only for these.
	OwnTickets []TicketInfo
	// NewTicket allocates a ticket number when the report becomes complete.
	NewTicket func() (string, error)
}

// Action is something the caller must carry out in the same transaction.
type Action interface{ isAction() }

// CreateComplaint: the report is complete; store it as a complaint in
// status menunggu_verifikasi and publish aduan.complaint.submitted.
type CreateComplaint struct {
	Ticket    string
	Text      string
	Identity  identity.Identity
	Submitted time.Time
}

// AppendToComplaint: the reporter added information to a submitted complaint.
type AppendToComplaint struct {
	Ticket string
	Text   string
}

// IdentityChanged: values of the reporter's identity were replaced (not
// filled for the first time); the caller audits it. Confirmed is true when
// the reporter confirmed the change with YA.
type IdentityChanged struct {
	Fields    []identity.Field
	Confirmed bool
}

// ConcernedChanged: what is recorded of the person concerned (penerima
// manfaat) was set or changed; the caller audits which fields, never their
// values. Fields are "hubungan", "nama" and "nik", in that order.
type ConcernedChanged struct {
	Fields []string
}

func (CreateComplaint) isAction()   {}
func (AppendToComplaint) isAction() {}
func (IdentityChanged) isAction()   {}
func (ConcernedChanged) isAction()  {}

// concernedChanges names the fields of the person concerned that differ
// between before and after.
func concernedChanges(before, after identity.Person) []string {
	var f []string
	if before.Relation != after.Relation {
		f = append(f, "hubungan")
	}
	if before.Name != after.Name {
		f = append(f, "nama")
	}
	if before.NIK != after.NIK {
		f = append(f, "nik")
	}
	return f
}

// Output is one step's result.
type Output struct {
	Conv    Conversation
	Replies []string
	Actions []Action
	// Missing is what the report still lacks after this step, as identity field codes.
	Missing []identity.Field
	// KTPFrom is the external id of the message whose photo this step took
	// as the reporter's KTP ("" when none): this message, or the photo the
	// reporter just confirmed. The caller marks its images as the KTP.
	KTPFrom string
	// Intents name the paragraphs of the reply, in order: the template
	// files said, without ".tmpl" ("ack", "ask_missing", "status" ...).
	// Tests and the inbox read what the bot answered from them.
	Intents []string
}

// Dialog holds the reply templates and which fields each channel requires.
type Dialog struct {
	tpl      *Templates
	required map[event.Channel][]identity.Field
}

// New returns a dialog that answers with tpl and requires, per channel, the
// fields in required (channels not listed require every field).
//
// The complaint text (isi_aduan) is always required, whatever required
// says: a complaint without content cannot be verified. A nil tpl means the
// embedded templates.
func New(tpl *Templates, required map[event.Channel][]identity.Field) *Dialog {
	if tpl == nil {
		tpl = mustEmbedded()
	}
	return &Dialog{tpl: tpl, required: required}
}

// Required returns the fields a report on channel ch needs, in checklist order.
func (d *Dialog) Required(ch event.Channel) []identity.Field {
	req, ok := d.required[ch]
	if !ok {
		req = identity.Fields
	}
	out := make([]identity.Field, 0, len(identity.Fields))
	for _, f := range identity.Fields {
		if f == identity.FieldComplaint || slices.Contains(req, f) {
			out = append(out, f)
		}
	}
	return out
}
