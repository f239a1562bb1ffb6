package meta

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/aduan-gateway/aduan/adapters/internal/fetchqueue"
	"github.com/aduan-gateway/aduan/adapters/internal/safefetch"
	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// Messenger and Instagram messages with files wait in the fetch queue
// (adapters/internal/fetchqueue) while workers download the files from
// Meta's CDN; so do their senders' later messages, to keep their order.
const (
	StreamFetch = bus.StreamMetaFetch // declared by the bus
	// FetchConsumer names the fetch workers: FetchConsumer-<shard>, and
	// FetchConsumer for the jobs queued before shards.
	FetchConsumer = "meta-fetch"
)

// fetchAttempts is how many deliveries a download gets on transient errors
// (network, 5xx) before the message goes on with the failure noted.
const fetchAttempts = 3

type fetchConfig struct {
	client  *http.Client
	maxSize int64
	timeout time.Duration
	backoff []time.Duration
}

var defaultFetchBackoff = []time.Duration{2 * time.Second, 10 * time.Second, 30 * time.Second}

func newFetchConfig(cfg config.MetaConfig, client *http.Client, backoff []time.Duration) fetchConfig {
	if client == nil {
		// The links come from payloads: only public addresses, unless allowed.
		var permit func(netip.AddrPort) bool
		if cfg.FetchAllowPrivate {
			permit = safefetch.AllowAll
		}
		client = safefetch.Client(0, permit)
	}
	if len(backoff) == 0 {
		backoff = defaultFetchBackoff
	}
	return fetchConfig{client: client, maxSize: cfg.MaxAttachmentSize, timeout: cfg.DownloadTimeout, backoff: backoff}
}

// newFetchQueue is the Messenger and Instagram fetch queue: links to Meta's
// CDN, downloaded with the safe client.
func (w *Webhook) newFetchQueue() *fetchqueue.Queue {
	return fetchqueue.New(w.b, fetchqueue.Config{
		Stream: StreamFetch, Prefix: bus.SubjectMetaFetchPrefix, Legacy: bus.SubjectMetaFetchLegacy,
		Durable: FetchConsumer, Attempts: fetchAttempts,
		Backoff: w.fetch.backoff, AckWait: w.fetch.timeout + 30*time.Second,
		Fetch: func(ctx context.Context, s fetchqueue.Source, att *event.Attachment) error {
			return w.fetchOne(ctx, s.URL, att)
		},
		Retryable: func(err error) bool {
			var tr transientError
			return errors.As(err, &tr)
		},
		Observe: w.metrics.download,
		Log:     w.log,
	})
}

// FetchConsumers names the fetch queue's consumers (for lag gauges).
func FetchConsumers() []string { return fetchqueue.Consumers(FetchConsumer) }

// RunFetcher runs the fetch queue's workers, one per shard, until ctx ends.
func (w *Webhook) RunFetcher(ctx context.Context) error {
	return w.fetchq.Run(ctx)
}

// transientError marks a download failure worth another try.
type transientError struct{ err error }

func (e transientError) Error() string { return e.err.Error() }
func (e transientError) Unwrap() error { return e.err }

// fetchOne downloads one file, checks what it really is, stores it and fills
// att. Errors are plain English for the inbox, without the URL (it carries
// Meta's access parameters).
func (w *Webhook) fetchOne(ctx context.Context, rawURL string, att *event.Attachment) error {
	data, header, err := w.download(ctx, rawURL)
	if err != nil {
		return err
	}
	sniffed := http.DetectContentType(data)
	mt, err := checkContent(att.Kind, sniffed, header)
	if err != nil {
		return err
	}
	if att.Kind == event.AttachmentOther {
		att.Kind = event.KindOfMIME(mt)
	}
	att.MIME = mt
	if !strings.Contains(att.Filename, ".") {
		att.Filename += event.ExtensionOfMIME(mt)
	}
	key, sum, size, err := w.b.PutAttachment(ctx, bytes.NewReader(data), att.Filename, mt)
	if err != nil {
		return transientError{err}
	}
	att.ObjectKey, att.SHA256, att.Size = key, sum, size
	return nil
}

func (w *Webhook) download(ctx context.Context, rawURL string) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(ctx, w.fetch.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, "", errors.New("the platform sent an unusable file link")
	}
	resp, err := w.fetch.client.Do(req)
	if errors.Is(err, safefetch.ErrRefusedAddress) {
		return nil, "", safefetch.ErrRefusedAddress
	}
	if err != nil {
		return nil, "", transientError{errors.New("download from Meta's CDN failed: " + errorClass(err))}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return nil, "", transientError{fmt.Errorf("Meta's CDN answered HTTP %d", resp.StatusCode)}
	default:
		return nil, "", fmt.Errorf("the file link was refused (HTTP %d); it may have expired, ask the citizen to send the file again", resp.StatusCode)
	}
	if resp.ContentLength > w.fetch.maxSize {
		return nil, "", fmt.Errorf("file of %d bytes exceeds the limit of %d bytes", resp.ContentLength, w.fetch.maxSize)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, w.fetch.maxSize+1))
	if err != nil {
		return nil, "", transientError{errors.New("download from Meta's CDN broke off: " + errorClass(err))}
	}
	if int64(len(data)) > w.fetch.maxSize {
		return nil, "", fmt.Errorf("file exceeds the limit of %d bytes", w.fetch.maxSize)
	}
	if len(data) == 0 {
		return nil, "", errors.New("the file is empty")
	}
	return data, resp.Header.Get("Content-Type"), nil
}

// errorClass says what went wrong with a request without quoting its URL.
func errorClass(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	return "connection error"
}

// checkContent decides a file's MIME type from its bytes and checks it fits
// the kind Meta announced: an "image" that is really an HTML page (an
// expired link's error page, say) is not stored as a KTP photo. The sender's
// Content-Type only refines what sniffing cannot tell apart (zip-based
// office documents, plain octet streams).
func checkContent(kind event.AttachmentKind, sniffed, header string) (string, error) {
	mt, _, _ := mime.ParseMediaType(sniffed)
	declared, _, _ := mime.ParseMediaType(header)
	if mt == "text/html" {
		return "", errors.New("the link returned a web page, not a file; it may have expired")
	}
	top, _, _ := strings.Cut(mt, "/")
	ok := true
	switch kind {
	case event.AttachmentImage, event.AttachmentSticker:
		ok = top == "image"
	case event.AttachmentVideo:
		ok = top == "video" || mt == "application/ogg"
	case event.AttachmentAudio:
		// Messenger voice clips are MP4 or WebM containers.
		ok = top == "audio" || mt == "video/mp4" || mt == "video/webm" || mt == "application/ogg"
		if ok && top != "audio" {
			mt = "audio/" + strings.TrimPrefix(strings.TrimPrefix(mt, "video/"), "application/")
		}
	case event.AttachmentOther:
		ok = top == "image" || top == "video"
	}
	if !ok {
		return "", fmt.Errorf("announced as %s but the file is %s", kind, mt)
	}
	if (mt == "application/octet-stream" || mt == "application/zip" || mt == "text/plain") &&
		declared != "" && declared != "text/html" && declared != mt {
		if declared == "application/octet-stream" {
			return mt, nil
		}
		// A zip may be a .docx; octet-stream may be anything the sniffer does not know.
		return declared, nil
	}
	return mt, nil
}
