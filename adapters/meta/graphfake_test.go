package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// graphFake stands in for graph.facebook.com: it checks each request as the
// Graph API would (token, appsecret_proof) and answers with the bodies Meta
// sends, kept in testdata/graph/. The Graph API cannot be reached from here.
type graphFake struct {
	t      testing.TB
	srv    *httptest.Server
	secret string
	tokens map[string]string // token → account, as configured

	mu       sync.Mutex
	requests []graphRequest
	// reply picks the answer to the n-th send request (0-based) of a
	// recipient; nil answers success.
	reply func(r graphRequest, n int) (status int, file string)
	sends map[string]int
	ids   int
}

// graphRequest is one request as the fake understood it.
type graphRequest struct {
	Method, Path string
	Token        string
	Account      string
	Proof        string
	Form         url.Values
	// Recipient, Message are the decoded JSON of those form fields.
	Recipient map[string]string
	Message   map[string]any
	// File is the upload of an attachment (multipart "filedata").
	File     []byte
	FileName string
	FileType string
	// Failed is set when the fake answered with an error.
	Failed bool
}

func newGraphFake(t testing.TB, pages map[string]string) *graphFake {
	t.Helper()
	g := &graphFake{t: t, secret: testSecret, tokens: map[string]string{}, sends: map[string]int{}}
	for acct, tok := range pages {
		g.tokens[tok] = acct
	}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

// URL is the base URL to configure (with the trailing slash huandu/facebook needs).
func (g *graphFake) URL() string { return g.srv.URL + "/" }

func (g *graphFake) setReply(f func(r graphRequest, n int) (int, string)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reply = f
}

// take returns the requests received since the last call.
func (g *graphFake) take() []graphRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := g.requests
	g.requests = nil
	return out
}

func (g *graphFake) serve(w http.ResponseWriter, r *http.Request) {
	req := graphRequest{Method: r.Method, Path: r.URL.Path}
	req.Token, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	req.Account = g.tokens[req.Token]
	form, err := g.parseForm(r, &req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.Form = form
	req.Proof = form.Get("appsecret_proof")
	if s := form.Get("recipient"); s != "" {
		_ = json.Unmarshal([]byte(s), &req.Recipient)
	}
	if s := form.Get("message"); s != "" {
		_ = json.Unmarshal([]byte(s), &req.Message)
	}
	g.mu.Lock()
	g.requests = append(g.requests, req)
	idx := len(g.requests) - 1
	reply := g.reply
	n := 0
	if req.Recipient != nil {
		n = g.sends[req.Recipient["id"]]
		g.sends[req.Recipient["id"]]++
	}
	g.ids++
	id := g.ids
	g.mu.Unlock()

	answer := func(status int, file string) {
		if status >= 400 {
			g.mu.Lock()
			if idx < len(g.requests) { // take() may have emptied the list meanwhile
				g.requests[idx].Failed = true
			}
			g.mu.Unlock()
		}
		body := readTestdata(g.t, "graph/"+file)
		if strings.HasSuffix(file, ".html") {
			w.Header().Set("Content-Type", "text/html")
		} else {
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
	switch {
	case req.Account == "":
		answer(http.StatusBadRequest, "token_invalid.json")
		return
	case req.Proof != g.proof(req.Token):
		answer(http.StatusBadRequest, "bad_appsecret_proof.json")
		return
	}
	if reply != nil && req.Recipient != nil {
		if status, file := reply(req, n); file != "" {
			answer(status, file)
			return
		}
	}
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/me/messages"):
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		fmt.Fprintf(w, `{"recipient_id":%q,"message_id":"m_fake%04d_%s"}`, req.Recipient["id"], id, strings.Repeat("x", 20))
	case r.Method == http.MethodGet:
		answer(http.StatusOK, "profile_messenger.json")
	default:
		http.NotFound(w, r)
	}
}

func (g *graphFake) parseForm(r *http.Request, req *graphRequest) (url.Values, error) {
	if r.Method == http.MethodGet {
		return r.URL.Query(), nil
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		return r.PostForm, nil
	}
	form := url.Values{}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return form, nil
		}
		if err != nil {
			return nil, err
		}
		data, _ := io.ReadAll(p)
		if p.FileName() != "" {
			req.File, req.FileName, req.FileType = data, p.FileName(), p.Header.Get("Content-Type")
			continue
		}
		form.Add(p.FormName(), string(data))
	}
}

func (g *graphFake) proof(token string) string {
	m := hmac.New(sha256.New, []byte(g.secret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}
