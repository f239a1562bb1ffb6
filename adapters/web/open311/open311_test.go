package open311

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSplitFile(t *testing.T) {
	tests := []struct {
		in, base string
		f        Format
		ok       bool
	}{
		{"services.json", "services", JSON, true},
		{"requests.xml", "requests", XML, true},
		{"ADU-2026-000001.json", "ADU-2026-000001", JSON, true},
		{"services.csv", "", "", false},
		{"services", "", "", false},
		{".json", "", "", false},
	}
	for _, tt := range tests {
		base, f, ok := SplitFile(tt.in)
		if base != tt.base || f != tt.f || ok != tt.ok {
			t.Errorf("SplitFile(%q) = %q, %q, %v; want %q, %q, %v", tt.in, base, f, ok, tt.base, tt.f, tt.ok)
		}
	}
}

func TestTimeHasTheOffset(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	got := Time(time.Date(2026, 3, 31, 16, 59, 59, 0, time.UTC), wib)
	if got != "2026-03-31T23:59:59+07:00" {
		t.Errorf("Time = %q", got)
	}
	if back, err := ParseTime(got); err != nil || !back.Equal(time.Date(2026, 3, 31, 16, 59, 59, 0, time.UTC)) {
		t.Errorf("ParseTime(%q) = %v, %v", got, back, err)
	}
	if Time(time.Time{}, wib) != "" {
		t.Error("a zero time is not empty")
	}
}

func TestErrorFormat(t *testing.T) {
	for _, f := range []Format{JSON, XML} {
		rec := httptest.NewRecorder()
		WriteError(rec, f, http.StatusNotFound, "tidak ditemukan")
		if rec.Code != http.StatusNotFound || !strings.HasPrefix(rec.Header().Get("Content-Type"), ContentTypes[f]) {
			t.Errorf("%s: status %d, type %q", f, rec.Code, rec.Header().Get("Content-Type"))
		}
		var errs []Error
		if f == JSON {
			if err := json.Unmarshal(rec.Body.Bytes(), &errs); err != nil {
				t.Fatal(err)
			}
		} else {
			var doc errorsXML
			if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil || !strings.HasPrefix(rec.Body.String(), "<?xml") {
				t.Fatalf("%v: %s", err, rec.Body)
			}
			errs = doc.Error
		}
		if len(errs) != 1 || errs[0].Code != 404 || errs[0].Description != "tidak ditemukan" {
			t.Errorf("%s: errors %+v", f, errs)
		}
	}
}

func TestEmptyListsEncode(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, JSON, http.StatusOK, ServiceRequests{})
	if strings.TrimSpace(rec.Body.String()) != "[]" {
		t.Errorf("empty JSON list: %s", rec.Body)
	}
	rec = httptest.NewRecorder()
	Write(rec, XML, http.StatusOK, ServiceRequests{})
	if !strings.Contains(rec.Body.String(), "<service_requests></service_requests>") {
		t.Errorf("empty XML list: %s", rec.Body)
	}
}
