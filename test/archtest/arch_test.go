// Package archtest enforces the dependency rule of docs/architecture.md by reading
// `go list -json` of the whole module.
package archtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/hexashop/hexashop"

type pkg struct {
	ImportPath   string
	Imports      []string // non-test imports
	Deps         []string // transitive non-test imports
	TestImports  []string
	XTestImports []string
}

// libraries maps an outside library to the only module packages that may import it.
var libraries = map[string][]string{
	"github.com/gin-gonic/gin":            {"adapters/httpapi", "test/load/baseline"},
	"github.com/prometheus/client_golang": {"adapters/metrics"},
	// OpenTelemetry: the SDK and exporter in the tracing adapter; the instrumentations
	// where they instrument; the trace API where a provider is passed around.
	"go.opentelemetry.io/otel/sdk":                                     {"adapters/tracing"},
	"go.opentelemetry.io/otel/exporters":                               {"adapters/tracing"},
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic": {"adapters/httpapi"},
	"github.com/exaring/otelpgx":                                       {"adapters/postgres"},
	"go.opentelemetry.io/otel":                                         {"adapters/tracing", "adapters/httpapi", "adapters/postgres", "wiring", "test"},
	"go.opentelemetry.io/proto":                                        {"adapters/tracing", "test"},
	"github.com/rs/cors":                                               {"adapters/httpapi"},
	"golang.org/x/text":                                                {"adapters/textnorm"},
	"github.com/jackc/pgx":                                             {"adapters/postgres", "test/pgtest", "test/load/baseline"},
	"github.com/jackc/tern":                                            {"adapters/postgres"},
	"github.com/golang-jwt/jwt":                                        {"adapters/jwt", "test/load/baseline"},
	"golang.org/x/crypto/bcrypt":                                       {"adapters/bcrypt"},
	"github.com/google/wire":                                           {"wiring"},
	"github.com/testcontainers/testcontainers-go":                      {"test/pgtest"},
	"github.com/getkin/kin-openapi":                                    {"test"},
	"github.com/chromedp":                                              {"test/browser"},
	"golang.org/x/oauth2":                                              {"test"},
}

func isStd(path string) bool { return !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") }

func rel(path string) (string, bool) {
	if path == module {
		return "", true
	}
	return strings.CutPrefix(path, module+"/")
}

func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

// violations lists every broken rule in pkgs.
func violations(pkgs []pkg) []string {
	var out []string
	bad := func(p pkg, format string, args ...any) {
		out = append(out, p.ImportPath+": "+fmt.Sprintf(format, args...))
	}
	for _, p := range pkgs {
		self, _ := rel(p.ImportPath)
		// Rules on what core and ports may depend on, transitively.
		for _, d := range p.Deps {
			r, inModule := rel(d)
			switch {
			case isStd(d):
			case under(self, "core") && !(inModule && (under(r, "core") || r == "ports")):
				bad(p, "core may depend only on the standard library, ports and core, not %s", d)
			case self == "ports" && !(inModule && r == "core/domain"):
				bad(p, "ports may depend only on the standard library and core/domain, not %s", d)
			}
		}
		// Adapters never import each other.
		if under(self, "adapters") {
			own := strings.SplitN(self, "/", 3)[:2]
			for _, imp := range p.Imports {
				if r, ok := rel(imp); ok && under(r, "adapters") && !under(r, strings.Join(own, "/")) {
					bad(p, "adapters must not import other adapters (%s)", imp)
				}
			}
		}
		// Each library only inside its own adapter (tests included).
		all := append(append(append([]string{}, p.Imports...), p.TestImports...), p.XTestImports...)
		for _, imp := range all {
			for lib, allowed := range libraries {
				if !under(imp, lib) {
					continue
				}
				ok := false
				for _, a := range allowed {
					ok = ok || under(self, a)
				}
				if !ok {
					bad(p, "imports %s, which belongs in %v", imp, allowed)
				}
			}
		}
	}
	return out
}

func TestDependencyRule(t *testing.T) {
	cmd := exec.Command("go", "list", "-json", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(outb))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
}

// TestRuleCatchesViolations proves the checker is not vacuous.
func TestRuleCatchesViolations(t *testing.T) {
	m := func(s string) string { return module + "/" + s }
	got := violations([]pkg{
		{ImportPath: m("core/usecase"), Deps: []string{"context", m("ports"), "github.com/gin-gonic/gin"}},
		{ImportPath: m("ports"), Deps: []string{m("core/usecase")}},
		{ImportPath: m("adapters/memory"), Imports: []string{m("adapters/postgres")}},
		{ImportPath: m("adapters/httpapi"), TestImports: []string{"github.com/jackc/pgx/v5"}},
		{ImportPath: m("adapters/postgres"), Imports: []string{"github.com/jackc/pgx/v5/pgxpool", m("ports")}},
	})
	if len(got) != 4 {
		t.Fatalf("found %d violations, want 4 (the last package is fine):\n%s", len(got), strings.Join(got, "\n"))
	}
}
