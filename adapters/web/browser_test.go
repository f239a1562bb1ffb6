package web

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write the browser test's screenshots to docs/screenshots")

// chromium returns Debian's chromium, installing it with apt when it is
// missing and the test runs as root (as .ci/run does first).
func chromium(t *testing.T) string {
	t.Helper()
	find := func() string {
		for _, p := range []string{os.Getenv("ADUAN_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
			if p != "" {
				if _, err := os.Stat(p); err == nil {
					return p
				}
			}
		}
		return ""
	}
	if p := find(); p != "" {
		return p
	}
	if _, err := exec.LookPath("apt-get"); err == nil && os.Geteuid() == 0 {
		t.Log("chromium missing: installing Debian's package")
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
		defer cancel()
		for _, args := range [][]string{{"update", "-q"}, {"install", "-y", "-q", "--no-install-recommends", "chromium"}} {
			cmd := exec.CommandContext(ctx, "apt-get", args...)
			cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Logf("apt-get %s: %v\n%s", strings.Join(args, " "), err, out)
				break
			}
		}
		if p := find(); p != "" {
			return p
		}
	}
	if pgtest.InCI() {
		t.Fatal("chromium is not installed and could not be installed (apt-get install chromium as root)")
	}
	t.Skip("chromium is not installed: apt-get install chromium, or set ADUAN_CHROMIUM")
	return ""
}

// screenshots saves what the officers see: always in the artifacts folder
// (ADUAN_ARTIFACTS_DIR, else a temporary folder named in the log), and in
// docs/screenshots with -update-screenshots.
type screenshots struct {
	t   *testing.T
	dir string
}

func newScreenshots(t *testing.T) *screenshots {
	dir := os.Getenv("ADUAN_ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "aduan-web-screenshots")
	}
	dir = filepath.Join(dir, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return &screenshots{t: t, dir: dir}
}

// take shoots the whole page.
func (s *screenshots) take(ctx context.Context, name string) {
	s.t.Helper()
	s.save(ctx, name, chromedp.FullScreenshot(100))
}

// takeOf shoots the element sel alone.
func (s *screenshots) takeOf(ctx context.Context, sel, name string) {
	s.t.Helper()
	s.save(ctx, name, chromedp.Screenshot(chromedp.CSS(sel)))
}

func (s *screenshots) save(ctx context.Context, name string, shoot chromedp.Action[[]byte]) {
	s.t.Helper()
	png, err := chromedp.Run(ctx, shoot)
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644); err != nil {
		s.t.Fatal(err)
	}
	if *updateScreenshots {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "screenshots", name+".png"), png, 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
}

