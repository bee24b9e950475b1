//go:build template

// Package rename tests `make rename` as a team forking the template runs it: on a copy of
// this working tree, then building, checking and testing the renamed copy.
package rename_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/test/forktest"
)

var in = forktest.Run

func TestRenameGivesAWorkingFork(t *testing.T) {
	dir := forktest.Copy(t) // with git, as in a fork: the rename moves cmd/<name> with git mv

	// A name that ends in "-api" (the title must not become "... API API"), and not the
	// name this copy has already (a fork runs this test too).
	name, title := "orders-api", "Orders API"
	if domain.ServiceName == name {
		name, title = "inventory-api", "Inventory API"
	}
	module := "github.com/acme/" + name
	in(t, dir, "go", "run", "./cmd/rename", "-module", module)

	// No trace of the old names, in any spelling, outside licences and vendored files.
	old := regexp.MustCompile(`(?i)` + regexp.QuoteMeta(domain.ServiceName) + `|` + regexp.QuoteMeta(domain.DisplayName))
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() && (d.Name() == ".git" || rel == filepath.Join("adapters", "httpapi", "swaggerui", "dist")) {
			return filepath.SkipDir
		}
		if old.MatchString(rel) {
			t.Errorf("path %s still has the old name", rel)
		}
		if d.IsDir() || strings.HasPrefix(strings.ToUpper(d.Name()), "LICENSE") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range bytes.Split(b, []byte("\n")) {
			if old.Match(line) {
				t.Errorf("%s:%d still has the old name: %s", rel, i+1, line)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if t.Failed() {
		return
	}

	src, err := os.ReadFile(filepath.Join(dir, "core", "domain", "name.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`ServiceName = "` + name + `"`, `DisplayName = "` + title + `"`} {
		if !bytes.Contains(src, []byte(want)) {
			t.Errorf("core/domain/name.go has no %s:\n%s", want, src)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "cmd", name, "main.go")); err != nil {
		t.Errorf("cmd/%s: %v", name, err)
	}
	if mod := in(t, dir, "go", "list", "-m"); strings.TrimSpace(mod) != module {
		t.Errorf("go list -m = %q", mod)
	}

	// The renamed copy passes the static checks, its unit, document and architecture tests,
	// and an integration test that makes databases with the new (quoted) name and scrapes
	// the renamed metrics.
	in(t, dir, "make", "check")
	in(t, dir, "go", "test", "-count=1", "./core/...", "./test/apispec", "./test/archtest", "./wiring")
	out := in(t, dir, "go", "test", "-count=1", "-v", "-run", "TestMetricsOnThePrivateListener|TestBearerTokenRules", "./test/e2e")
	if !strings.Contains(out, "--- PASS: TestMetricsOnThePrivateListener") {
		t.Errorf("the renamed copy did not run its metrics test:\n%s", out)
	}
	if got := in(t, dir, "sed", "-n", "s/^  title: //p", "docs/openapi.yaml"); strings.TrimSpace(got) != title {
		t.Errorf("docs/openapi.yaml title = %q, want %q (not %q)", got, title, title+" API")
	}
}
