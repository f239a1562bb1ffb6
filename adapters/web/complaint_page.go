package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/core/stats"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// reporterView is who filed the complaint, as far as the role may see.
type reporterView struct {
	// Withheld: a confidential or anonymous report; nothing is shown.
	Withheld bool
	Name     string
	NIK      string // whole only for roles that may see it
	Address  string
	Phone    string
}

// classOption is a deadline class offered at verification, with the due
// date it would give.
type classOption struct {
	Class workflow.Class
	Days  int
	Label string
	Due   string // in words; "" when the calendar cannot say
}

type complaintPage struct {
	File     *store.ComplaintFile
	Due      dueView
	Reporter reporterView
	// Category is the category's name.
	Category    string
	Attachments []store.AttachmentRef
	// KTPOpen: the user may open the KTP images among them (mayOpenKTP).
	KTPOpen bool
	// Acts are the actions workflow.Allowed gives the signed-in user.
	Acts        map[workflow.Action]bool
	Classes     []classOption
	Categories  []store.Category
	Koordinator []string
	Canned      []store.CannedResponse
	// CanMessage: the koordinator may write to the reporter on their channel.
	CanMessage bool
	// Off is set when the reporter's channel is off in this deployment.
	Off   *offChannel
	Flash string
	// Warn is an outcome that worked only in part (a message stored, not sent).
	Warn  string
	Error string
	// Satisfaction is the reporter's answer to the survey; nil while none.
	Satisfaction *satisfactionView
}

// satisfactionView is the reporter's answer to the satisfaction survey.
type satisfactionView struct {
	Label   string // "Skor 4 (sangat puas)"
	Comment string
	At      time.Time
}

// Can is for the template: {{if .Can "verify"}}.
func (p *complaintPage) Can(a string) bool { return p.Acts[workflow.Action(a)] }

// Photo reports a follow-up file shown as an image.
func (p *complaintPage) Photo(f store.FollowUpFile) bool { return inlineImages[f.MIME] }

// complaintPath is a complaint's page, or one of its sub-paths.
func complaintPath(ticket, rest string) string {
	return Prefix + "/complaints/" + url.PathEscape(ticket) + rest
}

// complaintView shows one complaint: its reporter, files, timeline,
// follow-ups and result, and the forms of the actions the user may take.
func (s *Server) complaintView(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	f, ok := s.complaintFile(w, r, sess)
	if !ok {
		return
	}
	q := r.URL.Query()
	p := &complaintPage{File: f, Due: s.due(f.Status, f.DueDate), Off: s.channelOff(f.Channel),
		Flash: complaintFlashes[q.Get("ok")], Error: complaintErrors[q.Get("err")]}
	if y, err := strconv.Atoi(q.Get("tahun")); err == nil && q.Get("err") == "no_calendar" {
		p.Error = fmt.Sprintf("Kalender hari kerja tahun %d belum tersedia, sehingga tenggat tidak dapat dihitung. Minta admin menambahkannya di halaman Kalender hari kerja, lalu coba lagi.", y)
	}
	switch ok := q.Get("ok"); {
	case p.Off == nil:
	case ok == "message":
		p.Flash, p.Warn = "", notSent(p.Off)
	case ok == "resolve":
		p.Flash, p.Warn = "", "Pengaduan selesai dan berita acara dibuat. "+notSent(p.Off)
	}
	if err := s.fillComplaintPage(ctx, sess, p); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "complaint", sess, "Pengaduan "+f.Ticket, p)
}

// complaintFile reads the complaint of the request's ticket; when there is
// none, or the store fails, it has answered and ok is false.
func (s *Server) complaintFile(w http.ResponseWriter, r *http.Request, sess *session) (f *store.ComplaintFile, ok bool) {
	f, err := s.store.ComplaintFile(r.Context(), r.PathValue("ticket"))
	return f, !s.failed(w, r, sess, err)
}

