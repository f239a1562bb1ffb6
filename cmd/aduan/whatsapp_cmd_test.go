package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/types"

	"github.com/aduan-gateway/aduan/adapters/whatsapp"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

// TestWhatsAppCloudRole serves Aduan with the WhatsApp role on the Cloud API
// transport: a signed Cloud API webhook posted to /webhooks/meta is stored by
// the core, and the reply goes out through the (fake) Cloud API.
func TestWhatsAppCloudRole(t *testing.T) {
	var mu sync.Mutex
	var sends []map[string]any
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v23.0/106540352242922/messages" ||
			r.Header.Get("Authorization") != "Bearer EAAcloudtoken" {
			http.NotFound(w, r)
			return
		}
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		sends = append(sends, body)
		mu.Unlock()
		_, _ = w.Write([]byte(`{"messaging_product":"whatsapp","contacts":[{"input":"6281234567890","wa_id":"6281234567890"}],"messages":[{"id":"wamid.cmdtest1"}]}`))
	}))
	defer graph.Close()
	t.Setenv("ADUAN_WHATSAPP_TRANSPORT", "cloudapi")
	t.Setenv("ADUAN_WHATSAPP_CLOUD_PHONE_NUMBER_ID", "106540352242922")
	t.Setenv("ADUAN_WHATSAPP_CLOUD_TOKEN", "EAAcloudtoken")
	t.Setenv("ADUAN_META_APP_SECRET", "rahasia-uji")
	t.Setenv("ADUAN_META_VERIFY_TOKEN", "verifikasi-uji")
	t.Setenv("ADUAN_META_GRAPH_URL", graph.URL)
	t.Setenv("ADUAN_FETCH_ALLOW_PRIVATE", "true") // fakes on 127.0.0.1
	addr, _ := startServe(t)
	out := runCmd(t, "meta", "send-webhook", "--url", "http://"+addr+"/webhooks/meta", "../../adapters/whatsapp/cloudapi/testdata/text.json")
	if !strings.Contains(out, "HTTP 200") {
		t.Fatalf("send-webhook printed %q", out)
	}
	ctx := context.Background()
	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bustest.Eventually(t, 20*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(sends) > 0
	})
	m, err := st.InboundByExternalID(ctx, "whatsapp", "6281100000000", "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBDNDMxRDJFNEIxMDAwMQA=")
	if err != nil || !strings.Contains(m.Text, "PKH") {
		t.Fatalf("webhook message not stored: %v", err)
	}
	mu.Lock()
	to, text := sends[0]["to"], sends[0]["text"].(map[string]any)["body"].(string)
	mu.Unlock()
	if to != "6281234567890" || !strings.Contains(text, "NIK") {
		t.Fatalf("reply to %v: %q", to, text)
	}
	bustest.Eventually(t, 20*time.Second, func() bool {
		d, err := st.DeliveryOf(ctx, firstReplyID(t, st, m))
		return err == nil && d.Status == "sent" && d.PlatformID == "wamid.cmdtest1"
	})
}

// TestWhatsAppCLI runs status and logout --local against the session store
// (no WhatsApp server is reachable here, so pairing itself is not run; its
// refusals are).
func TestWhatsAppCLI(t *testing.T) {
	url := pgtest.URL(t)
	t.Setenv("ADUAN_DATABASE_URL", url)
	t.Setenv("ADUAN_DATA_DIR", t.TempDir())
	t.Setenv("ADUAN_NATS_URL", "nats://127.0.0.1:1") // no server: the commands work without one
	t.Setenv("ADUAN_WHATSAPP_TRANSPORT", "whatsmeow")

	if out := runCmd(t, "whatsapp", "status"); !strings.Contains(out, "WhatsApp: not paired") ||
		!strings.Contains(out, "no running Aduan reachable") {
		t.Fatalf("status printed %q", out)
	}

	// A paired device, as pairing leaves it in the store.
	ctx := context.Background()
	c, err := whatsapp.OpenStore(ctx, url, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	dev := c.NewDevice()
	jid := types.NewADJID("6281100000000", 0, 7)
	dev.ID, dev.PushName = &jid, "Dinsos Babel"
	dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte{1}, AccountSignature: make([]byte, 64),
		AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
	if err := c.PutDevice(ctx, dev); err != nil {
		t.Fatal(err)
	}
	c.Close()

	if out := runCmd(t, "whatsapp", "status"); !strings.Contains(out, "paired as +6281100000000 (device 7, name \"Dinsos Babel\")") {
		t.Fatalf("status printed %q", out)
	}
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"whatsapp", "pair"}, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "already paired") {
		t.Fatalf("pair over a paired number: exit %d, %q", code, stderr.String())
	}
	stderr.Reset()
	if code := run(ctx, []string{"whatsapp", "pair", "--phone", "12ab"}, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "--phone") {
		t.Fatalf("pair with a bad number: exit %d, %q", code, stderr.String())
	}
	if out := runCmd(t, "whatsapp", "logout", "--local"); !strings.Contains(out, "Session keys of +6281100000000 deleted") {
		t.Fatalf("logout printed %q", out)
	}
	if out := runCmd(t, "whatsapp", "status"); !strings.Contains(out, "not paired") {
		t.Fatalf("status after logout printed %q", out)
	}
}

// TestWhatsAppRoleIdleByDefault: with the default transport (off) serve
// starts without the WhatsApp role reaching out anywhere.
func TestWhatsAppRoleIdleByDefault(t *testing.T) {
	t.Setenv("ADUAN_WHATSAPP_TRANSPORT", "")
	_, logs := startServe(t)
	if !strings.Contains(logs.String(), "whatsapp role idle") {
		t.Fatalf("no idle notice in the log:\n%s", logs)
	}
}
