package bus

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/nats-io/nats.go/jetstream"
)

// AttachmentInfo describes a stored attachment. Filename and MIME are those
// given when the bytes were first stored.
type AttachmentInfo struct {
	Key      string
	SHA256   string
	Filename string
	MIME     string
	Size     int64
	ModTime  time.Time
}

// Object metadata keys.
const (
	metaFilename = "filename"
	metaMIME     = "mime"
)

// PutAttachment stores the bytes of r in the attachment bucket under
// "sha256/<hex digest>" and returns that key, the hex digest and the size.
// The same bytes always give the same key and are kept once: the upload
// goes to a temporary name and is renamed, or dropped if the key exists.
func (b *Bus) PutAttachment(ctx context.Context, r io.Reader, filename, mime string) (key, sha string, size int64, err error) {
	meta := map[string]string{metaFilename: filename, metaMIME: mime}
	tmp := "tmp/" + event.NewID()
	info, err := b.obj.Put(ctx, jetstream.ObjectMeta{Name: tmp, Metadata: meta}, r)
	if err != nil {
		return "", "", 0, fmt.Errorf("storing attachment: %w", err)
	}
	if sha, err = digestHex(info); err != nil {
		return "", "", 0, err
	}
	key = "sha256/" + sha
	err = b.obj.UpdateMeta(ctx, tmp, jetstream.ObjectMeta{Name: key, Metadata: meta})
	if errors.Is(err, jetstream.ErrObjectAlreadyExists) {
		err = b.obj.Delete(ctx, tmp)
	}
	if err != nil {
		// The bytes may sit under tmp; the caller retries and gets the key.
		return "", "", 0, fmt.Errorf("naming attachment %s: %w", key, err)
	}
	return key, sha, int64(info.Size), nil
}

// attachmentReadTimeout bounds reading an attachment when ctx has no
// deadline; JetStream would otherwise allow its API timeout (seconds) for
// the whole transfer.
const attachmentReadTimeout = 5 * time.Minute

// GetAttachment opens the attachment stored under key. ctx bounds the whole
// read, not just the opening. Reading to the end verifies the digest (the
// last Read fails on a mismatch); close the reader when done.
func (b *Bus) GetAttachment(ctx context.Context, key string) (io.ReadCloser, AttachmentInfo, error) {
	cancel := context.CancelFunc(func() {})
	if _, ok := ctx.Deadline(); !ok {
		ctx, cancel = context.WithTimeout(ctx, attachmentReadTimeout)
	}
	res, err := b.obj.Get(ctx, key)
	if err != nil {
		cancel()
		if errors.Is(err, jetstream.ErrObjectNotFound) {
			return nil, AttachmentInfo{}, fmt.Errorf("%w: %s", ErrAttachmentNotFound, key)
		}
		return nil, AttachmentInfo{}, fmt.Errorf("reading attachment %s: %w", key, err)
	}
	info, err := res.Info()
	var sha string
	if err == nil {
		sha, err = digestHex(info)
	}
	if err != nil {
		res.Close()
		cancel()
		return nil, AttachmentInfo{}, fmt.Errorf("reading attachment %s: %w", key, err)
	}
	return cancelOnClose{res, cancel}, AttachmentInfo{
		Key:      key,
		SHA256:   sha,
		Filename: info.Metadata[metaFilename],
		MIME:     info.Metadata[metaMIME],
		Size:     int64(info.Size),
		ModTime:  info.ModTime,
	}, nil
}

// cancelOnClose releases the read's context with the reader.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// digestHex is the object's SHA-256 (kept by the object store as
// "SHA-256=<base64url>") in hex.
func digestHex(info *jetstream.ObjectInfo) (string, error) {
	sum, err := jetstream.DecodeObjectDigest(info.Digest)
	if err != nil {
		return "", fmt.Errorf("attachment %s: digest %q: %w", info.Name, info.Digest, err)
	}
	return hex.EncodeToString(sum), nil
}

// DeleteAttachment removes an attachment's bytes from the object store; a
// key already gone is no error.
func (b *Bus) DeleteAttachment(ctx context.Context, key string) error {
	if err := b.obj.Delete(ctx, key); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
		return fmt.Errorf("deleting attachment %s: %w", key, err)
	}
	return nil
}