func (s *Server) fillComplaintPage(ctx context.Context, sess *session, p *complaintPage) error {
	f := p.File
	cats, err := s.store.Categories(ctx, true)
	if err != nil {
		return err
	}
	for _, c := range cats {
		if c.Code == f.Category {
			p.Category = c.Label
		}
		if c.Active {
			p.Categories = append(p.Categories, c)
		}
	}
	p.Reporter = reporterView{Withheld: f.Confidential || f.Anonymous, Name: f.ReporterName, NIK: f.NIKMasked}
	if f.ConversationID != 0 {
		d, err := s.store.ConversationByID(ctx, f.ConversationID)
		if err != nil {
			return err
		}
		if !p.Reporter.Withheld {
			rep := d.Reporter
			p.Reporter.Name, p.Reporter.Address, p.Reporter.Phone = displayName(d), rep.Address, rep.Phone
			if p.Reporter.NIK = rep.NIK; !sess.can(PermViewNIK) && rep.NIK != "" {
				p.Reporter.NIK = identity.MaskNIK(rep.NIK)
			}
		}
		thread, err := s.store.Thread(ctx, f.ConversationID, threadLimit)
		if err != nil {
			return err
		}
		for _, m := range thread {
			p.Attachments = append(p.Attachments, m.Attachments...)
		}
		if p.KTPOpen, err = s.mayOpenKTP(ctx, sess, f.ConversationID); err != nil {
			return err
		}
	}
	if f.Result != "" {
		a, answered, err := s.store.Satisfaction(ctx, f.Ticket)
		if err != nil {
			return err
		}
		if answered {
			p.Satisfaction = &satisfactionView{Label: stats.ScoreLabel(a.Score), Comment: a.Comment, At: a.AnsweredAt}
		}
	}
	p.Acts = map[workflow.Action]bool{}
	if sess.can(PermActComplaint) {
		c := workflow.Case{Status: f.Status, Assignee: f.Assignee, PostponedFrom: f.PostponedFrom}
		for _, a := range workflow.Allowed(c, actorOf(sess)) {
			p.Acts[a] = true
		}
	}
	if p.Acts[workflow.Verify] {
		p.Classes = s.classOptions(f.ReceivedAt)
	}
	if p.Acts[workflow.Assign] {
		users, err := s.store.ListUsers(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.Role == RoleKoordinator && !u.Disabled {
				p.Koordinator = append(p.Koordinator, u.Username)
			}
		}
	}
	p.CanMessage = sess.can(PermMessageReporter) && f.ConversationID != 0 &&
		complaint.CanMessage(f.Channel) && f.Status != workflow.Archived &&
		(f.Assignee == "" || f.Assignee == sess.User.Username)
	if p.CanMessage {
		if p.Canned, err = s.store.CannedResponses(ctx); err != nil {
			return err
		}
	}
	return nil
}

// classOptions are the deadline classes with the due date each gives a
// complaint received at received ("" where the calendar lacks the year).
func (s *Server) classOptions(received time.Time) []classOption {
	var out []classOption
	for _, c := range workflow.Classes() {
		o := classOption{Class: c, Days: c.WorkingDays(), Label: c.Label()}
		if d, err := s.complaints.Calendar().Due(received, c.WorkingDays()); err == nil {
			o.Due = d.Long()
		}
		out = append(out, o)
	}
	return out
}

// actorOf is the signed-in user as the workflow knows them.
func actorOf(sess *session) workflow.Actor {
	return workflow.Actor{Name: sess.User.Username, Role: sess.Role}
}

// stepLabel names a timeline step: an action's label, or its code.
func stepLabel(action string) string {
	if action == "submit" {
		return "Diterima tim pengaduan"
	}
	if a, ok := workflow.ParseAction(action); ok {
		return a.Label()
	}
	return action
}

// shownAttachments are the attachments a role may open, for the dossier;
// ktp says whether it may open the KTP images among them (mayOpenKTP).
func shownAttachments(sess *session, ktp bool, atts []store.AttachmentRef) []store.AttachmentRef {
	return slices.DeleteFunc(slices.Clone(atts), func(a store.AttachmentRef) bool {
		may := sess.can(PermViewAttachments)
		if a.IsKTP {
			may = ktp
		}
		return a.ObjectKey == "" || !may
	})
}

// reasonAct is an action whose form asks only for a reason.
type reasonAct struct{ Code, Label string }

// ReasonActs are return, redirect and postpone, for the template.
func (p *complaintPage) ReasonActs() []reasonAct {
	var out []reasonAct
	for _, a := range []workflow.Action{workflow.Return, workflow.Redirect, workflow.Postpone} {
		out = append(out, reasonAct{string(a), a.Label()})
	}
	return out
}
