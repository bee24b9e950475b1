// Package browser drives Swagger UI in a real headless Chromium: the way the original
// app's users tried the API. Run it with `make test-browser` (it installs Debian's
// chromium when missing). It is a module of its own (test/browser/go.mod), so that
// chromedp stays out of the service's go.mod and `make test` needs no browser; it builds
// the service from the repository two directories up.
package browser

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// chromiumPath is the browser to drive: CHROMIUM_PATH, or Debian's chromium. (GitHub's
// Ubuntu runners set CHROMIUM_PATH to their preinstalled Chrome.)
var chromiumPath = cmp.Or(os.Getenv("CHROMIUM_PATH"), "/usr/bin/chromium")

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startDemo builds and starts `hexashop serve` in demo mode on 127.0.0.1.
func startDemo(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hexashop")
	build := exec.Command("go", "build", "-o", bin, "./cmd/hexashop")
	build.Dir = filepath.Join("..", "..") // the service's module
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"HTTP_ADDR=" + addr, "BCRYPT_COST=4", "ADMIN_PASSWORD=demo-admin-password", "PATH=" + os.Getenv("PATH")}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			return base
		}
	}
	t.Fatal("demo server did not start")
	return ""
}

func TestSwaggerUIAuthorizeAndTryItOut(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("%s not found: run `make test-browser`, which installs Debian's chromium, or set CHROMIUM_PATH (%v)", chromiumPath, err)
	}
	base := startDemo(t)

	// A customer registers first, as a newcomer would.
	res, err := http.Post(base+"/user", "application/json",
		strings.NewReader(`{"name":"Browser","email":"browser@example.com","password":"browser-password"}`))
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("register: %v %v", err, res)
	}
	res.Body.Close()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 2000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()

	// The first call starts the browser (no timeout on it: the browser lives as long as
	// its context); then every request of the page is recorded.
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	var (
		mu         sync.Mutex
		urls       []string
		violations []string // what the page's Content-Security-Policy blocked
	)
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			urls = append(urls, e.Request.URL)
		case *cdplog.EventEntryAdded:
			if strings.Contains(e.Entry.Text, "Content Security Policy") {
				violations = append(violations, e.Entry.Text)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, 40*time.Second)
	defer cancelTimeout()

	const getMe = "#operations-users-getMe"
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tctx, actions...); err != nil {
			dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			modal, _ := chromedp.Run(dctx, chromedp.Evaluate[string](`(document.querySelector(".modal-ux") || {}).outerHTML || "no modal"`))
			t.Fatalf("%s: %v (screenshot: %s)\nmodal: %.3000s", what, err, screenshot(ctx), modal)
		}
	}
	eval := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(tctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("evaluate %s: %v", expr, err)
		}
		return v
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(tctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("read %s: %v (screenshot: %s)", sel, err, screenshot(ctx))
		}
		return v
	}

	step("open /docs", chromedp.Navigate(base+"/docs"), chromedp.WaitVisible(`.btn.authorize`), chromedp.WaitVisible(getMe))
	// Protected operations show the lock; public ones do not.
	lockOnMe := eval(`String(!!document.querySelector("#operations-users-getMe .authorization__btn"))`)
	lockOnHealth := eval(`String(!!document.querySelector("#operations-operations-healthz .authorization__btn"))`)

	step("authorize with the OAuth2 password flow",
		chromedp.Click(`.btn.authorize`),
		chromedp.WaitVisible(`#oauth_username`),
		chromedp.SendKeys(`#oauth_username`, "browser@example.com"),
		chromedp.SendKeys(`#oauth_password`, "browser-password"),
		chromedp.Click(`.auth-btn-wrapper .btn.modal-btn.auth.authorize`),
		chromedp.WaitVisible(`.auth-btn-wrapper button[aria-label="Remove authorization"]`), // "Logout": authorized
		chromedp.Click(`.auth-btn-wrapper .btn-done`),
		chromedp.WaitNotPresent(`.modal-ux`),
	)
	step("try out GET /user/me",
		chromedp.Click(getMe+` .opblock-summary-control`),
		chromedp.WaitVisible(getMe+` .try-out__btn`),
		chromedp.Click(getMe+` .try-out__btn`),
		chromedp.WaitVisible(getMe+` .execute`),
		chromedp.Click(getMe+` .execute`),
		chromedp.WaitVisible(getMe+` .live-responses-table tbody .response-col_status`),
	)
	status := text(getMe + ` .live-responses-table tbody .response-col_status`)
	body := text(getMe + ` .live-responses-table tbody .response-col_description`)
	shot := screenshot(ctx)
	if !strings.HasPrefix(strings.TrimSpace(status), "200") {
		t.Fatalf("GET /user/me in Swagger UI answered %q, want 200 (screenshot: %s)", status, shot)
	}
	if !strings.Contains(body, `"email": "browser@example.com"`) {
		t.Errorf("response shown on the page = %q, want the signed-in account", body)
	}
	if lockOnMe != "true" || lockOnHealth != "false" {
		t.Errorf("lock icons: GET /user/me %s (want true), GET /healthz %s (want false)", lockOnMe, lockOnHealth)
	}

	mu.Lock()
	defer mu.Unlock()
	own := strings.TrimPrefix(base, "http://")
	var sawLogin bool
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			t.Errorf("unparsable request URL %q", raw)
			continue
		}
		if (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "ws" || u.Scheme == "wss") && u.Host != own {
			t.Errorf("the page requested another host: %s", raw)
		}
		sawLogin = sawLogin || u.Path == "/login"
	}
	if !sawLogin {
		t.Errorf("Authorize did not call /login; requests: %v", urls)
	}
	for _, v := range violations {
		t.Errorf("Content-Security-Policy of /docs blocked something: %s", v)
	}
	t.Logf("%d requests, all to %s; screenshot: %s", len(urls), own, shot)
}

// screenshot saves the page under test/browser/screenshots (git-ignored).
func screenshot(ctx context.Context) string {
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Sprintf("(none: %v)", err)
	}
	dir := "screenshots"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Sprintf("(none: %v)", err)
	}
	path := filepath.Join(dir, "swagger-ui-get-me.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return fmt.Sprintf("(none: %v)", err)
	}
	abs, _ := filepath.Abs(path)
	return abs
}
