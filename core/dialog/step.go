package dialog

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
)

// Errors of Step. Either means the caller should not commit the step.
var (
	// ErrNoMessage: Input.Msg is nil.
	ErrNoMessage = errors.New("dialog step without a message")
	// ErrNoTicket: the report is complete but no ticket number could be had
	// (Input.NewTicket is nil, failed, or returned "").
	ErrNoTicket = errors.New("no ticket number for a complete report")
)

// Commands a reporter can type as a whole message, in any case.
const (
	cmdStatus = "STATUS"
	cmdHelp   = "BANTUAN"
	cmdCancel = "BATAL"
	cmdNew    = "BARU"
)

// CancelRequestNote is the text of the AppendToComplaint sent when a
// reporter writes BATAL after the report was submitted, so the officer sees
// the request on the complaint itself.
const CancelRequestNote = "Pelapor mengirim BATAL: meminta laporan ini dibatalkan."

// cancelRequestWords introduces the reporter's own words when they asked
// in a sentence ("batal aja pak, takut nanti bantuan sy dicabut"): the
// reason is often in it, and the officer must read it.
const cancelRequestWords = "Pelapor meminta laporan ini dibatalkan. Pesan pelapor: "

// Step handles one message. It returns at most one reply: when several
// things are said (acknowledgement, a NIK problem, what is missing) they are
// paragraphs of that one reply, so they cannot arrive out of order.
func (d *Dialog) Step(in Input) (Output, error) {
	if in.Msg == nil {
		return Output{Conv: in.Conv}, ErrNoMessage
	}
	s := &step{d: d, in: in, conv: in.Conv, required: d.Required(in.Msg.Channel), text: in.Msg.Text}
	if s.conv.Status == "" {
		s.conv.Status = StatusCollecting
	}
	s.platformPhone()
	if err := s.run(); err != nil {
		return Output{Conv: in.Conv}, err
	}
	if f := concernedChanges(in.Conv.Concerned, s.conv.Concerned); len(f) > 0 {
		s.actions = append(s.actions, ConcernedChanged{Fields: f})
	}
	out := Output{Conv: s.conv, Actions: s.actions, Intents: s.intents, KTPFrom: s.ktpFrom}
	if len(s.parts) > 0 {
		out.Replies = []string{strings.Join(s.parts, "\n\n")}
	}
	if s.conv.Status != StatusSubmitted {
		out.Missing = s.missing()
	}
	return out, nil
}

// step is the working state of one Step call.
type step struct {
	d        *Dialog
	in       Input
	conv     Conversation
	required []identity.Field
	parts    []string
	intents  []string
	actions  []Action
	// text is the message text still to read for identity and complaint:
	// clauses that asked something of the bot are taken out.
	text string
	// intent is what the message asked of the bot.
	intent intent
	// ktpFrom: see Output.KTPFrom.
	ktpFrom string
}

func (s *step) run() error {
	s.intent = s.d.readIntent(s.in.Msg.Text, s.ticketPrefixes())
	if s.intent.urgent && s.conv.NeedsOfficer != "darurat" {
		s.conv.NeedsOfficer = "darurat"
	}
	if s.conv.HumanTakeover {
		if s.conv.Survey != "" {
			// The officer answers, but a score given is still the reporter's answer.
			done, err := s.answerSurvey()
			s.parts, s.intents = nil, nil
			if done || err != nil {
				return err
			}
		}
		// The officer answers; keep what the message tells about the reporter
		// (and the complaint being collected) for the officer's checklist.
		s.text = s.intent.rest
		s.absorb(s.conv.Status == StatusCollecting)
		return nil
	}
	if s.conv.Pending != (identity.Identity{}) {
		if done, err := s.answerPending(); done || err != nil {
			return err
		}
	}
	if s.conv.CancelAsked {
		if done, err := s.answerCancel(); done || err != nil {
			return err
		}
	}
	if s.conv.Survey != "" {
		if done, err := s.answerSurvey(); done || err != nil {
			return err
		}
	}
	if cmd, arg, ok := parseCommand(s.in.Msg); ok {
		if err := s.greet(); err != nil {
			return err
		}
		return s.command(cmd, arg)
	}
	if err := s.greet(); err != nil {
		return err
	}
	if s.intent.urgent {
		if err := s.say(tplEscalated, s.view()); err != nil {
			return err
		}
	}
	if len(s.in.Msg.Attachments) == 0 {
		// A photo is never lost to a request: with attachments the text is data.
		switch {
		case s.intent.cancel:
			return s.cancelRequest()
		case s.intent.status:
			return s.statusIntent()
		}
	}
	for _, e := range s.intent.faq {
		s.sayText(intentFAQ, e.Answer)
	}
	s.text = s.intent.rest
	if s.conv.Status == StatusSubmitted {
		if t, done := s.finished(); done {
			return s.afterFinished(t)
		}
		return s.addToSubmitted()
	}
	return s.collect()
}