// TestBrowser drives Debian's chromium through the officer's day: sign in,
// see a citizen's message arrive live, answer it, take over and hand back,
// enter a walk-in complaint and print its receipt. One browser serves every
// step, in order.
func TestBrowser(t *testing.T) {
	path := chromium(t)
	// LAPOR! is off in this office: the channels page says how to turn it on.
	e := newEnv(t, func(o *Options) {
		o.ChannelsOff = map[event.Channel][]string{event.ChannelLapor: {config.KeyLaporURL, config.KeyLaporToken}}
	})
	fake := e.channelFake(event.ChannelWhatsApp)
	e.addUser("siti", RoleAdmin)
	shots := newScreenshots(t)

	ctx := newBrowser(t, path)
	url := func(p string) string { return e.ts.URL + p }
	do := func(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	text := func(t *testing.T, sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	eval := func(t *testing.T, js string) bool {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	wait := func(t *testing.T, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v", js, err)
		}
	}
	var conv store.ConversationID
	step := inOrder(t)

	step("sign-in refused with a wrong password", func(t *testing.T) {
		do(t, chromedp.Navigate(url(Prefix+"/")),
			chromedp.WaitVisible(chromedp.CSS("#username")))
		shots.take(ctx, "login")
		do(t, chromedp.SendKeys(chromedp.CSS("#username"), "siti"),
			chromedp.SendKeys(chromedp.CSS("#password"), "bukan-sandinya"),
			chromedp.Click(chromedp.CSS("form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".alert.error")))
		if got := text(t, ".alert.error"); !strings.Contains(got, "Nama pengguna atau kata sandi salah") {
			t.Fatalf("error shown: %q", got)
		}
	})
	step("sign in", func(t *testing.T) {
		// The refused form comes back with the name kept and the password empty.
		do(t, chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
			chromedp.Click(chromedp.CSS("form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#inbox")))
		wait(t, `document.getElementById("live-state").textContent === "langsung"`)
	})
	step("a message appears live", func(t *testing.T) {
		eval(t, `window.notReloaded = true`)
		conv = e.citizenNamed(event.ChannelWhatsApp, "6281234567890", "Siti", "Halo min, bantuan PKH ibu saya sudah 3 bulan tidak cair")
		wait(t, fmt.Sprintf(`!!document.querySelector('li[data-id="%d"]')`, conv))
		if !eval(t, `window.notReloaded === true`) {
			t.Fatal("the page reloaded instead of updating live")
		}
		e.citizenNamed(event.ChannelMessenger, "psid-2001", "Rahmat Hidayat", "Bantuan sembako di desa kami tidak dibagikan merata")
		e.citizenNamed(event.ChannelInstagram, "igsid-3001", "dewi.lestari", "Petugas kelurahan tidak ada di kantor saat jam layanan")
		wait(t, `document.querySelectorAll("#inbox li.conv").length === 3`)
		shots.take(ctx, "inbox")
	})
	step("open, reply, the reply reaches the channel", func(t *testing.T) {
		do(t, chromedp.Click(chromedp.CSS(fmt.Sprintf(`li[data-id="%d"] a`, conv))),
			chromedp.WaitVisible(chromedp.CSS("#reply-text")),
			chromedp.SendKeys(chromedp.CSS("#reply-text"), "Baik Bu Siti, mohon kirimkan NIK dan foto KTP ibu Anda."),
			chromedp.Click(chromedp.CSS("form.reply button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".alert.ok")))
		ob := fake.waitFor(t, "mohon kirimkan NIK dan foto KTP ibu Anda")
		if ob.Origin != event.OriginAgent || ob.Author != "siti" {
			t.Fatalf("reply sent as %s by %q", ob.Origin, ob.Author)
		}
		if !strings.Contains(text(t, "#thread"), "mohon kirimkan NIK") {
			t.Fatal("the reply is not in the thread")
		}
		// The citizen answers while the officer has the conversation open.
		e.citizenNamed(event.ChannelWhatsApp, "6281234567890", "Siti", "Baik, sebentar saya foto dulu KTP ibu saya")
		wait(t, `document.getElementById("thread").textContent.includes("sebentar saya foto dulu")`)
		shots.take(ctx, "conversation")
	})
	step("take over, then hand back", func(t *testing.T) {
		do(t, chromedp.Click(chromedp.CSS("#takeover")), chromedp.WaitVisible(chromedp.CSS("#takeover-state")))
		if d, _ := e.st.ConversationByID(context.Background(), conv); d == nil || !d.HumanTakeover {
			t.Fatal("takeover not stored")
		}
		do(t, chromedp.Click(chromedp.CSS("#handback")), chromedp.WaitVisible(chromedp.CSS("#takeover")))
		if d, _ := e.st.ConversationByID(context.Background(), conv); d == nil || d.HumanTakeover {
			t.Fatal("hand back not stored")
		}
	})
	step("script in a message stays text", func(t *testing.T) {
		evil := e.citizenNamed(event.ChannelWhatsApp, "6281234567999", `<img src=x onerror="window.pwned=1">`,
			`<script>window.pwned=2</script><img src=x onerror="window.pwned=3">`)
		do(t, chromedp.Navigate(url(convPath(evil, ""))), chromedp.WaitVisible(chromedp.CSS(".msg.in .text")))
		if eval(t, `window.pwned !== undefined`) {
			t.Fatal("citizen's HTML ran in the page")
		}
		if got := text(t, ".msg.in .text"); !strings.Contains(got, "<script>window.pwned=2</script>") {
			t.Fatalf("message text shown as %q", got)
		}
	})
	step("walk-in complaint and its receipt", func(t *testing.T) {
		ktp := filepath.Join(t.TempDir(), "ktp.png")
		if err := os.WriteFile(ktp, pngBytes, 0o644); err != nil {
			t.Fatal(err)
		}
		do(t, chromedp.Navigate(url(Prefix+"/walkin")),
			chromedp.WaitVisible(chromedp.CSS("#w-nama")),
			chromedp.SendKeys(chromedp.CSS("#w-nama"), "Ahmad Fauzi"),
			chromedp.SendKeys(chromedp.CSS("#w-nik"), "1971015708900003"),
			chromedp.SendKeys(chromedp.CSS("#w-alamat"), "Jl. Jenderal Sudirman No. 5, Pangkalpinang"),
			chromedp.SendKeys(chromedp.CSS("#w-telepon"), "081377001122"),
			chromedp.SendKeys(chromedp.CSS("#w-isi"), "Ayah saya lansia terlantar, belum pernah menerima bantuan sosial apa pun."),
			chromedp.SetUploadFiles(chromedp.CSS("#w-ktp"), []string{ktp}))
		shots.take(ctx, "walkin")
		do(t, chromedp.Click(chromedp.CSS("#walkin-submit")), chromedp.WaitVisible(chromedp.CSS(".receipt")))
		ticket := text(t, ".receipt .ticket-id")
		if !strings.HasPrefix(ticket, "ADU-") {
			t.Fatalf("receipt ticket %q", ticket)
		}
		if got := text(t, ".receipt"); !strings.Contains(got, "Ahmad Fauzi") || !strings.Contains(got, "60 hari kerja") {
			t.Fatalf("receipt text %q", got)
		}
		shots.take(ctx, "receipt")
	})
	step("channels page", func(t *testing.T) {
		must(t, e.bus.SetHealth(context.Background(), event.Health{Channel: event.ChannelWhatsApp, Account: "6281100000000",
			State: event.HealthNeedsPairing, Detail: "Belum ditautkan", Extra: map[string]string{"qr": pairingCode}}))
		must(t, e.bus.SetHealth(context.Background(), event.Health{Channel: event.ChannelMessenger, Account: "104857600000001",
			State: event.HealthOK, LastInboundAt: time.Now().Add(-3 * time.Minute)}))
		do(t, chromedp.Navigate(url(Prefix+"/channels")), chromedp.WaitVisible(chromedp.CSS(".qr svg")))
		if got := text(t, ".channel-off"); !strings.Contains(got, "nonaktif") || !strings.Contains(got, "ADUAN_LAPOR_URL") {
			t.Errorf("the LAPOR! card says %q, want nonaktif and how to turn it on", got)
		}
		shots.take(ctx, "channels")
	})
	step("phone layout", func(t *testing.T) {
		do(t, chromedp.EmulateViewport(390, 844), chromedp.Navigate(url(Prefix+"/")), chromedp.WaitVisible(chromedp.CSS("#inbox")))
		if !eval(t, `document.documentElement.scrollWidth <= window.innerWidth`) {
			t.Error("the inbox scrolls sideways on a phone")
		}
		shots.take(ctx, "inbox-phone")
	})
}

// inOrder runs a browser test's steps as subtests: each builds on the one
// before, so after a failure the rest are skipped.
func inOrder(t *testing.T) func(name string, f func(t *testing.T)) {
	failed := false
	return func(name string, f func(t *testing.T)) {
		if failed {
			t.Run(name, func(t *testing.T) { t.Skip("an earlier step failed") })
			return
		}
		failed = !t.Run(name, f)
	}
}

// signInAs signs user in on the server at base and waits for the inbox.
func signInAs(base, user string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + Prefix + "/login"), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#inbox")),
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newBrowser starts a headless chromium at path for the test, with a
// fresh profile, Indonesian as its language and a laptop's window; it
// stops with the test, or after three minutes.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "id-ID"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 768),
	)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	ctx, cancel := context.WithTimeout(browser, 3*time.Minute)
	t.Cleanup(func() { cancel(); cancelBrowser(); cancelAlloc() })
	return ctx
}
