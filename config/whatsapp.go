package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// WhatsAppConfig configures the WhatsApp adapter. It speaks to WhatsApp in
// one of two ways (Transport): as a linked device of the office's phone
// through whatsmeow, or through Meta's official WhatsApp Business Cloud API.
type WhatsAppConfig struct {
	// Transport is off, whatsmeow or cloudapi (ADUAN_WHATSAPP_TRANSPORT).
	// Off leaves the whatsapp role idle.
	Transport string
	// MarkRead marks a citizen's message read (blue ticks) once it is
	// stored on the bus (ADUAN_WHATSAPP_MARK_READ). whatsmeow only.
	MarkRead bool
	// Typing is how long "typing…" shows before a reply; 0 shows none
	// (ADUAN_WHATSAPP_TYPING). whatsmeow only.
	Typing time.Duration
	// SendAttempts is how often a reply is tried while WhatsApp is
	// unreachable or failing before it is marked failed (ADUAN_WHATSAPP_SEND_ATTEMPTS).
	SendAttempts int
	// LeaseTTL is how long the session lease outlives its holder: a standby
	// process takes over at most this long after the active one died
	// (ADUAN_WHATSAPP_LEASE_TTL). whatsmeow only.
	LeaseTTL time.Duration
	// MaxAttachmentSize is the largest file downloaded, in bytes
	// (ADUAN_WHATSAPP_MAX_ATTACHMENT_SIZE).
	MaxAttachmentSize int64
	// DeviceName is how Aduan appears in the phone's list of linked devices
	// (ADUAN_WHATSAPP_DEVICE_NAME). whatsmeow only.
	DeviceName string
	// CloudPhoneNumberID is the Cloud API's id of the office's number
	// (ADUAN_WHATSAPP_CLOUD_PHONE_NUMBER_ID): replies go to /{id}/messages.
	CloudPhoneNumberID string
	// CloudToken is the Cloud API access token (ADUAN_WHATSAPP_CLOUD_TOKEN). Never log it.
	CloudToken string
}

// WhatsApp transports.
const (
	WhatsAppTransportOff       = "off"
	WhatsAppTransportWhatsmeow = "whatsmeow"
	WhatsAppTransportCloudAPI  = "cloudapi"
)

// Keys of the WhatsApp section.
const (
	KeyWhatsAppTransport          = "ADUAN_WHATSAPP_TRANSPORT"
	KeyWhatsAppMarkRead           = "ADUAN_WHATSAPP_MARK_READ"
	KeyWhatsAppTyping             = "ADUAN_WHATSAPP_TYPING"
	KeyWhatsAppSendAttempts       = "ADUAN_WHATSAPP_SEND_ATTEMPTS"
	KeyWhatsAppLeaseTTL           = "ADUAN_WHATSAPP_LEASE_TTL"
	KeyWhatsAppMaxAttachmentSize  = "ADUAN_WHATSAPP_MAX_ATTACHMENT_SIZE"
	KeyWhatsAppDeviceName         = "ADUAN_WHATSAPP_DEVICE_NAME"
	KeyWhatsAppCloudPhoneNumberID = "ADUAN_WHATSAPP_CLOUD_PHONE_NUMBER_ID"
	KeyWhatsAppCloudToken         = "ADUAN_WHATSAPP_CLOUD_TOKEN"
)

// Defaults of the WhatsApp section.
const (
	DefaultWhatsAppTransport         = WhatsAppTransportOff
	DefaultWhatsAppTyping            = 2 * time.Second
	DefaultWhatsAppSendAttempts      = 20
	DefaultWhatsAppLeaseTTL          = 15 * time.Second
	DefaultWhatsAppMaxAttachmentSize = 64 << 20
	DefaultWhatsAppDeviceName        = "Aduan"
)

// MaxWhatsAppAttachmentSize caps ADUAN_WHATSAPP_MAX_ATTACHMENT_SIZE: files
// are held in memory while they are decrypted and stored.
const MaxWhatsAppAttachmentSize = 100 << 20

var cloudPhoneNumberIDRE = regexp.MustCompile(`^[0-9]{1,32}$`)