// finished returns the conversation's submitted complaint when its handling
// has ended (workflow.Status.Finished): nobody reads additions to it any more.
func (s *step) finished() (TicketInfo, bool) {
	if s.conv.Status != StatusSubmitted || s.conv.Ticket == "" {
		return TicketInfo{}, false
	}
	for _, t := range s.in.OwnTickets {
		if t.Ticket == s.conv.Ticket {
			return t, t.Status.Finished()
		}
	}
	return TicketInfo{}, false
}

// afterFinished handles a message once the conversation's complaint is
// finished. Small talk, thanks and stray numbers ("makasih pak, udah cair",
// a sticker, "3") get a short answer; words or files of substance are a
// new report, with the reporter's identity kept.
func (s *step) afterFinished(t TicketInfo) error {
	material := slices.ContainsFunc(s.in.Msg.Attachments, func(a event.Attachment) bool {
		return a.Kind != event.AttachmentSticker
	})
	if (!saysSomething(s.text) || s.intent.thanks) && !material {
		if len(s.intent.faq) > 0 {
			return nil // the question was answered
		}
		return s.sayFinished(t)
	}
	s.conv.Status = StatusCollecting
	s.conv.Complaint = ""
	s.conv.Ticket = ""
	at := len(s.parts)
	if err := s.collect(); err != nil {
		return err
	}
	if s.conv.Status == StatusCollecting && s.conv.Complaint == "" && !material {
		return nil // only data about the reporter ("alamat sy pindah …"): no report yet
	}
	// Said first: the earlier complaint is closed, this one starts anew.
	return s.sayAt(at, tplFinishedNew, s.finishedView(t))
}

// sayFinished says that the conversation's complaint t is finished and a
// new one can be told here.
func (s *step) sayFinished(t TicketInfo) error {
	v := s.finishedView(t)
	v.Thanks = s.intent.thanks
	return s.say(tplFinished, v)
}

func (s *step) finishedView(t TicketInfo) View {
	v := s.view()
	v.Ticket, v.StatusCode, v.Status = t.Ticket, string(t.Status), s.d.tpl.StatusLabel(string(t.Status))
	return v
}

// sayText adds a paragraph that is not a template (a FAQ answer).
func (s *step) sayText(intent, text string) {
	if text = strings.TrimSpace(text); text != "" {
		s.parts = append(s.parts, text)
		s.intents = append(s.intents, intent)
	}
}

// quiet reports whether a message gave nothing to keep.
func (got absorbed) quiet() bool {
	return got.complaint == "" && got.nikErr == nil && len(got.updated) == 0 && !got.concerned &&
		len(got.extra) == 0 && !got.ktp
}

// greet acknowledges the first message of the conversation.
func (s *step) greet() error {
	if s.conv.Greeted {
		return nil
	}
	s.conv.Greeted = true
	return s.say(tplAck, s.view())
}

