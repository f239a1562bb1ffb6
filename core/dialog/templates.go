package dialog

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"github.com/aduan-gateway/aduan/core/identity"
)

//go:embed templates/*.tmpl
var embedded embed.FS

// Template file names. Each is a text/template executed with a [View]
// (field_label.tmpl and field_form.tmpl with a field code, status_label.tmpl
// with a workflow status code, both as strings).
const (
	tplAck             = "ack.tmpl"
	tplAskMissing      = "ask_missing.tmpl"
	tplAskKTP          = "ask_ktp.tmpl"
	tplAskComplaint    = "ask_complaint.tmpl"
	tplNIKInvalid      = "nik_invalid.tmpl"
	tplSubmitted       = "submitted.tmpl"
	tplAppended        = "appended.tmpl"
	tplStillProcessing = "still_processing.tmpl"
	tplStatus          = "status.tmpl"
	tplStatusList      = "status_list.tmpl"
	tplStatusNotFound  = "status_not_found.tmpl"
	tplHelp            = "help.tmpl"
	tplCancelled       = "cancelled.tmpl"
	tplCancelSubmitted = "cancel_submitted.tmpl"
	tplNewReport       = "new_report.tmpl"
	tplFieldLabel      = "field_label.tmpl"
	tplFieldForm       = "field_form.tmpl"
	tplStatusLabel     = "status_label.tmpl"
	tplConcerned       = "concerned.tmpl"
	tplConfirmChange   = "confirm_change.tmpl"
	tplIdentityChanged = "identity_changed.tmpl"
	tplChangeDeclined  = "change_declined.tmpl"
	tplGreeting        = "greeting.tmpl"
	tplCancelConfirm   = "cancel_confirm.tmpl"
	tplCancelKept      = "cancel_kept.tmpl"
	tplEscalated       = "escalated.tmpl"
	tplKTPQuestion     = "ktp_question.tmpl"
	tplKKPhoto         = "kk_photo.tmpl"
	tplKKNumber        = "kk_number.tmpl"
	tplSurvey          = "survey.tmpl"
	tplSurveyThanks    = "survey_thanks.tmpl"
	tplFinished        = "finished.tmpl"
	tplFinishedNew     = "finished_new.tmpl"
)

// intentFAQ names a FAQ answer among Output.Intents.
const intentFAQ = "faq"

// TemplateFiles lists the names of every reply template file, the names a
// file in the override folder must have.
var TemplateFiles = []string{
	tplAck, tplAskMissing, tplAskKTP, tplAskComplaint, tplNIKInvalid,
	tplSubmitted, tplAppended, tplStillProcessing,
	tplStatus, tplStatusList, tplStatusNotFound,
	tplHelp, tplCancelled, tplCancelSubmitted, tplNewReport,
	tplFieldLabel, tplFieldForm, tplStatusLabel,
	tplConcerned, tplConfirmChange, tplIdentityChanged, tplChangeDeclined,
	tplGreeting, tplCancelConfirm, tplCancelKept, tplEscalated,
	tplKTPQuestion, tplKKPhoto, tplKKNumber,
	tplSurvey, tplSurveyThanks, tplFinished, tplFinishedNew,
}

// ErrTemplate is wrapped by every error of LoadTemplates.
var ErrTemplate = errors.New("reply template")

// Templates are the reply texts, embedded in the binary and overridable from a folder.
type Templates struct {
	tpl map[string]*template.Template
	// source says where each file came from ("embedded" or its path), for errors.
	source map[string]string
	labels map[identity.Field]string
	forms  map[identity.Field]string
	faq    faqSet
}

