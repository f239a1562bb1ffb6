package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aduan-gateway/aduan/adapters/channel"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/store"
)

// walkinAccount is the account of every walk-in conversation: the desk.
const walkinAccount = "desk"

type walkinForm struct {
	Nama, NIK, Alamat, Telepon, Isi string
	Errors                          []string
}

// walkinForm shows the form an officer fills in for a citizen at the desk.
func (s *Server) walkinForm(w http.ResponseWriter, r *http.Request, sess *session) {
	s.render(w, r, http.StatusOK, "walkin", sess, "Pengaduan langsung", &walkinForm{})
}

// walkin enters a desk complaint like any channel: files into the object
// store, then one event on aduan.inbound.walkin for the core. It waits
// (bounded) for the core to register it and shows the receipt.
func (s *Server) walkin(w http.ResponseWriter, r *http.Request, sess *session) {
	f := &walkinForm{
		Nama:    strings.Join(strings.Fields(r.PostFormValue("nama")), " "),
		NIK:     strings.TrimSpace(r.PostFormValue("nik")),
		Alamat:  strings.Join(strings.Fields(r.PostFormValue("alamat")), " "),
		Telepon: strings.TrimSpace(r.PostFormValue("telepon")),
		Isi:     strings.TrimSpace(r.PostFormValue("isi")),
	}
	if f.Isi == "" {
		f.Errors = append(f.Errors, "Isi aduan wajib diisi.")
	}
	if f.NIK != "" {
		if _, err := identity.ParseNIK(f.NIK, s.now()); err != nil {
			f.Errors = append(f.Errors, "NIK tidak sah: periksa kembali 16 digitnya.")
		}
	}
	if f.Telepon != "" {
		if _, err := identity.NormalizePhone(f.Telepon); err != nil {
			f.Errors = append(f.Errors, "Nomor HP tidak dikenali sebagai nomor Indonesia.")
		}
	}
	if len(f.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "walkin", sess, "Pengaduan langsung", f)
		return
	}
	ctx := r.Context()
	m := &event.Inbound{
		ID:         event.NewID(),
		Channel:    event.ChannelWalkin,
		Account:    walkinAccount,
		Text:       f.Isi,
		Walkin:     &event.WalkinForm{Name: f.Nama, NIK: f.NIK, Address: f.Alamat, Phone: f.Telepon},
		ReceivedAt: s.now().UTC(),
	}
	m.ExternalID = m.ID
	m.ConversationKey = "walkin-" + m.ID
	m.Sender = event.Sender{ID: m.ConversationKey, Name: f.Nama}
	if phone, err := identity.NormalizePhone(f.Telepon); err == nil {
		m.Sender.Phone = phone
	}
	atts, problem, err := s.storeUploads(ctx, r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if problem != "" {
		f.Errors = append(f.Errors, problem)
		s.render(w, r, http.StatusUnprocessableEntity, "walkin", sess, "Pengaduan langsung", f)
		return
	}
	m.Attachments = atts
	if _, err := s.bus.PublishEvent(ctx, m, m.Subject(), m.MsgID()); err != nil {
		s.serverError(w, r, fmt.Errorf("publishing walk-in complaint: %w", err))
		return
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, sess.User.Username, "walkin.entered", "inbound", m.ID,
			map[string]any{"conversation_key": m.ConversationKey, "attachments": len(atts)})
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.log.Info().Str("user", sess.User.Username).Str("event_id", m.ID).Msg("walk-in complaint entered")
	s.waitForConversation(ctx, m.ConversationKey)
	http.Redirect(w, r, Prefix+"/walkin/"+url.PathEscape(m.ConversationKey), http.StatusSeeOther)
}

// maxUploadFiles bounds the supporting documents of one walk-in complaint.
const maxUploadFiles = 10

// storeUploads puts the KTP scan (an image, caption "ktp") and the
// supporting documents into the object store. problem is a message for the
// officer when a file is not acceptable.
func (s *Server) storeUploads(ctx context.Context, r *http.Request) (atts []event.Attachment, problem string, err error) {
	if r.MultipartForm == nil {
		return nil, "", nil
	}
	files := r.MultipartForm.File
	if len(files["ktp"]) > 1 || len(files["dokumen"]) > maxUploadFiles {
		return nil, fmt.Sprintf("Unggah satu scan KTP dan paling banyak %d dokumen pendukung.", maxUploadFiles), nil
	}
	for _, fh := range files["ktp"] {
		a, mimeType, err := s.putUpload(ctx, fh)
		if err != nil {
			return nil, "", err
		}
		if !strings.HasPrefix(mimeType, "image/") {
			return nil, "Scan KTP harus berupa gambar (JPG atau PNG).", nil
		}
		a.Kind, a.Caption = event.AttachmentImage, "ktp"
		atts = append(atts, a)
	}
	for _, fh := range files["dokumen"] {
		a, _, err := s.putUpload(ctx, fh)
		if err != nil {
			return nil, "", err
		}
		a.Kind = event.AttachmentDocument
		atts = append(atts, a)
	}
	return atts, "", nil
}

// putUpload stores one uploaded file; its type is sniffed from the bytes,
// not taken from the browser.
func (s *Server) putUpload(ctx context.Context, fh *multipart.FileHeader) (event.Attachment, string, error) {
	f, err := fh.Open()
	if err != nil {
		return event.Attachment{}, "", fmt.Errorf("reading upload %q: %w", fh.Filename, err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return event.Attachment{}, "", fmt.Errorf("reading upload %q: %w", fh.Filename, err)
	}
	mimeType := http.DetectContentType(head[:n])
	if i := strings.IndexByte(mimeType, ';'); i >= 0 {
		mimeType = mimeType[:i]
	}
	key, sha, size, err := s.bus.PutAttachment(ctx, io.MultiReader(bytes.NewReader(head[:n]), f), fh.Filename, mimeType)
	if err != nil {
		return event.Attachment{}, "", err
	}
	return event.Attachment{MIME: mimeType, Filename: fh.Filename, Size: size, SHA256: sha, ObjectKey: key}, mimeType, nil
}

// waitForConversation polls until the core stored the walk-in message (its
// conversation exists once that transaction committed) or the wait ends.
func (s *Server) waitForConversation(ctx context.Context, key string) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.WalkinWait)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		_, err := s.store.FindConversation(ctx, store.ConversationKey{Channel: event.ChannelWalkin, Account: walkinAccount, Key: key})
		if err == nil || !errors.Is(err, store.ErrNotFound) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// walkinConsumer is the durable consumer of replies to walk-in reporters.
const walkinConsumer = "web-walkin"

// runWalkinReplies is the walk-in channel's side of the OUTBOUND queue: a
// reporter at the desk reads the bot's answer on the officer's screen (the
// conversation, the receipt), so each reply is reported sent as soon as it
// is stored, and the queue does not fill with replies nobody takes.
func (s *Server) runWalkinReplies(ctx context.Context) error {
	err := channel.Run(ctx, s.bus, channel.Config{
		Durable: walkinConsumer, Channels: []event.Channel{event.ChannelWalkin},
		// Only reporting the reply can fail; the bus's usual 8 deliveries.
		Attempts: 5,
		Send:     func(context.Context, *event.Outbound) (string, error) { return "", nil },
		Log:      s.log,
		Now:      s.now,
	})
	if err != nil && ctx.Err() != nil {
		return nil // stopped while starting
	}
	return err
}