// collect gathers identity and complaint text, and submits once complete.
func (s *step) collect() error {
	if s.conv.Status != StatusCollecting { // cancelled: start afresh
		s.conv.Status = StatusCollecting
		s.conv.Complaint = ""
	}
	got := s.absorb(true)
	if err := s.sayAbsorbed(got); err != nil {
		return err
	}
	if s.conv.Pending != (identity.Identity{}) {
		// A new report after a ticket (BARU, or after the last one was
		// finished): the reporter's own data still changes only with YA.
		if err := s.askChange(); err != nil || got.complaint == "" {
			return err
		}
	}
	if got.askKTP && got.complaint == "" && len(got.updated) == 0 {
		return s.say(tplKTPQuestion, s.view())
	}
	if got.quiet() {
		switch {
		case len(s.intent.faq) > 0:
			return nil // the question was answered; nothing else was said
		case s.intent.greeting && strings.TrimSpace(s.conv.Complaint) == "" && !s.conv.ChecklistSent:
			return s.say(tplGreeting, s.view())
		}
	}
	missing := s.missing()
	if len(missing) == 0 {
		return s.submit()
	}
	return s.ask(missing)
}

// ask says what is still missing and remembers whether a KTP photo is expected.
func (s *step) ask(missing []identity.Field) error {
	s.conv.AwaitingKTP = slices.Contains(missing, identity.FieldKTPPhoto)
	v := s.view()
	v.Missing = s.d.tpl.fieldViews(missing)
	v.Form = formLines(v.Missing)
	v.Again = s.conv.ChecklistSent
	switch {
	case len(missing) == 1 && missing[0] == identity.FieldKTPPhoto:
		return s.say(tplAskKTP, v)
	case len(missing) == 1 && missing[0] == identity.FieldComplaint:
		return s.say(tplAskComplaint, v)
	default:
		s.conv.ChecklistSent = true
		return s.say(tplAskMissing, v)
	}
}

// submit takes a ticket number and hands the complete report on.
func (s *step) submit() error {
	if s.in.NewTicket == nil {
		return fmt.Errorf("%w: Input.NewTicket is nil", ErrNoTicket)
	}
	ticket, err := s.in.NewTicket()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoTicket, err)
	}
	if ticket == "" {
		return fmt.Errorf("%w: NewTicket returned an empty ticket", ErrNoTicket)
	}
	s.actions = append(s.actions, CreateComplaint{
		Ticket:    ticket,
		Text:      s.conv.Complaint,
		Identity:  s.conv.Identity,
		Submitted: s.in.Now,
	})
	s.conv.Status = StatusSubmitted
	s.conv.Ticket = ticket
	s.conv.Complaint = ""
	s.conv.AwaitingKTP = false
	v := s.view()
	v.Ticket = ticket
	return s.say(tplSubmitted, v)
}

// askChange asks the reporter to confirm the values held in Conv.Pending.
func (s *step) askChange() error {
	v := s.view()
	v.Ticket = s.conv.Ticket
	v.Changes = s.changeViews(pendingFields(s.conv.Pending), s.conv.Pending)
	return s.say(tplConfirmChange, v)
}

// addToSubmitted adds a message sent after submission to that complaint.
func (s *step) addToSubmitted() error {
	got := s.absorb(false)
	if err := s.sayAbsorbed(got); err != nil {
		return err
	}
	if s.conv.Pending != (identity.Identity{}) {
		// The message is about the reporter's own data: it waits for YA.
		return s.askChange()
	}
	v := s.view()
	v.Ticket = s.conv.Ticket
	text := s.additionText(got)
	if text == "" {
		if len(s.intent.faq) > 0 || got.kkNumber != "" {
			return nil // the question was answered
		}
		// Nothing to add ("terima kasih", a sticker): say where things stand.
		return s.say(tplStillProcessing, v)
	}
	s.actions = append(s.actions, AppendToComplaint{Ticket: s.conv.Ticket, Text: text})
	v.Added = text
	return s.say(tplAppended, v)
}

// additionText is what a message adds to a submitted complaint: its
// complaint text, a note of its attachments and of identity data it updated
// (which fields, not their values).
func (s *step) additionText(got absorbed) string {
	var lines []string
	if got.complaint != "" {
		lines = append(lines, got.complaint)
	}
	if a := describeAttachments(got.extra); a != "" {
		lines = append(lines, "[lampiran: "+a+"]")
	}
	if len(got.updated) > 0 {
		lines = append(lines, s.updatedNote(got.updated))
	}
	if got.concerned {
		lines = append(lines, "[penerima manfaat dicatat: "+s.conv.Concerned.Relation+"]")
	}
	return strings.Join(lines, "\n")
}

