package bus

import "errors"

// ErrInvalidConfig is returned by Open and Consume for a Config or
// ConsumerSpec they cannot use.
var ErrInvalidConfig = errors.New("invalid bus configuration")

// ErrNoMsgID is returned by Publish when the de-duplication id is empty:
// without it a publish retried after a lost acknowledgement would be stored twice.
var ErrNoMsgID = errors.New("publish without a message id")

// ErrAttachmentNotFound is returned by GetAttachment for an unknown key.
var ErrAttachmentNotFound = errors.New("attachment not found")

// SendError is a failure to hand something to another system (a reply to
// a platform, a push to LAPOR!) with what to do about it. It is the one way
// Aduan says whether a failure is worth retrying: the bus's consumers
// dead-letter at once what is not Retryable; a reply sender (adapters/channel)
// retries what is Retryable unless it NeedsAdmin, and reports the Reason.
type SendError struct {
	// Reason is what happened in plain words an admin can act on (the
	// inbox, the channel's health). Empty: the error's own text.
	Reason string
	// Retryable: the same send may succeed later (network, rate limit, the
	// platform's trouble, or once an administrator fixed what NeedsAdmin).
	Retryable bool
	// NeedsAdmin: nothing more succeeds on the account until an
	// administrator acts (an access token, the app's permissions).
	NeedsAdmin bool
	// Err is the cause, if any.
	Err error
}

func (e *SendError) Error() string {
	switch {
	case e.Reason == "" && e.Err != nil:
		return e.Err.Error()
	case e.Err != nil:
		return e.Reason + ": " + e.Err.Error()
	}
	return e.Reason
}

func (e *SendError) Unwrap() error { return e.Err }

// Permanent wraps err to tell the consumer not to retry: the message goes to
// the dead letters at once (a malformed event, a recipient that blocked us).
// Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &SendError{Err: err}
}

// Retryable reports whether trying again may cure err: false only for a
// SendError that says so. An error that does not say (a timeout, NATS
// unreachable) is worth another try.
func Retryable(err error) bool {
	var se *SendError
	return !errors.As(err, &se) || se.Retryable
}

func isPermanent(err error) bool { return err != nil && !Retryable(err) }
