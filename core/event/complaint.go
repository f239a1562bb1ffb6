package event

import "time"

// ComplaintKind names a step in a complaint's life.
type ComplaintKind string

// Complaint events, in procedure order.
const (
	ComplaintSubmitted  ComplaintKind = "submitted"
	ComplaintVerified   ComplaintKind = "verified"
	ComplaintReturned   ComplaintKind = "returned"
	ComplaintAssigned   ComplaintKind = "assigned"
	ComplaintFollowedUp ComplaintKind = "followed_up"
	ComplaintResolved   ComplaintKind = "resolved"
	ComplaintArchived   ComplaintKind = "archived"
	ComplaintPublished  ComplaintKind = "published"
	// ComplaintUnpublished: a later uji konsekuensi decision withheld a
	// published result; it leaves the public pages.
	ComplaintUnpublished ComplaintKind = "unpublished"
	// ComplaintPostponed is sent when handling is put off (tunda), with the reason in Note.
	ComplaintPostponed ComplaintKind = "postponed"
	// ComplaintRedirected: not this office's matter (bukan wewenang), with the reason in Note.
	ComplaintRedirected ComplaintKind = "redirected"
	// ComplaintResumed: a postponed complaint is taken up again.
	ComplaintResumed ComplaintKind = "resumed"
	// ComplaintReopened: the reporter answered a complaint returned to them.
	ComplaintReopened ComplaintKind = "reopened"
	// ComplaintUpdated is sent when a reporter adds information to a submitted complaint.
	ComplaintUpdated ComplaintKind = "updated"
)

// Complaint is a complaint life-cycle event. It carries no personal data:
// consumers that need the reporter's identity read it from the store.
type Complaint struct {
	Schema string `json:"schema"`
	// ID is a ULID of this event.
	ID     string        `json:"id"`
	Kind   ComplaintKind `json:"kind"`
	Ticket string        `json:"ticket"`
	// Status is the complaint's status after the event (e.g. menunggu_verifikasi).
	Status  string  `json:"status"`
	Channel Channel `json:"channel"`
	// ExternalRef links the complaint to its origin, e.g. a LAPOR! tracking id.
	ExternalRef string `json:"external_ref,omitempty"`
	Note        string `json:"note,omitempty"`
	// Attachments go with a follow-up answer (tindak lanjut), already in the object store.
	Attachments []Attachment `json:"attachments,omitempty"`
	Actor       string       `json:"actor,omitempty"`
	OccurredAt  time.Time    `json:"occurred_at"`
}

// SchemaName implements Event.
func (*Complaint) SchemaName() string { return SchemaComplaint }

// Subject is the subject the event is published on.
func (m *Complaint) Subject() string { return ComplaintSubject(m.Kind) }