// command answers STATUS, BANTUAN, BATAL and BARU.
func (s *step) command(cmd, arg string) error {
	switch cmd {
	case cmdHelp:
		return s.say(tplHelp, s.view())
	case cmdStatus:
		return s.status(arg)
	case cmdCancel:
		return s.cancel()
	case cmdNew:
		return s.startNew()
	}
	return fmt.Errorf("unknown command %q", cmd)
}

// status answers STATUS [ticket], only ever about the reporter's own tickets.
func (s *step) status(ticket string) error {
	v := s.view()
	if ticket == "" {
		for _, t := range s.in.OwnTickets {
			// Only the conversation's own ticket says how it ended: a list of long results reads badly.
			v.Tickets = append(v.Tickets, s.ticketView(t, t.Ticket == s.conv.Ticket))
		}
		if s.conv.Status == StatusCollecting && strings.TrimSpace(s.conv.Complaint) != "" {
			v.Missing = s.d.tpl.fieldViews(s.missing())
			v.Form = formLines(v.Missing)
		}
		return s.say(tplStatusList, v)
	}
	ref, parsed := parseTicket(ticket)
	for _, t := range s.in.OwnTickets {
		own, ok := parseTicket(t.Ticket)
		if strings.EqualFold(t.Ticket, ticket) || parsed && ok && own == ref {
			tv := s.ticketView(t, true)
			v.Ticket, v.StatusCode, v.Status, v.Due, v.Outcome = tv.Ticket, tv.StatusCode, tv.Status, tv.Due, tv.Outcome
			return s.say(tplStatus, v)
		}
	}
	v.Ticket = clip(strings.ToUpper(ticket), 40)
	if parsed {
		v.Ticket = ref.String()
	}
	return s.say(tplStatusNotFound, v)
}

// ticketView is t in words; withOutcome adds how a finished ticket ended.
// A finished ticket's deadline no longer matters and is left out.
func (s *step) ticketView(t TicketInfo, withOutcome bool) TicketView {
	tv := TicketView{Ticket: t.Ticket, StatusCode: string(t.Status), Status: s.d.tpl.StatusLabel(string(t.Status))}
	if !t.Status.Finished() {
		tv.Due = longDate(t.Due)
	}
	if withOutcome {
		tv.Outcome = clip(strings.Join(strings.Fields(t.outcome()), " "), maxOutcome)
	}
	return tv
}

// maxOutcome bounds, in characters, the result quoted in a status reply.
const maxOutcome = 500

// cancel handles BATAL: drops the report being collected (never the identity).
// A finished complaint has nothing left to cancel.
func (s *step) cancel() error {
	if t, done := s.finished(); done {
		return s.sayFinished(t)
	}
	v := s.view()
	if s.conv.Status == StatusSubmitted {
		v.Ticket = s.conv.Ticket
		note := CancelRequestNote
		if cmd, _, ok := parseCommand(s.in.Msg); !ok || cmd != cmdCancel {
			note = cancelRequestWords + "\"" + clip(strings.Join(strings.Fields(s.in.Msg.Text), " "), 500) + "\""
		}
		s.actions = append(s.actions, AppendToComplaint{Ticket: s.conv.Ticket, Text: note})
		s.conv.CancelRequested = true
		if s.conv.NeedsOfficer == "" {
			s.conv.NeedsOfficer = "pembatalan"
		}
		return s.say(tplCancelSubmitted, v)
	}
	s.conv.CancelAsked = false
	s.conv.Status = StatusCancelled
	s.conv.Complaint = ""
	s.conv.AwaitingKTP = false
	return s.say(tplCancelled, v)
}

// startNew handles BARU: a new report, with the identity already known.
func (s *step) startNew() error {
	v := s.view()
	if _, done := s.finished(); s.conv.Status == StatusSubmitted && !done {
		v.Ticket = s.conv.Ticket // new_report.tmpl: the earlier report is still being handled
	}
	s.conv.Status = StatusCollecting
	s.conv.Complaint = ""
	s.conv.Ticket = ""
	if err := s.say(tplNewReport, v); err != nil {
		return err
	}
	return s.ask(s.missing())
}

