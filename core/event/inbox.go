package event

// SubjectInboxChanged is a plain (not JetStream) NATS subject on which
// whoever commits a change to a conversation announces it, so that open
// admin inboxes refresh. Missing one costs a stale screen, never data.
const SubjectInboxChanged = "aduan.inbox.changed"

// InboxChange is the body of a message on SubjectInboxChanged.
type InboxChange struct {
	ConversationID int64 `json:"conversation_id"`
	// What changed: "message", "delivery", "state".
	What string `json:"what"`
}
