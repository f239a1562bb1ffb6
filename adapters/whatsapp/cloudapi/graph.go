package cloudapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aduan-gateway/aduan/adapters/internal/safefetch"
	"github.com/aduan-gateway/aduan/config"
)

// graph calls the Cloud API (part of Meta's Graph API) with the access
// token: media look-ups and downloads, and sending messages.
type graph struct {
	base          string // e.g. https://graph.facebook.com/v23.0/
	token         string
	phoneNumberID string
	client        *http.Client
	download      *http.Client
	maxSize       int64
}

func newGraph(cfg *config.Config, hc *http.Client) *graph {
	g := &graph{
		base:          cfg.Meta.GraphURL + cfg.Meta.GraphVersion + "/",
		token:         cfg.WhatsApp.CloudToken,
		phoneNumberID: cfg.WhatsApp.CloudPhoneNumberID,
		client:        &http.Client{Timeout: cfg.Meta.GraphTimeout},
		download:      safefetch.Client(cfg.Meta.DownloadTimeout, nil),
		maxSize:       cfg.WhatsApp.MaxAttachmentSize,
	}
	if cfg.Meta.FetchAllowPrivate {
		g.download = safefetch.Client(cfg.Meta.DownloadTimeout, safefetch.AllowAll)
	}
	if hc != nil {
		g.client, g.download = hc, hc
	}
	return g
}

// apiError is an error answer of the Graph API.
type apiError struct {
	Status  int
	Code    int    `json:"code"`
	Subcode int    `json:"error_subcode"`
	Type    string `json:"type"`
	Message string `json:"message"`
	Data    struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

func (e *apiError) Error() string {
	msg := e.Message
	if e.Data.Details != "" {
		msg += ": " + e.Data.Details
	}
	return fmt.Sprintf("Cloud API error %d (HTTP %d): %s", e.Code, e.Status, msg)
}

// retryable: rate limits and Meta's own trouble pass; the rest does not.
func (e *apiError) retryable() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests || retryableCode(e.Code)
}

// tokenProblem: the token or the app's permissions need an administrator.
func (e *apiError) tokenProblem() bool {
	return e.Code == 190 || e.Code == 0 || e.Code == 3 || e.Code == 10 || (e.Code >= 200 && e.Code < 300)
}

// retryableCode lists the Cloud API's error codes worth another try:
// unknown and service errors, rate limits, "something went wrong".
func retryableCode(code int) bool {
	switch code {
	case 1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 133004:
		return true
	}
	return false
}

// netError marks a failure to talk to Meta at all: always worth retrying.
type netError struct{ err error }

func (e netError) Error() string { return "the Cloud API could not be reached: " + e.err.Error() }
func (e netError) Unwrap() error { return e.err }

// call sends a request and decodes a JSON answer into out.
func (g *graph) call(ctx context.Context, method, path string, body any, out any) error {
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, g.base+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return netError{scrub(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return netError{err}
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error *apiError `json:"error"`
		}
		if json.Unmarshal(data, &e) != nil || e.Error == nil {
			e.Error = &apiError{Message: strings.TrimSpace(string(data[:min(len(data), 200)]))}
		}
		e.Error.Status = resp.StatusCode
		return e.Error
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decoding the Cloud API's answer: %w", err)
	}
	return nil
}

// scrub drops the URL from a transport error: media URLs carry access
// parameters.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// mediaInfo is the answer of GET /{media-id}. Meta writes file_size as a
// number or as a string; json.Number takes both.
type mediaInfo struct {
	URL      string      `json:"url"`
	MIMEType string      `json:"mime_type"`
	SHA256   string      `json:"sha256"`
	FileSize json.Number `json:"file_size"`
	ID       string      `json:"id"`
}

// errTooLarge is a file over the configured size.
var errTooLarge = errors.New("file too large")

// fetchMedia looks a media id up and downloads the file with the token.
func (g *graph) fetchMedia(ctx context.Context, id string) ([]byte, *mediaInfo, error) {
	var info mediaInfo
	if err := g.call(ctx, http.MethodGet, url.PathEscape(id), nil, &info); err != nil {
		return nil, nil, err
	}
	if size, err := info.FileSize.Int64(); err == nil && size > g.maxSize {
		return nil, &info, fmt.Errorf("%w (%d bytes, the limit is %d)", errTooLarge, size, g.maxSize)
	}
	if info.URL == "" {
		return nil, &info, errors.New("the Cloud API gave no download URL")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, info.URL, nil)
	if err != nil {
		return nil, &info, errors.New("the Cloud API gave an unusable download URL")
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	resp, err := g.download.Do(req)
	if errors.Is(err, safefetch.ErrRefusedAddress) {
		return nil, &info, safefetch.ErrRefusedAddress
	}
	if err != nil {
		return nil, &info, netError{scrub(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &info, &apiError{Status: resp.StatusCode, Message: "media download answered " + resp.Status}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, g.maxSize+1))
	if err != nil {
		return nil, &info, netError{err}
	}
	if int64(len(data)) > g.maxSize {
		return nil, &info, fmt.Errorf("%w (over %d bytes)", errTooLarge, g.maxSize)
	}
	return data, &info, nil
}

// sendRequest is the body of POST /{phone-number-id}/messages for text.
type sendRequest struct {
	MessagingProduct string `json:"messaging_product"`
	RecipientType    string `json:"recipient_type"`
	To               string `json:"to"`
	Type             string `json:"type"`
	Text             struct {
		PreviewURL bool   `json:"preview_url"`
		Body       string `json:"body"`
	} `json:"text"`
	Context *struct {
		MessageID string `json:"message_id"`
	} `json:"context,omitempty"`
}

// sendText sends a text message and returns its WhatsApp message id (wamid).
func (g *graph) sendText(ctx context.Context, to, text, replyTo string) (string, error) {
	req := sendRequest{MessagingProduct: "whatsapp", RecipientType: "individual", To: to, Type: "text"}
	req.Text.Body = text
	if replyTo != "" {
		req.Context = &struct {
			MessageID string `json:"message_id"`
		}{replyTo}
	}
	var resp struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := g.call(ctx, http.MethodPost, url.PathEscape(g.phoneNumberID)+"/messages", req, &resp); err != nil {
		return "", err
	}
	if len(resp.Messages) == 0 || resp.Messages[0].ID == "" {
		return "", errors.New("the Cloud API's answer had no message id")
	}
	return resp.Messages[0].ID, nil
}