// View is the data every reply template (other than the label templates) is
// executed with. Fields that do not apply to a reply are empty.
type View struct {
	// SenderName is the profile name the platform gives (may be empty or a nickname).
	SenderName string
	// Name is the reporter's full name as collected (may be empty).
	Name string
	// MaskedNIK is the reporter's collected NIK, masked (1971xxxxxxxx0003); empty if none.
	MaskedNIK string
	// Ticket is the ticket the reply is about.
	Ticket string
	// Status is that ticket's status in words (status_label.tmpl), StatusCode its code.
	Status     string
	StatusCode string
	// Due is that ticket's deadline in words ("31 Maret 2026"); empty when
	// not set or the ticket is finished.
	Due string
	// Outcome is how that ticket ended, when it is finished: the result, or
	// why it is not the office's matter (StatusCode bukan_wewenang).
	Outcome string
	// Thanks: the message thanked (finished.tmpl answers "sama-sama").
	Thanks bool
	// Tickets are the reporter's own tickets (status_list.tmpl).
	Tickets []TicketView
	// Missing are the fields still needed, in checklist order; Form are
	// their fill-in lines ("Nama: "), for the fields that have one.
	Missing []FieldView
	Form    []string
	// Again: the full checklist was sent before; say only what is missing, briefly.
	Again bool
	// NIK problem (nik_invalid.tmpl): the masked number sent, how many
	// digits it had, the reason code (length, province, date, future,
	// serial, other) and its first two digits. KeptNIK is the masked valid
	// NIK already on file, if any. kk_number.tmpl has the KK number sent,
	// masked, in BadNIK.
	BadNIK       string
	BadNIKDigits int
	NIKProblem   string
	ProvinceCode string
	KeptNIK      string
	// Added describes what an AppendToComplaint added (appended.tmpl).
	Added string
	// Concerned is the person the complaint is about, if not the reporter
	// (concerned.tmpl).
	Concerned PersonView
	// Changes are the reporter's values to change or changed
	// (confirm_change.tmpl, identity_changed.tmpl).
	Changes []ChangeView
	// Score (1–4) and Comment are the reporter's answer to the
	// satisfaction question (survey_thanks.tmpl).
	Score   int
	Comment string
}

// PersonView is the person concerned in a View, the NIK masked.
type PersonView struct {
	Name      string
	MaskedNIK string
	Relation  string
}

// ChangeView is one identity value in a View; a NIK is masked.
type ChangeView struct {
	Code  identity.Field
	Label string
	Value string
}

// TicketView is one ticket in a View.
type TicketView struct {
	Ticket     string
	Status     string
	StatusCode string
	// Due is the deadline in words ("31 Maret 2026"), or empty.
	Due string
	// Outcome: see View.Outcome.
	Outcome string
}

// FieldView is one identity field in a View.
type FieldView struct {
	Code  identity.Field
	Label string
	// Form is the fill-in line for the field ("" for foto_ktp and isi_aduan).
	Form string
}

// LoadTemplates returns the embedded templates, with any file of the same
// name in dir (if dir is not empty) taking its place. Every template is
// parsed and executed once with sample data, so a broken file is reported
// here, by name, and not when a citizen is waiting for an answer. A *.tmpl
// file in dir that is not one of TemplateFiles is an error too (most likely
// a misspelt name that would otherwise be silently ignored).
func LoadTemplates(dir string) (*Templates, error) {
	t := &Templates{
		tpl:    make(map[string]*template.Template, len(TemplateFiles)),
		source: make(map[string]string, len(TemplateFiles)),
	}
	overrides := map[string]bool{}
	if dir != "" {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("%w folder: %w", ErrTemplate, err)
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".tmpl") {
				continue
			}
			if !slices.Contains(TemplateFiles, e.Name()) {
				return nil, fmt.Errorf("%w file %s: not a known template (known: %s)",
					ErrTemplate, filepath.Join(dir, e.Name()), strings.Join(TemplateFiles, ", "))
			}
			overrides[e.Name()] = true
		}
	}
	for _, name := range TemplateFiles {
		var src []byte
		var err error
		where := "embedded " + name
		if overrides[name] {
			where = filepath.Join(dir, name)
			src, err = os.ReadFile(where)
		} else {
			src, err = fs.ReadFile(embedded, "templates/"+name)
		}
		if err != nil {
			return nil, fmt.Errorf("%w file %s: %w", ErrTemplate, where, err)
		}
		tp, err := template.New(name).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("%w file %s: %w", ErrTemplate, where, err)
		}
		t.tpl[name] = tp
		t.source[name] = where
	}
	faqSrc, where := embeddedFAQ, "embedded "+FAQFile
	if dir != "" {
		if b, err := os.ReadFile(filepath.Join(dir, FAQFile)); err == nil {
			faqSrc, where = b, filepath.Join(dir, FAQFile)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w file %s: %w", ErrTemplate, filepath.Join(dir, FAQFile), err)
		}
	}
	var err error
	if t.faq, err = parseFAQ(faqSrc, where); err != nil {
		return nil, err
	}
	if err := t.prepare(); err != nil {
		return nil, err
	}
	return t, nil
}

