package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/aduan-gateway/aduan/adapters/meta"
	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/event"
)

func init() {
	c := &command{
		name:    "meta",
		summary: "Messenger/Instagram tools (meta send-webhook FILE: sign and post a webhook payload)",
		usage: `Usage: aduan meta send-webhook [--url URL] [--fresh] FILE

Signs the Meta webhook payload in FILE ("-" for standard input) with
ADUAN_META_APP_SECRET, as Meta does (X-Hub-Signature-256), and POSTs it to a
running Aduan, so you can try the Messenger and Instagram channel without a
Facebook app. Prints the HTTP status Aduan answered.

Example payloads are in adapters/meta/testdata/. The page or Instagram
account id in the payload (entry[].id) should be one of ADUAN_META_PAGES for
replies to be attempted. --fresh gives every "mid" a new suffix and every
"timestamp" the current time, so sending the same file twice makes two
messages instead of one de-duplicated one.`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		if len(args) == 0 || args[0] != "send-webhook" {
			newFlags(c, stderr).Usage()
			if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
				return nil
			}
			return errUsage
		}
		fs := newFlags(c, stderr)
		target := fs.String("url", "", "webhook URL (default http://<ADUAN_HTTP_ADDR>"+meta.Path+")")
		fresh := fs.Bool("fresh", false, "give mids a unique suffix and timestamps the current time")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			fs.Usage()
			return errUsage
		}
		cfg, err := loadConfig()
		if err != nil {
			return err
		}
		if cfg.Meta.AppSecret == "" {
			return errors.New(config.KeyMetaAppSecret + " is not set: the webhook refuses unsigned payloads")
		}
		body, err := readPayload(fs.Arg(0))
		if err != nil {
			return err
		}
		if *fresh {
			if body, err = freshen(body, time.Now()); err != nil {
				return err
			}
		}
		url := *target
		if url == "" {
			url = "http://" + dialAddr(cfg.HTTPAddr) + meta.Path
		}
		status, answer, err := postWebhook(ctx, url, []byte(cfg.Meta.AppSecret), body)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s → HTTP %d %s\n", url, status, bytes.TrimSpace(answer))
		if status != http.StatusOK {
			return fmt.Errorf("webhook answered HTTP %d", status)
		}
		return nil
	}
	register(c)
}

func readPayload(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(io.LimitReader(os.Stdin, meta.MaxBodySize+1))
	}
	return os.ReadFile(name)
}

// postWebhook signs body as Meta does and posts it.
func postWebhook(ctx context.Context, url string, secret, body []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(meta.SignatureHeader, meta.Sign(secret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("posting webhook: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, answer, nil
}

// dialAddr turns a listen address into one to connect to.
func dialAddr(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// freshen makes a payload new: every "mid" gets a unique suffix, every
// "timestamp" and "time" the current time in milliseconds.
func freshen(body []byte, now time.Time) ([]byte, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("--fresh needs a JSON payload: %w", err)
	}
	suffix := "." + event.NewID()
	ms := json.Number(strconv.FormatInt(now.UnixMilli(), 10))
	var walk func(any)
	walk = func(x any) {
		switch t := x.(type) {
		case map[string]any:
			for k, val := range t {
				switch s, isString := val.(string); {
				case k == "mid" && isString:
					t[k] = s + suffix
				case (k == "timestamp" || k == "time") && !isString:
					t[k] = ms
				default:
					walk(val)
				}
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	return json.Marshal(v)
}
