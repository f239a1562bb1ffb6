package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/store"
)

// threadLimit is how many of a conversation's newest messages are shown.
const threadLimit = 300

type checkItem struct {
	Field    identity.Field
	Value    string
	Required bool
	Missing  bool
}

type conversationPage struct {
	Conv      *store.ConversationDetail
	Thread    []store.ThreadMessage
	Notes     []store.Note
	Canned    []store.CannedResponse
	Users     []store.User
	Checklist []checkItem
	// Name is the reporter's name, else their profile name.
	Name string
	// NIK is whole for roles that may see it, masked otherwise.
	NIK string
	// CanSend is false for walk-in conversations: there is no channel to answer on.
	CanSend bool
	// WindowNote warns that Meta's reply window has passed.
	WindowNote string
	// Dialog: person concerned, perlu petugas, complaint text (complaint_text.go).
	Dialog dialogPanel
	// Off is set when the channel's transport is off in this deployment:
	// replies wait unsent, and the page says so.
	Off *offChannel
	// KTPOpen: the user may open the conversation's KTP images (mayOpenKTP).
	KTPOpen bool
	Flash   string
	// Warn is an outcome that worked only in part (a reply stored, not sent).
	Warn  string
	Error string
}

// flashes are the outcomes an action reports back through the redirect.
var flashes = map[string]string{
	"replied":        "Balasan dikirim melalui saluran pelapor.",
	"retried":        "Balasan dikirim ulang.",
	"takeover":       "Percakapan diambil alih. Bot tidak akan membalas sampai Anda menyerahkannya kembali.",
	"handback":       "Percakapan diserahkan kembali ke bot.",
	"assigned":       "Penanganan percakapan diperbarui.",
	"noted":          "Catatan internal disimpan.",
	"identity":       "Data identitas disimpan.",
	"confirmed":      "Identitas pelapor dikonfirmasi.",
	"forwarded":      "Laporan diteruskan ke verifikasi.",
	"complaint_text": "Isi aduan dikoreksi.",
	"officer_seen":   "Tanda perlu petugas dihapus.",
}

var errorFlashes = map[string]string{
	"empty":        "Pesan tidak boleh kosong.",
	"too_long":     "Pesan terlalu panjang (paling banyak 4.000 karakter).",
	"no_channel":   "Pelapor datang langsung: tidak ada saluran untuk membalas.",
	"not_failed":   "Hanya balasan yang gagal yang dapat dikirim ulang, dan hanya sekali.",
	"nik_invalid":  "NIK tidak sah: periksa kembali 16 digitnya.",
	"phone":        "Nomor HP tidak dikenali sebagai nomor Indonesia.",
	"submitted":    "Laporan ini sudah diteruskan ke verifikasi.",
	"no_complaint": "Isi aduan masih kosong: tuliskan isi aduan sebelum meneruskan.",
	"no_user":      "Petugas tidak ditemukan atau nonaktif.",
}

func conversationID(r *http.Request) (store.ConversationID, bool) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return store.ConversationID(n), err == nil && n > 0
}

