package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/config"
)

func TestWhatsAppDefaults(t *testing.T) {
	c, err := config.LoadFrom(env(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	want := config.WhatsAppConfig{
		Transport: "off", MarkRead: true, Typing: 2 * time.Second, SendAttempts: 20,
		LeaseTTL: 15 * time.Second, MaxAttachmentSize: 64 << 20, DeviceName: "Aduan",
	}
	if c.WhatsApp != want {
		t.Fatalf("WhatsApp = %+v, want %+v", c.WhatsApp, want)
	}
}

func TestWhatsAppKeys(t *testing.T) {
	tokenFile := writeFile(t, "EAAcloudtokenfromfile\n")
	tests := []struct {
		name string
		env  map[string]string
		want config.WhatsAppConfig
	}{
		{"whatsmeow tuned", map[string]string{
			"ADUAN_WHATSAPP_TRANSPORT": "WhatsMeow", "ADUAN_WHATSAPP_MARK_READ": "false", "ADUAN_WHATSAPP_TYPING": "0",
			"ADUAN_WHATSAPP_SEND_ATTEMPTS": "5", "ADUAN_WHATSAPP_LEASE_TTL": "30", "ADUAN_WHATSAPP_MAX_ATTACHMENT_SIZE": "1048576",
			"ADUAN_WHATSAPP_DEVICE_NAME": "Aduan Dinsos Babel",
		}, config.WhatsAppConfig{Transport: "whatsmeow", Typing: 0, SendAttempts: 5, LeaseTTL: 30 * time.Second,
			MaxAttachmentSize: 1 << 20, DeviceName: "Aduan Dinsos Babel"}},
		{"cloud api with token from a file", map[string]string{
			"ADUAN_WHATSAPP_TRANSPORT": "cloudapi", "ADUAN_WHATSAPP_CLOUD_PHONE_NUMBER_ID": "106540352242922",
			"ADUAN_WHATSAPP_CLOUD_TOKEN_FILE": tokenFile, "ADUAN_META_APP_SECRET": "s", "ADUAN_META_VERIFY_TOKEN": "v",
		}, config.WhatsAppConfig{Transport: "cloudapi", MarkRead: true, Typing: 2 * time.Second, SendAttempts: 20,
			LeaseTTL: 15 * time.Second, MaxAttachmentSize: 64 << 20, DeviceName: "Aduan",
			CloudPhoneNumberID: "106540352242922", CloudToken: "EAAcloudtokenfromfile"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.LoadFrom(env(tt.env), false)
			if err != nil {
				t.Fatal(err)
			}
			if c.WhatsApp != tt.want {
				t.Fatalf("got %+v, want %+v", c.WhatsApp, tt.want)
			}
		})
	}
}

func TestWhatsAppInvalid(t *testing.T) {
	cloud := func(kv ...string) map[string]string {
		m := map[string]string{"ADUAN_WHATSAPP_TRANSPORT": "cloudapi", "ADUAN_WHATSAPP_CLOUD_PHONE_NUMBER_ID": "106540352242922",
			"ADUAN_WHATSAPP_CLOUD_TOKEN": "EAArahasia", "ADUAN_META_APP_SECRET": "s", "ADUAN_META_VERIFY_TOKEN": "v"}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(m, kv[i])
			} else {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantKey string
	}{
		{"unknown transport", map[string]string{"ADUAN_WHATSAPP_TRANSPORT": "baileys"}, "ADUAN_WHATSAPP_TRANSPORT"},
		{"cloud api without phone number id", cloud("ADUAN_WHATSAPP_CLOUD_PHONE_NUMBER_ID", ""), "ADUAN_WHATSAPP_CLOUD_PHONE_NUMBER_ID"},
		{"cloud api phone number id not numeric", cloud("ADUAN_WHATSAPP_CLOUD_PHONE_NUMBER_ID", "+62 811"), "ADUAN_WHATSAPP_CLOUD_PHONE_NUMBER_ID"},
		{"cloud api without token", cloud("ADUAN_WHATSAPP_CLOUD_TOKEN", ""), "ADUAN_WHATSAPP_CLOUD_TOKEN"},
		{"cloud api without app secret", cloud("ADUAN_META_APP_SECRET", ""), "ADUAN_META_APP_SECRET"},
		{"cloud api without verify token", cloud("ADUAN_META_VERIFY_TOKEN", ""), "ADUAN_META_VERIFY_TOKEN"},
		{"typing negative", map[string]string{"ADUAN_WHATSAPP_TYPING": "-1s"}, "ADUAN_WHATSAPP_TYPING"},
		{"typing a minute", map[string]string{"ADUAN_WHATSAPP_TYPING": "1m"}, "ADUAN_WHATSAPP_TYPING"},
		{"send attempts zero", map[string]string{"ADUAN_WHATSAPP_SEND_ATTEMPTS": "0"}, "ADUAN_WHATSAPP_SEND_ATTEMPTS"},
		{"send attempts words", map[string]string{"ADUAN_WHATSAPP_SEND_ATTEMPTS": "banyak"}, "ADUAN_WHATSAPP_SEND_ATTEMPTS"},
		{"lease too short", map[string]string{"ADUAN_WHATSAPP_LEASE_TTL": "1s"}, "ADUAN_WHATSAPP_LEASE_TTL"},
		{"attachment size tiny", map[string]string{"ADUAN_WHATSAPP_MAX_ATTACHMENT_SIZE": "10"}, "ADUAN_WHATSAPP_MAX_ATTACHMENT_SIZE"},
		{"mark read not a bool", map[string]string{"ADUAN_WHATSAPP_MARK_READ": "ya"}, "ADUAN_WHATSAPP_MARK_READ"},
		{"device name too long", map[string]string{"ADUAN_WHATSAPP_DEVICE_NAME": strings.Repeat("a", 51)}, "ADUAN_WHATSAPP_DEVICE_NAME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { refused(t, tt.env, tt.wantKey, "EAArahasia") })
	}
}

func TestWhatsAppTokenRedacted(t *testing.T) {
	c, err := config.LoadFrom(env(map[string]string{
		"ADUAN_WHATSAPP_TRANSPORT": "cloudapi", "ADUAN_WHATSAPP_CLOUD_PHONE_NUMBER_ID": "106540352242922",
		"ADUAN_WHATSAPP_CLOUD_TOKEN": "EAArahasia123", "ADUAN_META_APP_SECRET": "s", "ADUAN_META_VERIFY_TOKEN": "v",
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.String(); strings.Contains(s, "EAArahasia123") || !strings.Contains(s, "ADUAN_WHATSAPP_CLOUD_TOKEN=[redacted]") {
		t.Fatalf("token not redacted:\n%s", s)
	}
}
