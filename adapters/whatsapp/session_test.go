package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

// TestSessionStoreMigrates opens whatsmeow's session store on a fresh
// database beside Aduan's own schema, keeps a device and finds it again.
func TestSessionStoreMigrates(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	st, err := store.Open(ctx, url, bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	c, err := OpenStore(ctx, url, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dev, err := c.GetFirstDevice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if dev.ID != nil {
		t.Fatalf("fresh store has a device %v", dev.ID)
	}
	jid := types.NewADJID(ourNumber, 0, 12)
	dev.ID = &jid
	dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte{1}, AccountSignature: make([]byte, 64),
		AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
	if err := c.PutDevice(ctx, dev); err != nil {
		t.Fatal(err)
	}

	// Opening again (a restart) upgrades nothing and finds the device.
	again, err := OpenStore(ctx, url, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	found, err := again.GetFirstDevice(ctx)
	if err != nil || found.ID == nil || found.ID.User != ourNumber {
		t.Fatalf("device not found again: %v %v", found.ID, err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var tables int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_name IN ('whatsmeow_version', 'whatsmeow_device', 'whatsmeow_sessions', 'whatsmeow_lid_map', 'whatsmeow_event_buffer', 'messages')`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 6 {
		t.Fatalf("%d of 6 tables present", tables)
	}
	// Aduan's own migrations still open the database with whatsmeow's tables in it.
	st, err = store.Open(ctx, url, bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
}

// TestLease: one holder at a time; a standby takes over when the holder
// stops renewing (a crash), and the old holder learns it lost the lease.
func TestLease(t *testing.T) {
	ctx := context.Background()
	ttl := time.Second
	b := bustest.Open(t, bus.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), LeaseTTL: ttl})
	first, second := OpenLease(b), OpenLease(b)
	if _, err := first.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	holder, err := second.Acquire(ctx)
	if !errors.Is(err, ErrLeaseHeld) || holder != first.Holder() {
		t.Fatalf("second acquired %q, %v", holder, err)
	}
	if err := first.Renew(ctx); err != nil {
		t.Fatal(err)
	}

	// first "crashes": no more renewals. second runs as standby meanwhile.
	var mu sync.Mutex
	var standbyFor []string
	active := make(chan struct{})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- second.Run(rctx, func(ctx context.Context) error {
			close(active)
			<-ctx.Done()
			return nil
		}, func(h string) {
			mu.Lock()
			standbyFor = append(standbyFor, h)
			mu.Unlock()
		})
	}()
	select {
	case <-active:
	case <-time.After(10 * time.Second):
		t.Fatal("standby did not take over")
	}
	mu.Lock()
	if len(standbyFor) == 0 || standbyFor[0] != first.Holder() {
		t.Fatalf("standby saw holders %v", standbyFor)
	}
	mu.Unlock()
	if err := first.Renew(ctx); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("old holder renewed: %v", err)
	}
	if cur, _ := first.Current(ctx); cur != second.Holder() {
		t.Fatalf("lease held by %q", cur)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Stopping released it at once.
	if cur, _ := first.Current(ctx); cur != "" {
		t.Fatalf("lease still held by %q after stop", cur)
	}
}

// TestSessionEvents: WhatsApp ending the session raises "needs pairing" in
// the health the admin UI reads, counts it, and tells the session to stop.
func TestSessionEvents(t *testing.T) {
	tests := []struct {
		name   string
		evt    any
		state  event.HealthState
		reason string
	}{
		{"connected", &events.Connected{}, event.HealthOK, ""},
		{"disconnected", &events.Disconnected{}, event.HealthDown, ""},
		{"logged out", &events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureLoggedOut}, event.HealthNeedsPairing, StopLoggedOut},
		{"stream replaced", &events.StreamReplaced{}, event.HealthNeedsPairing, StopStreamReplaced},
		{"temporary ban", &events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Hour}, event.HealthNeedsAttention, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig(), true)
			h.a.HandleEvent(tt.evt)
			got, ok, err := h.b.Health(context.Background(), event.ChannelWhatsApp, ourNumber)
			if err != nil || !ok || got.State != tt.state || got.Account != ourNumber {
				t.Fatalf("health %+v (%v, %v), want %s", got, ok, err, tt.state)
			}
			if tt.reason == "" {
				select {
				case r := <-h.a.Stopped():
					t.Fatalf("stopped: %s", r)
				default:
				}
				return
			}
			select {
			case r := <-h.a.Stopped():
				if r != tt.reason {
					t.Fatalf("stop reason %q", r)
				}
			default:
				t.Fatal("session not told to stop")
			}
			if value(h.metrics.stops.WithLabelValues(tt.reason)) != 1 {
				t.Fatal("stop not counted")
			}
		})
	}
}

// TestFollowQR feeds whatsmeow's QR channel items: each code reaches the
// health the admin UI reads (and the terminal); success clears it.
func TestFollowQR(t *testing.T) {
	tests := []struct {
		name    string
		items   []whatsmeow.QRChannelItem
		wantErr error
		shown   []string
		final   event.HealthState
		finalQR string
	}{
		{"scanned", []whatsmeow.QRChannelItem{
			{Event: whatsmeow.QRChannelEventCode, Code: "2@kodeQRpertama", Timeout: 60 * time.Second},
			{Event: whatsmeow.QRChannelEventCode, Code: "2@kodeQRkedua", Timeout: 20 * time.Second},
			whatsmeow.QRChannelSuccess,
		}, nil, []string{"2@kodeQRpertama", "2@kodeQRkedua"}, event.HealthDown, ""},
		{"codes ran out", []whatsmeow.QRChannelItem{
			{Event: whatsmeow.QRChannelEventCode, Code: "2@satu", Timeout: 60 * time.Second},
			whatsmeow.QRChannelTimeout,
		}, ErrQRTimeout, []string{"2@satu"}, event.HealthNeedsPairing, ""},
		{"channel closed", []whatsmeow.QRChannelItem{
			{Event: whatsmeow.QRChannelEventCode, Code: "2@masih", Timeout: 60 * time.Second},
		}, ErrQRTimeout, []string{"2@masih"}, event.HealthNeedsPairing, "2@masih"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig(), false)
			h.a.Attach(nil, nil, "") // not paired yet
			items := make(chan whatsmeow.QRChannelItem, len(tt.items))
			var shown []string
			// Check the health the admin UI would read at each code.
			show := func(code string, _ time.Duration) {
				shown = append(shown, code)
				got, ok, err := h.b.Health(context.Background(), event.ChannelWhatsApp, "")
				if err != nil || !ok || got.State != event.HealthNeedsPairing || got.Extra[ExtraQR] != code {
					t.Errorf("health at code %s: %+v", code, got)
				}
			}
			for _, it := range tt.items {
				items <- it
			}
			close(items)
			err := h.a.FollowQR(context.Background(), items, show)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if len(shown) != len(tt.shown) || (len(shown) > 0 && shown[len(shown)-1] != tt.shown[len(tt.shown)-1]) {
				t.Fatalf("shown %v, want %v", shown, tt.shown)
			}
			got, _, _ := h.b.Health(context.Background(), event.ChannelWhatsApp, "")
			if got.State != tt.final || got.Extra[ExtraQR] != tt.finalQR {
				t.Fatalf("final health %+v", got)
			}
		})
	}
}

func TestPairCode(t *testing.T) {
	for in, want := range map[string]string{"abcd1234": "ABCD-1234", "ABCD-1234": "ABCD-1234", "XYZ": "XYZ"} {
		if got := FormatPairCode(in); got != want {
			t.Errorf("FormatPairCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAttachForgetsUnpairedHealth: once a number is paired and attached,
// the "not paired" entry the admin UI showed is removed.
func TestAttachForgetsUnpairedHealth(t *testing.T) {
	h := newHarness(t, testConfig(), false)
	h.a.Attach(nil, nil, "")
	h.a.ShowPairCode("ABCD-EFGH")
	if got, ok, _ := h.b.Health(context.Background(), event.ChannelWhatsApp, ""); !ok || got.Extra[ExtraPairCode] != "ABCD-EFGH" {
		t.Fatalf("pair code not shown: %+v", got)
	}
	h.a.HandleEvent(&events.PairSuccess{ID: types.NewADJID(ourNumber, 0, 9)})
	h.a.Attach(h.fake, h.fake, ourNumber)
	if _, ok, _ := h.b.Health(context.Background(), event.ChannelWhatsApp, ""); ok {
		t.Fatal("the not-paired entry is still there")
	}
}

// TestPairPhoneRequests answers the admin UI's requests for a phone pairing
// code over NATS, as the web role sends them.
func TestPairPhoneRequests(t *testing.T) {
	h := newHarness(t, testConfig(), false)
	h.a.Attach(nil, nil, "")
	h.run(h.a.ServePairRequests)
	var asked []string
	ask := func(phone string) event.PairPhoneReply {
		t.Helper()
		req, _ := json.Marshal(event.PairPhoneRequest{Phone: phone})
		var msg *nats.Msg
		var err error
		bustest.Eventually(t, 5*time.Second, func() bool { // until the subscription is in place
			msg, err = h.b.Conn().Request(event.SubjectWhatsAppPairPhone, req, 5*time.Second)
			return !errors.Is(err, nats.ErrNoResponders)
		})
		if err != nil {
			t.Fatal(err)
		}
		var reply event.PairPhoneReply
		if err := json.Unmarshal(msg.Data, &reply); err != nil {
			t.Fatal(err)
		}
		return reply
	}
	if r := ask("6281100000000"); r.Code != "" || !strings.Contains(r.Error, "belum siap") {
		t.Fatalf("before a pairing round: %+v", r)
	}
	h.a.SetPairer(func(_ context.Context, phone string) (string, error) {
		asked = append(asked, phone)
		if len(asked) == 2 {
			return "", errors.New("rate-overlimit")
		}
		return "abcd1234", nil
	})
	if r := ask("0811-0000-0000"); r.Code != "ABCD-1234" || r.Error != "" || asked[0] != ourNumber {
		t.Fatalf("reply %+v for %v", r, asked)
	}
	if got, _, _ := h.b.Health(context.Background(), event.ChannelWhatsApp, ""); got.Extra[ExtraPairCode] != "ABCD-1234" {
		t.Fatalf("code not shown in health: %+v", got)
	}
	if r := ask(ourNumber); !strings.Contains(r.Error, "rate-overlimit") {
		t.Fatalf("failure not passed on: %+v", r)
	}
	if r := ask("bukan nomor"); r.Error != "nomor HP tidak valid" {
		t.Fatalf("bad number: %+v", r)
	}
	h.a.SetPairer(nil)
	h.a.Attach(h.fake, h.fake, ourNumber)
	if r := ask("6281100000000"); !strings.Contains(r.Error, "sudah tertaut dengan +"+ourNumber) {
		t.Fatalf("when paired: %+v", r)
	}
}