// conversation shows one conversation: thread, identity checklist, actions.
func (s *Server) conversation(w http.ResponseWriter, r *http.Request, sess *session) {
	id, ok := conversationID(r)
	if !ok {
		s.notFound(w, r, sess)
		return
	}
	ctx := r.Context()
	d, err := s.store.ConversationByID(ctx, id)
	if s.failed(w, r, sess, err) {
		return
	}
	p := &conversationPage{Conv: d, CanSend: complaint.CanMessage(d.Channel), Off: s.channelOff(d.Channel),
		Flash: flashes[r.URL.Query().Get("ok")], Error: errorFlashes[r.URL.Query().Get("err")]}
	if ok := r.URL.Query().Get("ok"); p.Off != nil && (ok == "replied" || ok == "retried") {
		p.Flash, p.Warn = "", notSent(p.Off)
	}
	if p.KTPOpen, err = s.mayOpenKTP(ctx, sess, id); err != nil {
		s.serverError(w, r, err)
		return
	}
	if p.Thread, err = s.store.Thread(ctx, id, threadLimit); err != nil {
		s.serverError(w, r, err)
		return
	}
	if p.Notes, err = s.store.Notes(ctx, id); err != nil {
		s.serverError(w, r, err)
		return
	}
	if sess.can(PermReply) {
		if p.Canned, err = s.store.CannedResponses(ctx); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if sess.can(PermAssign) {
		users, err := s.store.ListUsers(ctx)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, u := range users {
			if !u.Disabled {
				p.Users = append(p.Users, u)
			}
		}
	}
	p.Name = displayName(d)
	p.NIK = d.Reporter.NIK
	if !sess.can(PermViewNIK) && p.NIK != "" {
		p.NIK = identity.MaskNIK(p.NIK)
	}
	p.Checklist = s.checklist(d, p.NIK)
	if p.Dialog, err = s.dialogPanel(ctx, id); err != nil {
		s.serverError(w, r, err)
		return
	}
	p.WindowNote = windowNote(d.Channel, s.now().Sub(d.LastInboundAt), d.LastInboundAt.IsZero())
	// Reading the conversation is what clears its unread count, for the
	// officers who answer it.
	if d.Unread > 0 && sess.can(PermReply) {
		if err := s.store.MarkRead(ctx, id); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.changed(id, "state", false)
	}
	s.render(w, r, http.StatusOK, "conversation", sess, "Percakapan dengan "+displayName(d), p)
}

// thread is the message list alone, fetched by the page when a change arrives.
func (s *Server) thread(w http.ResponseWriter, r *http.Request, sess *session) {
	id, ok := conversationID(r)
	if !ok {
		s.notFound(w, r, sess)
		return
	}
	d, err := s.store.ConversationByID(r.Context(), id)
	if s.failed(w, r, sess, err) {
		return
	}
	p := &conversationPage{Conv: d, CanSend: complaint.CanMessage(d.Channel), Off: s.channelOff(d.Channel)}
	if p.KTPOpen, err = s.mayOpenKTP(r.Context(), sess, id); err != nil {
		s.serverError(w, r, err)
		return
	}
	if p.Thread, err = s.store.Thread(r.Context(), id, threadLimit); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderPartial(w, r, "thread", sess, p)
}

// checklist lists every identity field with its value and whether the
// channel requires it and it is still missing.
func (s *Server) checklist(d *store.ConversationDetail, nik string) []checkItem {
	required := s.required(d.Channel)
	rep := d.Reporter
	values := map[identity.Field]string{
		identity.FieldName: rep.Name, identity.FieldNIK: nik, identity.FieldAddress: rep.Address,
		identity.FieldPhone: rep.Phone,
	}
	var out []checkItem
	for _, f := range identity.Fields {
		item := checkItem{Field: f, Value: values[f],
			Required: f == identity.FieldComplaint || slices.Contains(required, f),
			Missing:  slices.Contains(d.Missing, f)}
		switch f {
		case identity.FieldKTPPhoto:
			if rep.KTPPhoto {
				item.Value = "ada"
			}
		case identity.FieldComplaint:
			item.Value = d.Draft
			if d.Ticket != "" && d.Draft == "" {
				item.Value = "tercatat pada tiket " + d.Ticket
			}
		}
		out = append(out, item)
	}
	return out
}

// windowNote explains Meta's reply windows when the citizen's last message
// is older than the standard 24 hours: staff replies still go out with the
// human-agent tag for 7 days, after that Meta refuses them.
func windowNote(channel event.Channel, since time.Duration, never bool) string {
	if never || (channel != event.ChannelMessenger && channel != event.ChannelInstagram) {
		return ""
	}
	switch {
	case since > 7*24*time.Hour:
		return "Pesan terakhir pelapor lebih dari 7 hari lalu: Meta akan menolak balasan sampai pelapor menulis lagi."
	case since > 24*time.Hour:
		return "Pesan terakhir pelapor lebih dari 24 jam lalu: balasan petugas dikirim dengan tag agen manusia, yang berlaku sampai 7 hari."
	}
	return ""
}

func displayName(d *store.ConversationDetail) string {
	if d.Reporter.Name != "" {
		return d.Reporter.Name
	}
	if d.Reporter.ProfileName != "" {
		return d.Reporter.ProfileName
	}
	return "pelapor tanpa nama"
}

// back redirects to the conversation page with an outcome to show.
func back(w http.ResponseWriter, r *http.Request, id store.ConversationID, key, code string) {
	http.Redirect(w, r, Prefix+"/conversations/"+strconv.FormatInt(int64(id), 10)+"?"+key+"="+code+"#akhir", http.StatusSeeOther)
}
