// Package open311 encodes the GeoReport v2 read API (wiki.open311.org/GeoReport_v2):
// the discovery document, services, service definitions, service requests
// and errors, in the specification's JSON and XML, with its date format.
// It knows nothing of complaints or the store; adapters/web maps published
// complaints onto these types.
package open311

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
	"time"
)

// Specification is the specification URL the discovery document names.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// Format is a response format, chosen by the resource's extension.
type Format string

// The formats. XML is required by the specification, JSON optional.
const (
	JSON Format = "json"
	XML  Format = "xml"
)

// ContentTypes are the formats' media types, as discovery lists them.
var ContentTypes = map[Format]string{JSON: "application/json", XML: "text/xml"}

// SplitFile splits a resource file name such as "services.json" into its
// base and format; ok is false without a known extension.
func SplitFile(name string) (base string, f Format, ok bool) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 {
		return "", "", false
	}
	f = Format(name[i+1:])
	if _, known := ContentTypes[f]; !known {
		return "", "", false
	}
	return name[:i], f, true
}

// Time formats t as the specification's ISO 8601 with the offset of loc,
// e.g. 2026-03-31T23:59:59+07:00.
func Time(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02T15:04:05-07:00")
}

// ParseTime reads a start_date or end_date: ISO 8601 with a zone (Z or
// an offset), as the specification requires.
func ParseTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339, s)
}

// Discovery is the service discovery document.
type Discovery struct {
	XMLName    xml.Name   `json:"-" xml:"discovery"`
	Changeset  string     `json:"changeset" xml:"changeset"`
	Contact    string     `json:"contact" xml:"contact"`
	KeyService string     `json:"key_service" xml:"key_service"`
	Endpoints  []Endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

// Endpoint is one API endpoint in the discovery document.
type Endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

// Service is one service type; here a complaint category.
type Service struct {
	ServiceCode string `json:"service_code" xml:"service_code"`
	ServiceName string `json:"service_name" xml:"service_name"`
	Description string `json:"description" xml:"description"`
	Metadata    bool   `json:"metadata" xml:"metadata"`
	// Type is realtime, batch or blackbox.
	Type     string `json:"type" xml:"type"`
	Keywords string `json:"keywords" xml:"keywords"`
	Group    string `json:"group" xml:"group"`
}

// Services is the services list.
type Services struct {
	XMLName xml.Name  `xml:"services"`
	Service []Service `xml:"service"`
}

// ServiceDefinition is a service's extra attributes; a service without
// metadata has none.
type ServiceDefinition struct {
	XMLName     xml.Name    `json:"-" xml:"service_definition"`
	ServiceCode string      `json:"service_code" xml:"service_code"`
	Attributes  []Attribute `json:"attributes" xml:"attributes>attribute"`
}

// Attribute is a service definition's attribute. No Aduan service has
// any; the type is here so the empty list has its element name.
type Attribute struct {
	Code string `json:"code" xml:"code"`
}

// Request is a service request; here a published complaint. Fields that
// would carry personal data (address, lat, long, media_url of the
// reporter's files) are never filled.
type Request struct {
	ServiceRequestID string `json:"service_request_id" xml:"service_request_id"`
	// Status is open or closed.
	Status            string `json:"status" xml:"status"`
	StatusNotes       string `json:"status_notes" xml:"status_notes"`
	ServiceName       string `json:"service_name" xml:"service_name"`
	ServiceCode       string `json:"service_code" xml:"service_code"`
	Description       string `json:"description" xml:"description"`
	AgencyResponsible string `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string `json:"expected_datetime" xml:"expected_datetime"`
	Address           string `json:"address" xml:"address"`
	MediaURL          string `json:"media_url" xml:"media_url"`
}

// ServiceRequests is a list of service requests.
type ServiceRequests struct {
	XMLName xml.Name  `xml:"service_requests"`
	Request []Request `xml:"request"`
}

// Error is one error in the specification's error format.
type Error struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

type errorsXML struct {
	XMLName xml.Name `xml:"errors"`
	Error   []Error  `xml:"error"`
}

// Write encodes v in format f with status. In JSON a list is the bare
// array (the specification's JSON has no wrapper); pass the wrapper type
// (Services, ServiceRequests) and Write unwraps it.
func Write(w http.ResponseWriter, f Format, status int, v any) {
	var b bytes.Buffer
	if f == XML {
		b.WriteString(xml.Header)
		enc := xml.NewEncoder(&b)
		enc.Indent("", "  ")
		if err := enc.Encode(v); err != nil {
			WriteError(w, f, http.StatusInternalServerError, "encoding failed")
			return
		}
		b.WriteByte('\n')
	} else {
		switch l := v.(type) {
		case Services:
			v = nonNil(l.Service)
		case ServiceRequests:
			v = nonNil(l.Request)
		case errorsXML:
			v = l.Error
		}
		if err := json.NewEncoder(&b).Encode(v); err != nil {
			WriteError(w, f, http.StatusInternalServerError, "encoding failed")
			return
		}
	}
	w.Header().Set("Content-Type", ContentTypes[f]+"; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes()) //nolint:errcheck // the client went away
}

// WriteError writes one error in the specification's format, JSON when f
// is not known.
func WriteError(w http.ResponseWriter, f Format, code int, description string) {
	if f != XML {
		f = JSON
	}
	w.Header().Set("Cache-Control", "no-store")
	Write(w, f, code, errorsXML{Error: []Error{{Code: code, Description: description}}})
}

func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}
