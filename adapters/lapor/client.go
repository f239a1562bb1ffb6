package lapor

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Limits on what LAPOR! may send us.
const (
	maxPageBytes   = 32 << 20 // one page of reports
	maxAnswerBytes = 1 << 20  // an action's answer or an error
	// MaxFileBytes bounds one attachment; a larger one is not fetched and
	// the message says why.
	MaxFileBytes = 25 << 20
)

// Client speaks the LAPOR! agency API over HTTP.
type Client struct {
	base  string
	host  string
	token string
	http  *http.Client
}

var _ API = (*Client)(nil)

// NewClient returns a client for the API at baseURL using the agency's key.
// timeout bounds each request, an attachment download included.
func NewClient(baseURL, token string, timeout time.Duration) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("LAPOR! URL %q: want http(s)://host[/path]", baseURL)
	}
	return &Client{
		base:  u.String(),
		host:  u.Host,
		token: token,
		http:  &http.Client{Timeout: timeout},
	}, nil
}

// Reports implements API.
func (c *Client) Reports(ctx context.Context, cursor string, limit int) (*Page, error) {
	req, err := newReportsRequest(ctx, c.base, c.token, cursor, limit)
	if err != nil {
		return nil, err
	}
	body, err := c.do(req, "listing reports", maxPageBytes)
	if err != nil {
		return nil, err
	}
	return decodePage(body)
}

// Push implements API.
func (c *Client) Push(ctx context.Context, a Action) error {
	req, err := newActionRequest(ctx, c.base, c.token, a)
	if err != nil {
		return fmt.Errorf("pushing %s for %s: %w", a.Kind, a.TrackingID, err)
	}
	body, err := c.do(req, fmt.Sprintf("pushing %s for %s", a.Kind, a.TrackingID), maxAnswerBytes)
	if err != nil {
		return err
	}
	return decodeActionResult(body)
}

// Download implements API. The key goes only to LAPOR!'s own host, never to
// another host a report's file URL might name.
func (c *Client) Download(ctx context.Context, f File) (io.ReadCloser, error) {
	u, err := url.Parse(f.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, permanentf("downloading %s: not an http(s) URL", f.Name)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	if u.Host == c.host {
		authorize(req, c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %w", f.Name, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		body, _ := readBody(resp.Body, maxAnswerBytes)
		return nil, decodeError("downloading "+f.Name, resp.StatusCode, resp.Header, body)
	}
	return resp.Body, nil
}

// do sends req and returns the body of a 2xx answer, or the error.
func (c *Client) do(req *http.Request, op string, limit int64) ([]byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := readBody(resp.Body, maxAnswerBytes)
		return nil, decodeError(op, resp.StatusCode, resp.Header, body)
	}
	body, err := readBody(resp.Body, limit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return body, nil
}
