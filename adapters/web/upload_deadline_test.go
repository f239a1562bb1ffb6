package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/store"
)

// TestWalkinUploadDeadline: a walk-in upload may take longer than the
// server's read timeout (a scan over a slow office line), but not for ever:
// its own deadline (uploadTime) cuts a body still arriving after it, and
// the cut form is refused, not entered as a complaint.
func TestWalkinUploadDeadline(t *testing.T) {
	t.Parallel() // its own database and NATS server
	const uploadTime = 3 * time.Second
	e := newEnv(t, func(o *Options) { o.UploadTime = uploadTime })
	c := e.signIn("siti", RoleAdmin)
	ts := httptest.NewUnstartedServer(e.srv.Handler())
	ts.Config.ReadTimeout = 200 * time.Millisecond
	ts.Start()
	defer ts.Close()

	// post sends the walk-in form with a KTP scan whose second half comes
	// after pause, and returns the status (0 when the connection was cut).
	post := func(name string, pause time.Duration) int {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.WriteField("csrf", c.csrf)
		w.WriteField("nama", name)
		w.WriteField("isi", "Bantuan PKH ibu saya sudah tiga bulan tidak cair")
		fw, _ := w.CreateFormFile("ktp", "scan-ktp.png")
		fw.Write(pngBytes)
		fw.Write(bytes.Repeat([]byte{0}, 64<<10))
		w.Close()
		body := b.Bytes()
		half := len(body) / 2
		pr, pw := io.Pipe()
		go func() {
			pw.Write(body[:half])
			<-time.After(pause) // a slow client is the case under test
			pw.Write(body[half:])
			pw.Close()
		}()
		req, _ := http.NewRequest(http.MethodPost, ts.URL+Prefix+"/walkin", pr)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.ContentLength = int64(len(body))
		res, err := c.http.Do(req)
		if err != nil {
			return 0
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	entered := func() int {
		rows, err := e.st.ListAudit(context.Background(), store.AuditFilter{Actor: "siti", Action: "walkin.entered"})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}

	// Five read timeouts long, well within the upload's own deadline.
	if got := post("Slamet Riyadi", 5*ts.Config.ReadTimeout); got != http.StatusSeeOther {
		t.Fatalf("upload slower than the server's read timeout: %d, want 303 to the receipt", got)
	}
	if n := entered(); n != 1 {
		t.Fatalf("%d walk-in complaints entered, want 1", n)
	}
	// Past the upload's deadline: cut off and refused.
	if got := post("Budi Santoso", 2*uploadTime); got != http.StatusBadRequest && got != 0 {
		t.Fatalf("upload past its deadline: %d, want 400", got)
	}
	if n := entered(); n != 1 {
		t.Fatalf("the cut upload was entered: %d walk-in complaints, want 1", n)
	}
}
