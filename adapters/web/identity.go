package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/store"
)

// identity saves an officer's corrections to the identity checklist, or
// (action=confirm) records that they checked it. An empty field keeps the
// value collected: corrections replace, they never erase.
func (s *Server) identity(w http.ResponseWriter, r *http.Request, sess *session) {
	confirm := r.PostFormValue("action") == "confirm"
	code := "identity"
	if confirm {
		code = "confirmed"
	}
	s.changeConversation(w, r, sess, code, func(ctx context.Context, tx *store.Tx, c *store.Conversation) (string, map[string]any, error) {
		rep, err := tx.Reporter(ctx, c.ReporterID)
		if err != nil {
			return "", nil, err
		}
		if confirm {
			return "identity.confirmed", nil, tx.ConfirmIdentity(ctx, rep.ID, sess.User.Username, s.now())
		}
		changed, err := s.correct(r, rep)
		if err != nil || len(changed) == 0 {
			return "", nil, err
		}
		if err := tx.SaveReporter(ctx, rep); err != nil {
			return "", nil, err
		}
		if err := s.updateMissing(ctx, tx, c, rep); err != nil {
			return "", nil, err
		}
		// Field names only: the audit log holds no personal data in clear.
		return "identity.corrected", map[string]any{"fields": changed}, nil
	})
}

// correct applies the form's values to rep and returns the fields changed.
func (s *Server) correct(r *http.Request, rep *store.Reporter) ([]string, error) {
	var changed []string
	set := func(field identity.Field, dst *string, v string) {
		if v != "" && v != *dst {
			*dst = v
			changed = append(changed, string(field))
		}
	}
	set(identity.FieldName, &rep.Name, strings.Join(strings.Fields(r.PostFormValue("nama")), " "))
	set(identity.FieldAddress, &rep.Address, strings.Join(strings.Fields(r.PostFormValue("alamat")), " "))
	if v := strings.TrimSpace(r.PostFormValue("nik")); v != "" && !strings.Contains(v, "x") {
		nik, err := identity.ParseNIK(v, s.now())
		if err != nil {
			return nil, errAction("nik_invalid")
		}
		set(identity.FieldNIK, &rep.NIK, nik.Number)
	}
	if v := strings.TrimSpace(r.PostFormValue("telepon")); v != "" {
		phone, err := identity.NormalizePhone(v)
		if err != nil {
			return nil, errAction("phone")
		}
		set(identity.FieldPhone, &rep.Phone, phone)
	}
	if r.PostFormValue("foto_ktp") == "1" && !rep.KTPPhoto {
		rep.KTPPhoto = true
		changed = append(changed, string(identity.FieldKTPPhoto))
	}
	return changed, nil
}

// updateMissing recomputes what a report being collected still lacks.
func (s *Server) updateMissing(ctx context.Context, tx *store.Tx, c *store.Conversation, rep *store.Reporter) error {
	if c.Status != dialog.StatusCollecting {
		return nil
	}
	missing := identity.Missing(identity.Identity{
		Name: rep.Name, NIK: rep.NIK, Address: rep.Address, Phone: rep.Phone, KTPPhoto: rep.KTPPhoto,
	}, c.Draft, append(s.required(c.Channel), identity.FieldComplaint))
	c.Missing = missing
	return tx.SaveConversation(ctx, c)
}
