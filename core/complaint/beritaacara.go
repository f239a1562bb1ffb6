package complaint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aduan-gateway/aduan/core/beritaacara"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/store"
)

// Renderer writes a berita acara; beritaacara.Render in production.
type Renderer func(w io.Writer, d beritaacara.Document) error

// storeBeritaAcara renders the record of resolution of c, resolved by
// koordinator, and stores it with the complaint.
func (s *Service) storeBeritaAcara(ctx context.Context, tx *store.Tx, c *store.ComplaintState, koordinator string) error {
	d, err := s.beritaAcaraDocument(ctx, tx, c, koordinator)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.render(&buf, d); err != nil {
		return fmt.Errorf("rendering berita acara of %s: %w", c.Ticket, err)
	}
	return tx.SaveBeritaAcara(ctx, c.ID, d.DocumentNumber(), buf.Bytes(), koordinator)
}

func (s *Service) beritaAcaraDocument(ctx context.Context, tx *store.Tx, c *store.ComplaintState, koordinator string) (beritaacara.Document, error) {
	d := beritaacara.Document{
		Office: s.office, Ticket: c.Ticket, Channel: c.Channel.Label(), Category: c.Category,
		Class: c.Class, ReceivedAt: c.ReceivedAt, VerifiedAt: c.VerifiedAt,
		ResolvedAt: c.ResolvedAt, Summary: c.Text, Result: c.Result, Koordinator: koordinator,
	}
	if c.DueDate != "" {
		due, err := calendar.ParseDate(c.DueDate)
		if err != nil {
			return d, err
		}
		d.DueDate = due
	}
	if cat, err := tx.Category(ctx, c.Category); err == nil {
		d.Category = cat.Label
	} else if !errors.Is(err, store.ErrNotFound) {
		return d, err
	}
	if c.Confidential || c.Anonymous {
		d.Reporter.Withheld = true
	} else {
		r, err := tx.Reporter(ctx, c.Reporter)
		if err != nil {
			return d, err
		}
		d.Reporter = beritaacara.Person{Name: r.Name, Address: r.Address, Phone: r.Phone}
		if r.Name == "" {
			d.Reporter.Name = r.ProfileName
		}
		if r.NIK != "" {
			d.Reporter.NIKMasked = identity.MaskNIK(r.NIK)
		}
	}
	fus, err := tx.FollowUps(ctx, c.ID)
	if err != nil {
		return d, err
	}
	for _, f := range fus {
		bf := beritaacara.FollowUp{At: f.At, Author: f.Author, Text: f.Text}
		if f.InspectionDate != "" {
			day, err := calendar.ParseDate(f.InspectionDate)
			if err != nil {
				return d, err
			}
			bf.Inspection = &beritaacara.Inspection{Date: day.Time(), Place: f.InspectionPlace,
				Officers: f.InspectionOfficers, Findings: f.InspectionFindings}
		}
		d.FollowUps = append(d.FollowUps, bf)
	}
	if d.Receiver, err = tx.Receiver(ctx, c.ID); err != nil {
		return d, err
	}
	return d, nil
}