var whatsAppSection = section{
	options: func() []option {
		return []option{
			{
				key: KeyWhatsAppTransport, def: DefaultWhatsAppTransport,
				doc: "How the whatsapp role reaches WhatsApp: whatsmeow (a linked device of the office phone, paired with aduan whatsapp pair or the QR on the Saluran page), cloudapi (Meta's WhatsApp Business Cloud API, webhooks at /webhooks/meta) or off (the role is idle).",
				set: func(c *Config, v string) error { c.WhatsApp.Transport = strings.ToLower(v); return nil },
				get: func(c *Config) string { return c.WhatsApp.Transport },
			},
			{
				key: KeyWhatsAppMarkRead, def: "true",
				doc: "Mark a citizen's WhatsApp message read (blue ticks) once Aduan has stored it (true or false; whatsmeow).",
				set: func(c *Config, v string) error {
					b, err := strconv.ParseBool(v)
					if err != nil {
						return fmt.Errorf("%q is not true or false", v)
					}
					c.WhatsApp.MarkRead = b
					return nil
				},
				get: func(c *Config) string { return strconv.FormatBool(c.WhatsApp.MarkRead) },
			},
			durationOption(KeyWhatsAppTyping, "How long \"typing…\" shows before each WhatsApp reply; 0 shows none (whatsmeow).",
				DefaultWhatsAppTyping, func(c *Config) *time.Duration { return &c.WhatsApp.Typing }),
			{
				key: KeyWhatsAppSendAttempts, def: strconv.Itoa(DefaultWhatsAppSendAttempts),
				doc: "Tries of a WhatsApp reply while WhatsApp is unreachable or failing, with growing pauses (up to 5 minutes), before it is marked failed (1-100).",
				set: func(c *Config, v string) error {
					n, err := strconv.Atoi(v)
					if err != nil {
						return fmt.Errorf("%q is not a whole number", v)
					}
					c.WhatsApp.SendAttempts = n
					return nil
				},
				get: func(c *Config) string { return strconv.Itoa(c.WhatsApp.SendAttempts) },
			},
			durationOption(KeyWhatsAppLeaseTTL, "How long the WhatsApp session lease outlives a process that died: a standby process takes over after it (whatsmeow; 3s to 5m).",
				DefaultWhatsAppLeaseTTL, func(c *Config) *time.Duration { return &c.WhatsApp.LeaseTTL }),
			{
				key: KeyWhatsAppMaxAttachmentSize, def: strconv.Itoa(DefaultWhatsAppMaxAttachmentSize),
				doc: "Largest WhatsApp attachment downloaded, in bytes; a larger one reaches the inbox as a message saying so.",
				set: func(c *Config, v string) error {
					n, err := strconv.ParseInt(v, 10, 64)
					if err != nil {
						return fmt.Errorf("%q is not a whole number of bytes", v)
					}
					c.WhatsApp.MaxAttachmentSize = n
					return nil
				},
				get: func(c *Config) string { return strconv.FormatInt(c.WhatsApp.MaxAttachmentSize, 10) },
			},
			{
				key: KeyWhatsAppDeviceName, def: DefaultWhatsAppDeviceName,
				doc: "Name Aduan shows under Linked devices on the office phone (whatsmeow).",
				set: func(c *Config, v string) error { c.WhatsApp.DeviceName = v; return nil },
				get: func(c *Config) string { return c.WhatsApp.DeviceName },
			},
			{
				key: KeyWhatsAppCloudPhoneNumberID, def: "",
				doc: "Cloud API: the phone number id of the office's WhatsApp number (from the Meta app's WhatsApp settings). Required with cloudapi.",
				set: func(c *Config, v string) error { c.WhatsApp.CloudPhoneNumberID = v; return nil },
				get: func(c *Config) string { return c.WhatsApp.CloudPhoneNumberID },
			},
			{
				key: KeyWhatsAppCloudToken, def: "", secret: true,
				doc: "Cloud API: access token of a system user with whatsapp_business_messaging permission. Required with cloudapi.",
				set: func(c *Config, v string) error { c.WhatsApp.CloudToken = v; return nil },
				get: func(c *Config) string { return c.WhatsApp.CloudToken },
			},
		}
	},
	defaults: func(c *Config) {
		c.WhatsApp = WhatsAppConfig{
			Transport:         DefaultWhatsAppTransport,
			MarkRead:          true,
			Typing:            DefaultWhatsAppTyping,
			SendAttempts:      DefaultWhatsAppSendAttempts,
			LeaseTTL:          DefaultWhatsAppLeaseTTL,
			MaxAttachmentSize: DefaultWhatsAppMaxAttachmentSize,
			DeviceName:        DefaultWhatsAppDeviceName,
		}
	},
	validate: func(c *Config) []error {
		var errs problems
		bad := errs.add
		w := c.WhatsApp
		switch w.Transport {
		case WhatsAppTransportOff, WhatsAppTransportWhatsmeow:
		case WhatsAppTransportCloudAPI:
			if !cloudPhoneNumberIDRE.MatchString(w.CloudPhoneNumberID) {
				bad(KeyWhatsAppCloudPhoneNumberID, "required with %s=cloudapi: the numeric phone number id, got %q", KeyWhatsAppTransport, w.CloudPhoneNumberID)
			}
			if w.CloudToken == "" {
				bad(KeyWhatsAppCloudToken, "required with %s=cloudapi", KeyWhatsAppTransport)
			}
			// The Cloud API's webhooks arrive at /webhooks/meta, signed with the Meta app's secret.
			if c.Meta.AppSecret == "" {
				bad(KeyMetaAppSecret, "required with %s=cloudapi: it checks the signature of the Cloud API's webhooks", KeyWhatsAppTransport)
			}
			if c.Meta.VerifyToken == "" {
				bad(KeyMetaVerifyToken, "required with %s=cloudapi: Meta checks it when the webhook is subscribed", KeyWhatsAppTransport)
			}
		default:
			bad(KeyWhatsAppTransport, "%q is not a transport (want off, whatsmeow or cloudapi)", w.Transport)
		}
		if w.Typing < 0 || w.Typing > 30*time.Second {
			bad(KeyWhatsAppTyping, "must be 0 to 30s, got %s", w.Typing)
		}
		if w.SendAttempts < 1 || w.SendAttempts > 100 {
			bad(KeyWhatsAppSendAttempts, "must be 1 to 100, got %d", w.SendAttempts)
		}
		if w.LeaseTTL < 3*time.Second || w.LeaseTTL > 5*time.Minute {
			bad(KeyWhatsAppLeaseTTL, "must be 3s to 5m, got %s", w.LeaseTTL)
		}
		if w.MaxAttachmentSize < 1024 || w.MaxAttachmentSize > MaxWhatsAppAttachmentSize {
			bad(KeyWhatsAppMaxAttachmentSize, "must be 1024 to %d bytes, got %d", MaxWhatsAppAttachmentSize, w.MaxAttachmentSize)
		}
		if strings.TrimSpace(w.DeviceName) == "" || len(w.DeviceName) > 50 {
			bad(KeyWhatsAppDeviceName, "must be 1 to 50 characters")
		}
		return errs
	},
}
