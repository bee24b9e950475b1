//go:build template

// Package strip tests `make strip` as a team that wants the platform without the shop
// runs it: on a copy of this tree, then everything CI checks, on what remains.
package strip_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hexashop/hexashop/test/forktest"
)

// removed matches what only the shop had: its routes, ports, tables and fields. Prose
// (*.md) is left out: the docs keep the template's history and decisions.
var removed = regexp.MustCompile(`/products|/cart([/?" ]|$)|/orders([/?" ]|$)|CartRepository|ProductRepository|` +
	`CategoryRepository|OrderRepository|IdempotencyRepository|ports\.Catalog|price_cents|cart_items|order_items|` +
	`CursorProducts|CursorOrders|CursorCategories|Idempotency-Key|idempotency_keys|shop:begin|shop:end`)

func TestStripLeavesAWorkingService(t *testing.T) {
	dir := forktest.Copy(t)
	out := forktest.Run(t, dir, "go", "run", "./cmd/strip")
	t.Log(strings.TrimSpace(out))

	for _, gone := range []string{"cmd/strip", "test/strip", "test/load", "docs/api/catalog.yaml", "docs/api/cart.yaml",
		"docs/api/orders.yaml", "ports/catalog.go", "adapters/postgres/orders.go", "wiring/cart.go", "test/extending"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); err == nil {
			t.Errorf("%s is still there", gone)
		}
	}
	migrations, _ := filepath.Glob(filepath.Join(dir, "adapters/postgres/migrations/*.sql"))
	if len(migrations) != 1 || filepath.Base(migrations[0]) != "001_schema.sql" {
		t.Errorf("migrations after strip: %v, want the one squashed 001_schema.sql", migrations)
	}

	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() && (d.Name() == ".git" || rel == filepath.Join("adapters", "httpapi", "swaggerui", "dist")) {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(path, ".md") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil || bytes.IndexByte(b, 0) >= 0 {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := removed.FindString(line); m != "" {
				t.Errorf("%s:%d still refers to the shop (%s): %s", rel, i+1, m, strings.TrimSpace(line))
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

	// What CI runs, on what remains.
	forktest.Run(t, dir, "make", "check")
	forktest.Run(t, dir, "make", "lint")
	forktest.Run(t, dir, "make", "openapi-lint")
	mod := strings.TrimSpace(forktest.Run(t, dir, "go", "list", "-m"))
	out = forktest.Run(t, dir, "go", "test", "-count=1", "./...")
	for _, pkg := range []string{"test/e2e", "test/contract", "test/cli", "test/archtest", "test/apispec"} {
		if want := "ok  \t" + mod + "/" + pkg; !strings.Contains(out, want) {
			t.Errorf("the stripped copy did not pass %q:\n%s", want, out)
		}
	}
}
