package apispec_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/test/apispec"
	"github.com/hexashop/hexashop/wiring"
)

func TestDocumentIsValid(t *testing.T) {
	doc, err := apispec.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Servers {
		if s.URL != "/" {
			t.Errorf("servers entry %q: the page must never call another host", s.URL)
		}
	}
	if doc.Info.Title != domain.APITitle() {
		t.Errorf("info.title = %q; the product's name is %q (core/domain/name.go), so the title is %q",
			doc.Info.Title, domain.DisplayName, domain.APITitle())
	}
	flow := doc.Components.SecuritySchemes["OAuth2Password"].Value.Flows.Password
	if flow == nil || flow.TokenURL != "/login" {
		t.Fatalf("OAuth2 password flow tokenUrl = %+v, want /login", flow)
	}
}

// demoHandler wires the demo-mode application, whose routes are the same in every mode.
func demoHandler(t *testing.T) *wiring.App {
	t.Helper()
	cfg, err := wiring.LoadConfig(func(k string) string { return map[string]string{"BCRYPT_COST": "4"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	app, cleanup, err := wiring.Build(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	return app
}

// TestRoutesMatchDocument: every route gin serves is in the document, and every
// operation of the document is served.
func TestRoutesMatchDocument(t *testing.T) {
	doc, err := apispec.Load()
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	var served []string
	for _, r := range demoHandler(t).Handler.Routes() {
		served = append(served, r.Method+" "+r.Path)
	}
	slices.Sort(documented)
	slices.Sort(served)
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is served but not in docs/openapi.yaml", r)
		}
	}
	for _, op := range documented {
		if !slices.Contains(served, op) {
			t.Errorf("docs/openapi.yaml has %s, which the server does not serve", op)
		}
	}
	if len(served) < 15 {
		t.Fatalf("only %d routes found: %v", len(served), served)
	}
}

// TestServedDocumentIsTheFile: GET /openapi.yaml is docs/openapi.yaml byte for byte, and
// the Swagger UI page loads only same-origin assets.
func TestServedDocumentAndDocsPage(t *testing.T) {
	h := demoHandler(t).Handler
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	spec := get("/openapi.yaml")
	if spec.Code != 200 || !strings.Contains(spec.Body.String(), "tokenUrl: /login") {
		t.Fatalf("GET /openapi.yaml: %d", spec.Code)
	}
	page := get("/docs")
	links := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page.Body.String(), -1)
	if page.Code != 200 || len(links) < 3 {
		t.Fatalf("GET /docs: %d, %d links", page.Code, len(links))
	}
	if want := "<title>" + domain.APITitle() + "</title>"; !strings.Contains(page.Body.String(), want) {
		t.Errorf("GET /docs has no %s", want)
	}
	for _, l := range links {
		if !strings.HasPrefix(l[1], "/docs/") {
			t.Errorf("the page loads %q: not a same-origin /docs/ asset", l[1])
		}
	}
	for _, asset := range []string{"/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/init.js", "/docs/favicon-32x32.png"} {
		if rec := get(asset); rec.Code != 200 || rec.Body.Len() == 0 {
			t.Errorf("GET %s: %d", asset, rec.Code)
		}
	}
	if init := get("/docs/init.js").Body.String(); !strings.Contains(init, "validatorUrl: null") || !strings.Contains(init, `url: "/openapi.yaml"`) {
		t.Errorf("init.js does not pin the validator off and the same-origin document:\n%s", init)
	}
	if rec := get("/docs/../../go.mod"); rec.Code != 404 {
		t.Errorf("path traversal: %d", rec.Code)
	}
}