func (s *step) missing() []identity.Field {
	return identity.Missing(s.conv.Identity, s.conv.Complaint, s.required)
}

// say renders a reply paragraph; an empty rendering is left out.
func (s *step) say(name string, v View) error {
	return s.sayAt(len(s.parts), name, v)
}

// sayAt renders a reply paragraph to stand at index at of the reply.
func (s *step) sayAt(at int, name string, v View) error {
	text, err := s.d.tpl.render(name, v)
	if err != nil {
		return err
	}
	if text != "" {
		s.parts = slices.Insert(s.parts, at, text)
		s.intents = slices.Insert(s.intents, at, strings.TrimSuffix(name, ".tmpl"))
	}
	return nil
}

// view is the data every reply starts from.
func (s *step) view() View {
	v := View{SenderName: s.in.Msg.Sender.Name, Name: s.conv.Identity.Name,
		Concerned: PersonView{Name: s.conv.Concerned.Name, Relation: s.conv.Concerned.Relation}}
	if s.conv.Identity.NIK != "" {
		v.MaskedNIK = identity.MaskNIK(s.conv.Identity.NIK)
	}
	if s.conv.Concerned.NIK != "" {
		v.Concerned.MaskedNIK = identity.MaskNIK(s.conv.Concerned.NIK)
	}
	return v
}

func (s *step) sayNIKProblem(got absorbed) error {
	digits := identity.Digits(got.nikInvalid)
	v := s.view()
	v.BadNIK = identity.MaskNIK(digits)
	v.BadNIKDigits = len(digits)
	v.NIKProblem = nikProblem(got.nikErr)
	if len(digits) >= 2 {
		v.ProvinceCode = digits[:2]
	}
	v.KeptNIK = v.MaskedNIK
	return s.say(tplNIKInvalid, v)
}

