//go:build template

// Package extending builds the worked example of docs/extending.md: it applies every
// marked block of the page to a copy of the tree and runs the checks and the example's
// tests at every level, so that the page stays true. It is the template's self-test
// (build tag template, make test-template): a fork's own edits would break it.
package extending_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hexashop/hexashop/test/forktest"
)

// directive is one marked block: <!-- new: path -->, <!-- at: path | marker --> (insert
// before the line holding the marker comment) or <!-- migration: name --> (a new
// migration with the next free number), followed by a fenced code block.
type directive struct {
	op, path, marker string
	body             []string
	line             int // in the page
}

var directiveLine = regexp.MustCompile(`^<!-- (new|at|migration): (.+?) -->$`)

func parse(t *testing.T, page string) []directive {
	t.Helper()
	f, err := os.Open(page)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		out     []directive
		pending *directive
		inBlock bool
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case inBlock && strings.HasPrefix(line, "```"):
			inBlock = false
			if pending != nil {
				out = append(out, *pending)
				pending = nil
			}
		case inBlock:
			if pending != nil {
				pending.body = append(pending.body, line)
			}
		case strings.HasPrefix(line, "```"):
			inBlock = true
		case directiveLine.MatchString(line):
			if pending != nil {
				t.Fatalf("docs/extending.md:%d: a marker without its code block", pending.line)
			}
			m := directiveLine.FindStringSubmatch(line)
			d := directive{op: m[1], path: m[2], line: n}
			if d.op == "at" {
				path, marker, ok := strings.Cut(m[2], " | ")
				if !ok {
					t.Fatalf("docs/extending.md:%d: want <!-- at: path | marker -->", n)
				}
				d.path, d.marker = path, strings.TrimSpace(marker)
			}
			pending = &d
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if pending != nil {
		t.Fatalf("docs/extending.md:%d: a marker without its code block", pending.line)
	}
	return out
}

// apply changes the tree at dir as d says; it fails when the page and the code disagree
// (a new file that exists, a marker that is not there).
func apply(t *testing.T, dir string, d directive) string {
	t.Helper()
	body := strings.Join(d.body, "\n") + "\n"
	switch d.op {
	case "migration":
		names, _ := filepath.Glob(filepath.Join(dir, "adapters/postgres/migrations/*.sql"))
		last := 0
		for _, n := range names {
			var num int
			if _, err := fmt.Sscanf(filepath.Base(n), "%d_", &num); err == nil {
				last = max(last, num)
			}
		}
		d.path = fmt.Sprintf("adapters/postgres/migrations/%03d_%s.sql", last+1, d.path)
		fallthrough
	case "new":
		path := filepath.Join(dir, d.path)
		if _, err := os.Stat(path); err == nil {
			t.Fatalf("docs/extending.md:%d: %s exists already", d.line, d.path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	case "at":
		path := filepath.Join(dir, d.path)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("docs/extending.md:%d: %v", d.line, err)
		}
		lines := strings.SplitAfter(string(b), "\n")
		at := slices.IndexFunc(lines, func(l string) bool {
			c, ok := strings.CutPrefix(strings.TrimSpace(l), "//")
			words := strings.Fields(c)
			return ok && len(words) > 0 && words[0] == d.marker
		})
		if at < 0 {
			t.Fatalf("docs/extending.md:%d: no marker comment %q in %s", d.line, d.marker, d.path)
		}
		out := strings.Join(lines[:at], "") + body + strings.Join(lines[at:], "")
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return d.path
}

func TestWorkedExampleBuildsAndPasses(t *testing.T) {
	dir := forktest.Copy(t)
	ds := parse(t, filepath.Join(dir, "docs", "extending.md"))
	var goFiles, touched []string
	for _, d := range ds {
		path := apply(t, dir, d)
		if strings.HasSuffix(path, ".go") && !slices.Contains(goFiles, path) {
			goFiles = append(goFiles, path)
		}
		if d.op == "at" && !slices.Contains(touched, path) {
			touched = append(touched, path)
		}
	}
	// Every layer is touched, each in the feature's own files.
	for _, want := range []string{"core/domain/", "ports/", "core/usecase/", "adapters/memory/", "adapters/postgres/migrations/",
		"adapters/postgres/", "test/contract/", "adapters/httpapi/", "wiring/", "docs/api/", "test/e2e/"} {
		if !slices.ContainsFunc(ds, func(d directive) bool {
			return strings.HasPrefix(d.path, want) || d.op == "migration" && want == "adapters/postgres/migrations/"
		}) {
			t.Errorf("the worked example touches nothing in %s", want)
		}
	}
	t.Logf("applied %d blocks of docs/extending.md; existing files edited: %v", len(ds), touched)

	// What the developer's editor and the generators do, then what CI does.
	forktest.Run(t, dir, "gofmt", append([]string{"-w"}, goFiles...)...)
	forktest.Run(t, dir, "make", "wire", "openapi", "migrations-sum")
	// The page's promise: the feature edits only the existing files its table names.
	changed := strings.Fields(forktest.Run(t, dir, "git", "diff", "--name-only"))
	generated := []string{"wiring/wire_gen.go", "docs/openapi.yaml", "adapters/postgres/migrations/SHA256SUMS"}
	for _, f := range changed {
		if !slices.Contains(generated, f) && !slices.Contains(touched, f) {
			t.Errorf("%s changed though the page does not say so", f)
		}
	}
	if len(touched) > 5 {
		t.Errorf("the feature edits %d existing files (%v); the promise is at most 5", len(touched), touched)
	}
	forktest.Run(t, dir, "make", "check")
	forktest.Run(t, dir, "go", "test", "-count=1", "./core/...", "./test/archtest", "./test/apispec", "./docs/...",
		"./adapters/postgres")
	out := forktest.Run(t, dir, "go", "test", "-count=1", "-v", "-run", "Test(Memory|Postgres|PostgresThroughPgBouncer)/(FavouriteRepository|Paging)$", "./test/contract")
	for _, want := range []string{"--- PASS: TestMemory/FavouriteRepository", "--- PASS: TestPostgres/FavouriteRepository",
		"--- PASS: TestMemory/Paging/favourites_of_a_user", "--- PASS: TestPostgres/Paging/favourites_of_a_user"} {
		if !strings.Contains(out, want) {
			t.Errorf("the contract suite did not run (%s):\n%s", want, out)
		}
	}
	out = forktest.Run(t, dir, "go", "test", "-count=1", "-v", "-run", "^(TestFavourites|TestNoServerErrorForAnyClientInput)$", "./test/e2e")
	if !strings.Contains(out, "--- PASS: TestFavourites") {
		t.Errorf("the e2e test did not run:\n%s", out)
	}
	out = forktest.Run(t, dir, "go", "test", "-count=1", "-v", "-run", "^TestFavourites", "./core/usecase")
	if !strings.Contains(out, "--- PASS: TestFavourites") {
		t.Errorf("the use-case test of the example did not pass:\n%s", out)
	}
}
