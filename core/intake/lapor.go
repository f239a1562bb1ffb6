package intake

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

// handleLapor takes a LAPOR! report or a reporter's reply to one. There is
// no identity chat: the reporter is not on a chat channel and LAPOR! may
// withhold who they are. The report (revision 1) becomes a complaint
// awaiting verification at once; a later revision is a reply, added to that
// complaint. No reply is sent: answers go back through the LAPOR! pusher.
func (s *Service) handleLapor(ctx context.Context, tx *store.Tx, m *event.Inbound) (Result, error) {
	if m.Lapor == nil || m.Lapor.TrackingID == "" {
		return Result{}, bus.Permanent(fmt.Errorf("LAPOR! message %s without tracking id", m.ExternalID))
	}
	lx := m.Lapor
	withheld := lx.Confidential || lx.Anonymous
	var res Result
	now := s.now()
	// A withheld reporter gets a reporter row of their own, keyed by the
	// report and left nameless, so that nothing links or shows them.
	senderID := m.Sender.ID
	profile := m.Sender.Name
	if withheld || senderID == "" {
		senderID, profile = "laporan:"+lx.TrackingID, ""
	}
	rep, err := tx.ReporterFor(ctx, store.ReporterKey{Channel: m.Channel, Account: m.Account, SenderID: senderID}, profile)
	if err != nil {
		return Result{}, err
	}
	conv, err := tx.ConversationFor(ctx, store.ConversationKey{
		Channel: m.Channel, Account: m.Account, Key: m.ConversationKey,
	}, rep.ID)
	if err != nil {
		return Result{}, err
	}
	res.ConversationID = int64(conv.ID)
	msgID, dup, err := tx.InsertInbound(ctx, conv.ID, m)
	if err != nil {
		return Result{}, err
	}
	if dup {
		res.Duplicate = true
		return res, nil
	}
	ticket, err := tx.LaporTicket(ctx, m.Account, lx.TrackingID)
	switch {
	case err == nil && lx.Revision > 1:
		return res, s.complaints.Updated(ctx, tx, ticket, msgID, laporReplyText(m))
	case err == nil:
		return res, nil // the report is already a complaint (stored again under another id)
	case !errors.Is(err, store.ErrNotFound):
		return Result{}, err
	case lx.Revision > 1:
		// The reply overtook its report (a redelivered report, say):
		// retried until the report is in.
		return Result{}, fmt.Errorf("%w: reply %s before its LAPOR! report", ErrNotYet, m.ExternalID)
	}
	tk, err := s.complaints.TakeTicket(ctx, tx, now)
	if err != nil {
		return Result{}, err
	}
	if !withheld && m.Sender.Name != "" {
		rep.Name = m.Sender.Name
		if rep.Phone == "" {
			rep.Phone = m.Sender.Phone
		}
		if err := tx.SaveReporter(ctx, rep); err != nil {
			return Result{}, err
		}
	}
	report := store.LaporReport{
		Account: m.Account, TrackingID: lx.TrackingID, Title: lx.Title, Category: lx.Category,
		Classification: lx.Classification, Location: lx.Location, StatusAtImport: lx.Status,
		EventAt: lx.EventAt, FiledAt: m.SentAt, DisposedAt: lx.DisposedAt,
		Confidential: lx.Confidential, Anonymous: lx.Anonymous,
	}
	if withheld && (m.Sender.ID != "" || m.Sender.Name != "" || m.Sender.Phone != "") {
		report.Withheld = &store.LaporIdentity{SenderID: m.Sender.ID, Name: m.Sender.Name, Phone: m.Sender.Phone}
	}
	received := lx.DisposedAt
	if received.IsZero() {
		received = m.ReceivedAt
	}
	if _, err := s.complaints.Create(ctx, tx, complaint.NewComplaint{
		Ticket: tk, Channel: m.Channel, Account: m.Account, Conversation: conv.ID, Reporter: rep.ID,
		Text: laporComplaintText(m), ExternalRef: lx.TrackingID, ReceivedAt: received,
		Confidential: lx.Confidential, Anonymous: lx.Anonymous, Lapor: &report,
		Actor: complaint.ActorIntake, Audit: map[string]any{"tracking_id": lx.TrackingID, "message_event_id": m.ID},
	}); err != nil {
		return Result{}, err
	}
	conv.Status, conv.Ticket, conv.Greeted, conv.Missing = dialog.StatusSubmitted, tk.Number, true, nil
	conv.LastMessageAt = m.ReceivedAt
	if err := tx.SaveConversation(ctx, conv); err != nil {
		return Result{}, err
	}
	res.Ticket = tk.Number
	return res, nil
}

// laporComplaintText is the complaint as verifiers read it: the title, then
// what the reporter wrote.
func laporComplaintText(m *event.Inbound) string {
	title, text := strings.TrimSpace(m.Lapor.Title), strings.TrimSpace(m.Text)
	switch {
	case title == "" || title == text:
		return text
	case text == "":
		return title
	}
	return title + "\n\n" + text
}

// laporReplyText is a reply as added to the complaint, with a note of its files.
func laporReplyText(m *event.Inbound) string {
	text := strings.TrimSpace(m.Text)
	if n := len(m.Attachments); n > 0 {
		note := fmt.Sprintf("[lampiran: %d berkas]", n)
		if text == "" {
			return note
		}
		text += " " + note
	}
	return text
}