// nikProblem names what is wrong with a NIK, for nik_invalid.tmpl.
func nikProblem(err error) string {
	switch {
	case errors.Is(err, identity.ErrNIKLength):
		return "length"
	case errors.Is(err, identity.ErrNIKProvince):
		return "province"
	case errors.Is(err, identity.ErrNIKFuture):
		return "future"
	case errors.Is(err, identity.ErrNIKDate):
		return "date"
	case errors.Is(err, identity.ErrNIKSerial):
		return "serial"
	}
	return "other"
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// platformPhone takes the number the platform gives (WhatsApp does; E.164
// by contract) as the reporter's phone when none is known yet.
func (s *step) platformPhone() {
	p := s.in.Msg.Sender.Phone
	if s.conv.Identity.Phone != "" || p == "" {
		return
	}
	if n, err := identity.NormalizePhone(p); err == nil {
		p = n
	}
	s.conv.Identity.Phone = p
}

// sayAbsorbed says what the reply must say of a message's data before
// anything else: a NIK that is wrong, a person concerned recorded.
func (s *step) sayAbsorbed(got absorbed) error {
	if got.nikErr != nil {
		if err := s.sayNIKProblem(got); err != nil {
			return err
		}
	}
	if got.concerned {
		if err := s.say(tplConcerned, s.view()); err != nil {
			return err
		}
	}
	if got.kkPhoto && !got.ktp {
		if err := s.say(tplKKPhoto, s.view()); err != nil {
			return err
		}
	}
	if got.kkNumber != "" && !slices.Contains(got.updated, identity.FieldNIK) {
		v := s.view()
		v.BadNIK = identity.MaskNIK(got.kkNumber)
		return s.say(tplKKNumber, v)
	}
	return nil
}

// mergeConcerned records what a message says of the person concerned: a
// new relation is a new person, the same one adds to what is known.
func (s *step) mergeConcerned(p identity.Person) {
	c := &s.conv.Concerned
	if c.Relation != p.Relation {
		*c = p
		return
	}
	if p.Name != "" {
		c.Name = p.Name
	}
	if p.NIK != "" {
		c.NIK = p.NIK
	}
}

// absorbed is what one message contributed.
type absorbed struct {
	// complaint is the message's complaint text ("" if none).
	complaint string
	// nikInvalid and nikErr: the first NIK-like number that failed validation.
	nikInvalid string
	nikErr     error
	// updated are the identity fields the message supplied, in checklist order.
	updated []identity.Field
	// extra are the attachments other than the KTP photo, stickers left out.
	extra []event.Attachment
	// concerned: the message gave a name or NIK of the person concerned.
	concerned bool
	// ktp: the message brought the KTP photo, or confirmed an earlier one.
	ktp bool
	// askKTP: a photo came before the KTP was asked for, without a caption.
	askKTP bool
	// kkPhoto: a photo said to be the KK (family card), not the KTP.
	kkPhoto bool
	// kkNumber: the digits of a KK number sent, when no NIK came with it.
	kkNumber string
	// replaced are the fields whose stored value the message replaced.
	replaced []identity.Field
}

// absorb merges what the message says about the reporter into the
// conversation; with collect, its complaint text joins the report too.
func (s *step) absorb(collect bool) absorbed {
	msg := s.in.Msg
	id := &s.conv.Identity
	var got absorbed
	updated := map[identity.Field]bool{}
	replaced := map[identity.Field]bool{}
	var pieces []string
	// What the last reply asked for: a bare answer to it counts as that field.
	var expecting []identity.Field
	if collect && s.conv.Greeted && s.conv.Status == StatusCollecting {
		expecting = s.missing()
	}
	take := func(text string) identity.Found {
		f := identity.ExtractAnswer(text, s.in.Now, expecting)
		set := func(dst *string, v string, field identity.Field) {
			switch {
			case v == "" || v == *dst:
			case *dst == "":
				*dst = v
				updated[field] = true
			case s.conv.HumanTakeover:
				// Nobody can be asked; the officer sees the message.
			case s.hasTicket():
				*fieldPtr(&s.conv.Pending, field) = v
			default:
				*dst = v
				updated[field] = true
				replaced[field] = true
			}
		}
		if c := f.Concerned; !c.Empty() {
			s.mergeConcerned(c)
			got.concerned = true
		}
		set(&id.Name, f.Name, identity.FieldName)
		set(&id.Address, f.Address, identity.FieldAddress)
		set(&id.Phone, f.Phone, identity.FieldPhone)
		set(&id.NIK, f.NIK, identity.FieldNIK)
		if f.NIKInvalid != "" && got.nikErr == nil {
			got.nikInvalid = f.NIKInvalid
			got.nikErr = f.NIKError
			if got.nikErr == nil {
				got.nikErr = errors.New("invalid nik")
			}
		}
		if c := strings.TrimSpace(f.Complaint); c != "" {
			pieces = append(pieces, c)
		}
		if f.KK != "" && f.NIK == "" && got.kkNumber == "" {
			got.kkNumber = f.KK
		}
		return f
	}
	textSaysKTP, textSaysKK := false, false
	if strings.TrimSpace(s.text) != "" {
		f := take(s.text)
		textSaysKTP, textSaysKK = f.KTPMentioned && !f.KKMentioned, f.KKMentioned
	}
	if s.conv.KTPQuestion != "" && len(msg.Attachments) == 0 {
		// The answer to "Apakah foto tadi foto KTP Anda?", or a message
		// saying the photo sent before was the KTP.
		yes, no := yesNo(s.text)
		switch {
		case (yes || textSaysKTP) && !id.KTPPhoto:
			s.ktpFrom = s.conv.KTPQuestion
			s.conv.KTPQuestion = ""
			got.ktp = true
			id.KTPPhoto = true
			updated[identity.FieldKTPPhoto] = true
			s.conv.AwaitingKTP = false
			pieces = nil
		case no:
			s.conv.KTPQuestion = ""
			pieces = nil
		}
	}
	// The KTP is one usable image: any, when we asked for it; otherwise one
	// whose caption, or the message text, says it is the KTP. One said to be
	// the KK is not.
	ktpIndex := -1
	for i, a := range msg.Attachments {
		captionSaysKTP, captionSaysKK := false, false
		if c := strings.TrimSpace(a.Caption); c != "" && c != strings.TrimSpace(msg.Text) {
			f := take(a.Caption)
			captionSaysKTP, captionSaysKK = f.KTPMentioned && !f.KKMentioned, f.KKMentioned
		}
		usable := a.Kind == event.AttachmentImage && a.Error == ""
		switch {
		case usable && (textSaysKK || captionSaysKK):
			got.kkPhoto = true
		case ktpIndex < 0 && usable && (s.conv.AwaitingKTP || textSaysKTP || captionSaysKTP):
			ktpIndex = i
		}
	}
	for i, a := range msg.Attachments {
		if i != ktpIndex && a.Kind != event.AttachmentSticker {
			got.extra = append(got.extra, a)
		}
	}
	if got.kkPhoto {
		pieces = nil // the words describe the KK photo ("foto KK, ktp blm jadi")
	}
	if ktpIndex >= 0 {
		got.ktp = true
		id.KTPPhoto = true
		updated[identity.FieldKTPPhoto] = true
		s.conv.AwaitingKTP = false
		s.conv.KTPQuestion = ""
		s.ktpFrom = msg.ExternalID
	} else if !id.KTPPhoto && !got.kkPhoto && strings.TrimSpace(msg.Text) == "" && s.conv.Status != StatusSubmitted {
		// A photo before any request and without a word: ask what it is.
		for _, a := range msg.Attachments {
			if a.Kind == event.AttachmentImage && a.Error == "" && strings.TrimSpace(a.Caption) == "" {
				s.conv.KTPQuestion = msg.ExternalID
				got.askKTP = true
				break
			}
		}
	}
	for _, f := range identity.Fields {
		if updated[f] {
			got.updated = append(got.updated, f)
		}
		if replaced[f] {
			got.replaced = append(got.replaced, f)
		}
	}
	if len(got.replaced) > 0 {
		s.actions = append(s.actions, IdentityChanged{Fields: got.replaced})
	}
	got.complaint = strings.Join(pieces, "\n")
	if collect && got.complaint != "" {
		if s.conv.Complaint == "" {
			s.conv.Complaint = got.complaint
		} else {
			s.conv.Complaint += "\n" + got.complaint
		}
	}
	return got
}

// describeAttachments names attachments in words: "2 gambar, 1 dokumen".
func describeAttachments(atts []event.Attachment) string {
	order := []string{"gambar", "dokumen", "video", "rekaman suara", "berkas"}
	count := map[string]int{}
	for _, a := range atts {
		switch a.Kind {
		case event.AttachmentImage:
			count["gambar"]++
		case event.AttachmentDocument:
			count["dokumen"]++
		case event.AttachmentVideo:
			count["video"]++
		case event.AttachmentAudio:
			count["rekaman suara"]++
		default:
			count["berkas"]++
		}
	}
	var parts []string
	for _, k := range order {
		if n := count[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	return strings.Join(parts, ", ")
}

// parseCommand recognizes a command written as the whole message (any case,
// with spaces, punctuation or emoji around it). A message with attachments
// is never a command, so no photo is lost to one.
func parseCommand(m *event.Inbound) (cmd, arg string, ok bool) {
	if len(m.Attachments) > 0 {
		return "", "", false
	}
	var words []string
	for _, w := range strings.Fields(m.Text) {
		if w = strings.TrimFunc(w, isEdge); w != "" {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return "", "", false
	}
	cmd = strings.ToUpper(words[0])
	switch {
	case cmd == cmdStatus && len(words) <= 2:
		if len(words) == 2 {
			arg = words[1]
		}
		return cmd, arg, true
	case (cmd == cmdHelp || cmd == cmdCancel || cmd == cmdNew) && len(words) == 1:
		return cmd, "", true
	}
	return "", "", false
}

// isEdge is what may surround a command word: punctuation and symbols (emoji included).
func isEdge(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) ||
		unicode.IsMark(r) || unicode.Is(unicode.Cf, r) // emoji variation selectors, joiners
}
