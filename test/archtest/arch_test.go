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
	"github.com/go-jose/go-jose":                                       {"adapters/jwt", "test"},
	"golang.org/x/crypto/bcrypt":                                       {"adapters/bcrypt"},
	"github.com/google/wire":                                           {"wiring"},
	"github.com/testcontainers/testcontainers-go":                      {"test/pgtest"},
	"github.com/getkin/kin-openapi":                                    {"test"},
	"github.com/chromedp":                                              {"test/browser"},
	"golang.org/x/oauth2":                                              {"test"},
	"go.yaml.in/yaml/v3":                                               {"docs/bundle"},
	"golang.org/x/tools/go/packages":                                   {"test/archtest"},
	"google.golang.org/protobuf":                                       {"test"}, // decoding OTLP in the tracing test
}

// coreStd is the standard library core may use: computation, text, time, crypto
// primitives and parsing of addresses. No I/O, no network, no database, no process, no
// encoding: those are adapters' work (net/http, database/sql, os, os/exec, encoding/json
// are all out).
var coreStd = map[string]bool{
	"bytes": true, "cmp": true, "context": true, "crypto": true, "crypto/hmac": true, "crypto/rand": true,
	"crypto/sha256": true, "crypto/subtle": true, "encoding/base64": true, "encoding/binary": true,
	"encoding/hex": true, "errors": true, "fmt": true, "hash/crc32": true, "iter": true, "log/slog": true,
	"maps": true, "math": true, "net/mail": true, "net/netip": true, "regexp": true, "slices": true, "sort": true,
	"strconv": true, "strings": true, "sync": true, "sync/atomic": true, "time": true, "unicode": true,
	"unicode/utf8": true,
	"testing":      true, // in tests only: core's packages never import it (go vet would flag a non-test use)
}

// library is the entry of libraries that path belongs to, if any.
func library(path string) (string, bool) {
	for lib := range libraries {
		if under(path, lib) {
			return lib, true
		}
	}
	return "", false
}

