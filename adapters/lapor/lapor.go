// Package lapor links Aduan with SP4N-LAPOR!, Indonesia's national
// complaint system. A poller fetches the reports the national admin disposed
// to the agency (and those changed since) and publishes them on
// aduan.inbound.lapor; a pusher sends the agency's actions on those
// complaints (verified, postponed, not our authority, follow-up, finished)
// back to LAPOR!. The simulator serves the same assumed API on a local
// address, for development and for the tests.
//
// LAPOR!'s agency API is documented only to agency developer accounts, so
// the contract is an assumption (docs/channels/lapor.md). All of it, from
// paths and the auth header to field names and status words, lives in
// wire.go; the rest of the package works with the types below.
package lapor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
)

// Status is a report's status on LAPOR!, as the agency sees it.
type Status string

// Report statuses. A status LAPOR! adds later passes through unchanged.
const (
	StatusDisposed   Status = "disposed"    // disposed to the agency, waiting for it
	StatusVerified   Status = "verified"    // the agency verified it
	StatusPostponed  Status = "postponed"   // the agency put it off (tunda)
	StatusReturned   Status = "returned"    // not the agency's matter: back at the national admin
	StatusArchived   Status = "archived"    // archived by the agency without follow-up
	StatusFollowedUp Status = "followed_up" // the agency answered (tindak lanjut)
	StatusFinished   Status = "finished"    // closed (selesai)
)

// Report is a report disposed to the agency, as fetched.
type Report struct {
	TrackingID string
	// Revision grows with every change of the report on LAPOR!.
	Revision       int
	Title          string
	Text           string
	Classification string // pengaduan, aspirasi, permintaan_informasi
	Category       string
	Location       string
	EventAt        time.Time // when the matter happened, if the reporter said
	FiledAt        time.Time
	DisposedAt     time.Time
	UpdatedAt      time.Time
	Status         Status
	// Confidential (rahasia): hidden from the public, reporter's identity withheld.
	Confidential bool
	// Anonymous (anonim): public, but the reporter's identity hidden.
	Anonymous bool
	// Reporter is nil when LAPOR! does not give the reporter's identity.
	Reporter *Reporter
	Files    []File
	// Replies are the reporter's own later messages, oldest first; the
	// agency's and the national admin's entries are not included.
	Replies []Reply
}

// Reporter is the reporter as LAPOR! knows them.
type Reporter struct {
	// ID is the reporter's LAPOR! account id.
	ID   string
	Name string
	// Phone is in E.164 form (+62...), or empty.
	Phone string
}

// File is an attachment of a report or a reply, to be downloaded.
type File struct {
	URL  string
	Name string
	MIME string
	Size int64
}

// Reply is a reporter's message added to a report after it was filed.
type Reply struct {
	// Revision is the report's revision that added the reply.
	Revision int
	Text     string
	At       time.Time
	Files    []File
}

// Page is one page of reports disposed to the agency or changed since a cursor.
type Page struct {
	Reports []Report
	// Rejected holds reports of the page that could not be understood,
	// kept whole so that nothing is lost.
	Rejected []RejectedReport
	// Next is the cursor to ask for the following page, and to resume from.
	Next string
	// More is true when there are more changes after Next.
	More bool
}

// RejectedReport is a report in a page that could not be mapped.
type RejectedReport struct {
	Raw    []byte
	Reason string
}

// ActionKind is an action the agency takes on a report.
type ActionKind string

// The actions pushed to LAPOR!.
const (
	ActionVerify   ActionKind = "verify"
	ActionPostpone ActionKind = "postpone"  // needs a reason
	ActionReturn   ActionKind = "return"    // not our authority; needs a reason
	ActionFollowUp ActionKind = "follow_up" // the answer (tindak lanjut); needs text
	ActionFinish   ActionKind = "finish"
)

// Action is one agency action to push.
type Action struct {
	// RequestID makes a repeated push harmless: LAPOR! applies an id once.
	RequestID  string
	TrackingID string
	Kind       ActionKind
	// Text is the reason (postpone, return) or the answer (follow-up).
	Text  string
	Files []Upload
	At    time.Time
}

// Upload is a file sent with a follow-up answer.
type Upload struct {
	Name string
	MIME string
	Data []byte
}

// API is what the poller and the pusher need from LAPOR!. Client speaks it
// over HTTP; a second implementation would only be needed for a different
// transport.
type API interface {
	// Reports returns the page of reports changed after cursor ("" = from the start).
	Reports(ctx context.Context, cursor string, limit int) (*Page, error)
	// Download opens an attachment. The caller closes it.
	Download(ctx context.Context, f File) (io.ReadCloser, error)
	// Push applies an action on LAPOR!.
	Push(ctx context.Context, a Action) error
}

// ErrCursorExpired is returned by Reports when LAPOR! no longer knows the
// cursor; the poller then starts again from the beginning, which is harmless
// because every report is de-duplicated.
var ErrCursorExpired = errors.New("LAPOR! cursor expired")

// APIError is an error answer from LAPOR!.
type APIError struct {
	Op     string // what was attempted, e.g. "listing reports"
	Status int    // HTTP status
	// Code is LAPOR!'s error code, if it sent one.
	Code    string
	Message string
	// RetryAfter is how long LAPOR! asked us to wait (429, 503), if it said.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s: LAPOR! answered %d %s", e.Op, e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Permanent tells whether repeating the same request cannot succeed: the
// request itself is wrong or refers to nothing. Authentication failures are
// not permanent: an admin fixes the key and the same request goes through.
func (e *APIError) Permanent() bool {
	switch e.Status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusGone, http.StatusRequestEntityTooLarge,
		http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// Unauthorized tells whether LAPOR! refused the key.
func (e *APIError) Unauthorized() bool {
	return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
}

// permanentf is an error found on our side that no retry can fix (a push
// without its reason, a file too large).
func permanentf(format string, args ...any) error {
	return bus.Permanent(fmt.Errorf(format, args...))
}

// isPermanent reports whether retrying cannot fix err: a send error that
// says so, or LAPOR!'s answer to a request that is itself wrong.
func isPermanent(err error) bool {
	var ae *APIError
	return !bus.Retryable(err) || errors.As(err, &ae) && ae.Permanent()
}

// isUnauthorized reports whether err says LAPOR! refused the key.
func isUnauthorized(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Unauthorized()
}

// retryAfter is the wait LAPOR! asked for in err, or 0.
func retryAfter(err error) time.Duration {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.RetryAfter
	}
	return 0
}
