package complaint

import (
	"context"
	"fmt"
	"time"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// CanMessage reports whether staff can write to a reporter on channel c:
// a walk-in reporter is at the desk, and a LAPOR! reporter hears from the
// office through LAPOR! (the pusher), not a chat message.
func CanMessage(c event.Channel) bool {
	return c != event.ChannelWalkin && c != event.ChannelLapor
}

// ErrNoChannel: the reporter cannot be written to on their channel.
var ErrNoChannel = fmt.Errorf("the reporter's channel takes no messages from staff")

// SendToReporter stores a staff message in conversation conv and queues it
// for the channel's adapter, in tx. The conversation is locked for the
// transaction. retryOf names the failed message this one repeats (0: none).
func SendToReporter(ctx context.Context, tx *store.Tx, conv store.ConversationID, text, author string,
	retryOf store.MessageID, now time.Time) (*event.Outbound, error) {
	c, err := tx.LockConversation(ctx, conv)
	if err != nil {
		return nil, err
	}
	if !CanMessage(c.Channel) {
		return nil, ErrNoChannel
	}
	recipient, err := tx.Recipient(ctx, conv)
	if err != nil {
		return nil, err
	}
	if recipient == "" {
		recipient = c.Key
	}
	ob := &event.Outbound{
		ID:                    event.NewID(),
		Channel:               c.Channel,
		Account:               c.Account,
		ConversationKey:       c.Key,
		Recipient:             recipient,
		Text:                  text,
		Origin:                event.OriginAgent,
		Author:                author,
		CustomerLastMessageAt: c.LastInboundAt,
		CreatedAt:             now,
	}
	if _, err := tx.InsertAgentReply(ctx, conv, ob, retryOf); err != nil {
		return nil, err
	}
	return ob, Enqueue(ctx, tx, ob, ob.Subject(), ob.ID)
}

// reporterMessage is what the reporter hears of an action, "" for nothing:
// the class and due date at verification, the reason when the complaint is
// returned, redirected or postponed, the result at resolution.
func reporterMessage(c *store.ComplaintState, req Request) string {
	switch req.Action {
	case workflow.Verify:
		return fmt.Sprintf("Laporan Anda dengan nomor tiket %s telah diverifikasi. Laporan termasuk kelas %s (%s) "+
			"dan akan kami selesaikan paling lambat %s (%d hari kerja). Kami akan mengabari Anda melalui saluran ini.",
			c.Ticket, c.Class, c.Class.Label(), longDate(c.DueDate), c.Class.WorkingDays())
	case workflow.Return:
		return fmt.Sprintf("Laporan Anda dengan nomor tiket %s memerlukan keterangan tambahan: %s\n\n"+
			"Mohon balas pesan ini dengan keterangan tersebut; laporan Anda akan kami proses kembali.", c.Ticket, req.Reason)
	case workflow.Redirect:
		return fmt.Sprintf("Terima kasih atas laporan Anda (tiket %s). Setelah kami periksa, perkara ini bukan "+
			"wewenang kantor kami: %s", c.Ticket, req.Reason)
	case workflow.Postpone:
		return fmt.Sprintf("Penanganan laporan Anda dengan nomor tiket %s kami tunda sementara: %s\n\n"+
			"Kami akan mengabari Anda kembali.", c.Ticket, req.Reason)
	case workflow.Resolve:
		return fmt.Sprintf("Laporan Anda dengan nomor tiket %s telah selesai ditangani.\n\nHasil penanganan: %s\n\n"+
			"Terima kasih telah menyampaikan laporan kepada kami.", c.Ticket, req.Text)
	}
	return ""
}

// verifiedNote is what a verified event says (LAPOR! shows it).
func verifiedNote(c *store.ComplaintState) string {
	return fmt.Sprintf("Diverifikasi: kelas %s (%d hari kerja), batas waktu %s.", c.Class, c.Class.WorkingDays(),
		longDate(c.DueDate))
}

// longDate writes YYYY-MM-DD as "31 Maret 2026".
func longDate(s string) string {
	d, err := calendar.ParseDate(s)
	if err != nil {
		return s
	}
	return d.Long()
}