func isStd(path string) bool { return !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") }

func rel(path string) (string, bool) {
	if path == module {
		return "", true
	}
	return strings.CutPrefix(path, module+"/")
}

func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

// violations lists every broken rule in pkgs. Each rule is one of docs/architecture.md's
// "Dependency rule" list, and holds for test files too (with the exceptions it names).
func violations(pkgs []pkg) []string {
	var out []string
	bad := func(p pkg, format string, args ...any) {
		out = append(out, p.ImportPath+": "+fmt.Sprintf(format, args...))
	}
	for _, p := range pkgs {
		self, _ := rel(p.ImportPath)
		// What core and ports may import. Checking every package's direct imports covers
		// the transitive ones too (each is some package's direct import), and names the
		// file-level culprit once instead of every package it drags in.
		tests := make([]string, 0, len(p.TestImports)+len(p.XTestImports))
		for _, imp := range append(append([]string{}, p.TestImports...), p.XTestImports...) {
			if imp != p.ImportPath { // an external test package imports the package itself
				tests = append(tests, imp)
			}
		}
		for _, imp := range p.Imports {
			r, inModule := rel(imp)
			switch {
			case under(self, "core") && isStd(imp) && !coreStd[imp]:
				bad(p, "core may use only the standard packages listed in test/archtest (coreStd), not %s", imp)
			case under(self, "core") && !isStd(imp) && (!inModule || !under(r, "core") && r != "ports"):
				bad(p, "core may depend only on the standard library, ports and core, not %s", imp)
			case self == "ports" && !isStd(imp) && (!inModule || r != "core/domain"):
				bad(p, "ports may depend only on the standard library and core/domain, not %s", imp)
			}
		}
		for _, imp := range tests {
			r, inModule := rel(imp)
			switch {
			case under(self, "core") && isStd(imp) && !coreStd[imp]:
				bad(p, "core's tests may use only the standard packages listed in test/archtest (coreStd), not %s", imp)
			case isStd(imp):
			case under(self, "core") && (!inModule || !under(r, "core") && r != "ports" && r != "adapters/memory"):
				bad(p, "core's tests may use only the standard library, ports, core and adapters/memory, not %s", imp)
			case self == "ports" && (!inModule || r != "core/domain"):
				bad(p, "ports' tests may use only the standard library and core/domain, not %s", imp)
			}
		}
		// Adapters never import each other, not even in tests; only test/ packages may be
		// imported from outside (the harnesses: test/pgtest, test/smtptest).
		if under(self, "adapters") {
			own := strings.Join(strings.SplitN(self, "/", 3)[:2], "/")
			for _, imp := range append(append([]string{}, p.Imports...), tests...) {
				if r, ok := rel(imp); ok && under(r, "adapters") && !under(r, own) {
					bad(p, "adapters must not import other adapters (%s)", imp)
				}
			}
		}
		// Only wiring knows the adapters (and tests, which exercise them).
		if !under(self, "adapters") && self != "wiring" && !under(self, "test") {
			for _, imp := range p.Imports {
				if r, ok := rel(imp); ok && under(r, "adapters") {
					bad(p, "only wiring may import adapters (%s)", imp)
				}
			}
		}
		// Production code never imports test helpers.
		if !under(self, "test") {
			for _, imp := range p.Imports {
				if r, ok := rel(imp); ok && under(r, "test") {
					bad(p, "non-test code imports the test package %s", imp)
				}
			}
		}
		// A command is a thin main: the standard library and wiring only, tests included
		// (the OpenAPI bundler's command runs docs/bundle).
		if under(self, "cmd") {
			for _, imp := range append(append([]string{}, p.Imports...), tests...) {
				r, ok := rel(imp)
				bundler := self == "cmd/openapi-bundle" && r == "docs/bundle"
				if !isStd(imp) && (!ok || r != "wiring" && !bundler) {
					bad(p, "commands may import only the standard library and wiring, not %s", imp)
				}
			}
		}
		// Each library only inside its own adapter (tests included), and no library that
		// is not listed: a new one is a decision (docs/decisions.md) and a line above.
		all := append(append([]string{}, p.Imports...), tests...)
		for _, imp := range all {
			if _, inModule := rel(imp); !isStd(imp) && !inModule {
				if _, listed := library(imp); !listed {
					bad(p, "imports %s, a library test/archtest does not list (add it to libraries, with where it may be used, and say why in docs/decisions.md)", imp)
				}
			}
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

// TestRuleCatchesViolations proves the checker is not vacuous: one planted violation of
// each rule, and packages that keep the rules.
func TestRuleCatchesViolations(t *testing.T) {
	m := func(s string) string { return module + "/" + s }
	cases := []struct {
		pkg  pkg
		want string // "" when the package keeps the rules
	}{
		{pkg{ImportPath: m("core/usecase"), Imports: []string{"context", m("ports"), "github.com/gin-gonic/gin"}}, "core may depend only"},
		{pkg{ImportPath: m("core/usecase"), Imports: []string{"context", "net/http"}}, "core may use only the standard packages"},
		{pkg{ImportPath: m("core/domain"), Imports: []string{"database/sql"}}, "core may use only the standard packages"},
		{pkg{ImportPath: m("core/usecase"), Imports: []string{"os/exec"}}, "core may use only the standard packages"},
		{pkg{ImportPath: m("core/usecase"), XTestImports: []string{m("core/usecase"), "net/http/httptest"}}, "core's tests may use only the standard packages"},
		{pkg{ImportPath: m("core/usecase"), Imports: []string{"context", "net/mail", "slices", m("ports")}}, ""},
		{pkg{ImportPath: m("adapters/postgres"), Imports: []string{"github.com/lib/pq"}}, "a library test/archtest does not list"},
		{pkg{ImportPath: m("adapters/httpapi"), Imports: []string{"github.com/gin-gonic/gin", "github.com/rs/cors"}}, ""},
		{pkg{ImportPath: m("core/usecase"), XTestImports: []string{m("core/usecase"), m("adapters/postgres")}}, "core's tests may use only"},
		{pkg{ImportPath: m("core/usecase"), XTestImports: []string{m("core/usecase"), m("adapters/memory"), m("ports")}}, ""},
		{pkg{ImportPath: m("ports"), Imports: []string{m("core/usecase")}}, "ports may depend only"},
		{pkg{ImportPath: m("ports"), TestImports: []string{m("adapters/memory")}}, "ports' tests may use only"},
		{pkg{ImportPath: m("adapters/memory"), Imports: []string{m("adapters/postgres")}}, "adapters must not import other adapters"},
		{pkg{ImportPath: m("adapters/smtp"), XTestImports: []string{m("adapters/smtp"), m("adapters/logmail")}}, "adapters must not import other adapters"},
		{pkg{ImportPath: m("adapters/smtp"), XTestImports: []string{m("adapters/smtp"), m("test/smtptest")}}, ""},
		{pkg{ImportPath: m("adapters/httpapi"), TestImports: []string{"github.com/jackc/pgx/v5"}}, "which belongs in"},
		{pkg{ImportPath: m("adapters/postgres"), Imports: []string{"github.com/jackc/pgx/v5/pgxpool", m("ports")}}, ""},
		{pkg{ImportPath: m("cmd/hexashop"), Imports: []string{"os", m("wiring")}}, ""},
		{pkg{ImportPath: m("cmd/hexashop"), Imports: []string{"os", m("wiring"), m("adapters/postgres")}}, "commands may import only"},
		{pkg{ImportPath: m("cmd/hexashop"), XTestImports: []string{m("core/domain")}}, "commands may import only"},
		{pkg{ImportPath: m("docs"), Imports: []string{m("adapters/memory")}}, "only wiring may import adapters"},
		{pkg{ImportPath: m("adapters/jwt"), Imports: []string{m("test/pgtest")}}, "non-test code imports the test package"},
	}
	for _, c := range cases {
		got := strings.Join(violations([]pkg{c.pkg}), "\n")
		switch {
		case c.want == "" && got != "":
			t.Errorf("%+v: false alarm: %s", c.pkg, got)
		case c.want != "" && !strings.Contains(got, c.want):
			t.Errorf("%+v: want a violation %q, got %q", c.pkg, c.want, got)
		}
	}
}