// prepare renders the field labels and checks every template against sample data.
func (t *Templates) prepare() error {
	t.labels = make(map[identity.Field]string, len(identity.Fields))
	t.forms = make(map[identity.Field]string, len(identity.Fields))
	for _, f := range identity.Fields {
		label, err := t.exec(tplFieldLabel, string(f))
		if err != nil {
			return err
		}
		label = strings.TrimSpace(label)
		if label == "" {
			return fmt.Errorf("%w file %s: empty label for field %s", ErrTemplate, t.source[tplFieldLabel], f)
		}
		t.labels[f] = label
		form, err := t.exec(tplFieldForm, string(f))
		if err != nil {
			return err
		}
		// Keep the space after "Nama:" so the copied line is ready to fill.
		t.forms[f] = strings.Trim(form, "\r\n")
	}
	for _, code := range []string{"menunggu_verifikasi", "kode_lain"} {
		if _, err := t.exec(tplStatusLabel, code); err != nil {
			return err
		}
	}
	sample := t.sampleView()
	for _, name := range TemplateFiles {
		if name == tplFieldLabel || name == tplFieldForm || name == tplStatusLabel {
			continue
		}
		if _, err := t.exec(name, sample); err != nil {
			return err
		}
	}
	return nil
}

func (t *Templates) sampleView() View {
	missing := t.fieldViews(identity.Fields)
	return View{
		SenderName: "Siti", Name: "Siti Aminah", MaskedNIK: "1971xxxxxxxx0003",
		Ticket: "ADU-2026-000001", Status: "menunggu verifikasi", StatusCode: "menunggu_verifikasi", Due: "31 Maret 2026",
		Outcome: "bantuan sudah dicairkan", Thanks: true,
		Tickets: []TicketView{{Ticket: "ADU-2026-000001", Status: "menunggu verifikasi", StatusCode: "menunggu_verifikasi",
			Due: "31 Maret 2026", Outcome: "bantuan sudah dicairkan"}},
		Missing: missing, Form: formLines(missing),
		BadNIK: "1971xxxxxxx0003", BadNIKDigits: 15, NIKProblem: "length", ProvinceCode: "19",
		KeptNIK: "1971xxxxxxxx0003", Added: "keterangan tambahan",
		Concerned: PersonView{Name: "Jamilah", MaskedNIK: "1901xxxxxxxx0001", Relation: "ibu"},
		Changes:   []ChangeView{{Code: identity.FieldNIK, Label: "NIK (16 digit)", Value: "1971xxxxxxxx0002"}},
		Score:     4, Comment: "petugasnya cepat tanggap",
	}
}

// exec runs one template.
func (t *Templates) exec(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := t.tpl[name].Execute(&b, data); err != nil {
		return "", fmt.Errorf("%w file %s: %w", ErrTemplate, t.source[name], err)
	}
	return b.String(), nil
}

// render runs a reply template and tidies the result: leading blank space
// and trailing line breaks go, the rest (including the space after "Nama:")
// stays. An empty result means the office switched that reply off.
func (t *Templates) render(name string, v View) (string, error) {
	s, err := t.exec(name, v)
	if err != nil {
		return "", err
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimLeft(s, " \t\n")
	s = strings.TrimRight(s, "\n")
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	return s, nil
}

// Label is the field's name as citizens read it ("nama lengkap").
func (t *Templates) Label(f identity.Field) string {
	if l, ok := t.labels[f]; ok {
		return l
	}
	return string(f)
}

// StatusLabel is a workflow status code in words ("menunggu verifikasi").
// Codes status_label.tmpl does not name are shown with spaces for underscores.
func (t *Templates) StatusLabel(code string) string {
	s, err := t.exec(tplStatusLabel, code)
	if s = strings.TrimSpace(s); err != nil || s == "" {
		return strings.ReplaceAll(code, "_", " ")
	}
	return s
}

func (t *Templates) fieldViews(fields []identity.Field) []FieldView {
	out := make([]FieldView, 0, len(fields))
	for _, f := range fields {
		out = append(out, FieldView{Code: f, Label: t.Label(f), Form: t.forms[f]})
	}
	return out
}

func formLines(fields []FieldView) []string {
	var out []string
	for _, f := range fields {
		if strings.TrimSpace(f.Form) != "" {
			out = append(out, f.Form)
		}
	}
	return out
}

// mustEmbedded loads the embedded templates; they are tested, so failing is a build bug.
func mustEmbedded() *Templates {
	t, err := LoadTemplates("")
	if err != nil {
		panic(err)
	}
	return t
}
