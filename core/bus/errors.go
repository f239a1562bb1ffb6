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

// permanentError marks a handler error that redelivery cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent wraps err to tell the consumer not to retry: the message goes to
// the dead letters at once (a malformed event, a recipient that blocked us).
// Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

func isPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}
