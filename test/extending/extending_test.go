// Package extending builds the worked example of docs/extending.md: it applies every
// marked block of the page to a copy of the tree and runs the checks and the example's
// tests at every level, so that the page stays true.
package extending_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hexashop/hexashop/test/forktest"
)

// directive is one marked block: <!-- new: path -->, <!-- append: path --> or
// <!-- after: path | line -->, followed by a fenced code block.
type directive struct {
	op, path, anchor string
	body             []string
	line             int // in the page
}

var marker = regexp.MustCompile(`^<!-- (new|append|after): (.+?) -->$`)

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
		case marker.MatchString(line):
			if pending != nil {
				t.Fatalf("docs/extending.md:%d: a marker without its code block", pending.line)
			}
			m := marker.FindStringSubmatch(line)
			d := directive{op: m[1], path: m[2], line: n}
			if d.op == "after" {
				path, anchor, ok := strings.Cut(m[2], " | ")
				if !ok {
					t.Fatalf("docs/extending.md:%d: want <!-- after: path | line -->", n)
				}
				d.path, d.anchor = path, strings.TrimSpace(anchor)
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
// (a new file that exists, an anchor line that is not there).
func apply(t *testing.T, dir string, d directive) {
	t.Helper()
	path := filepath.Join(dir, d.path)
	body := strings.Join(d.body, "\n") + "\n"
	switch d.op {
	case "new":
		if _, err := os.Stat(path); err == nil {
			t.Fatalf("docs/extending.md:%d: %s exists already (a new migration number is needed?)", d.line, d.path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	case "append", "after":
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("docs/extending.md:%d: %v", d.line, err)
		}
		lines := strings.SplitAfter(string(b), "\n")
		at := len(lines)
		if d.op == "after" {
			at = slices.IndexFunc(lines, func(l string) bool { return strings.TrimSpace(l) == d.anchor })
			if at < 0 {
				t.Fatalf("docs/extending.md:%d: no line %q in %s: the page is out of date", d.line, d.anchor, d.path)
			}
			at++
		}
		out := strings.Join(lines[:at], "") + body + strings.Join(lines[at:], "")
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWorkedExampleBuildsAndPasses(t *testing.T) {
	dir := forktest.Copy(t)
	ds := parse(t, filepath.Join(dir, "docs", "extending.md"))
	var goFiles []string
	for _, d := range ds {
		apply(t, dir, d)
		if strings.HasSuffix(d.path, ".go") && !slices.Contains(goFiles, d.path) {
			goFiles = append(goFiles, d.path)
		}
	}
	// Every layer of the page's table is touched.
	for _, want := range []string{"core/domain/", "ports/", "core/usecase/", "adapters/memory/", "adapters/postgres/migrations/",
		"adapters/postgres/", "test/contract/", "adapters/httpapi/", "wiring/", "docs/openapi.yaml", "test/e2e/"} {
		if !slices.ContainsFunc(ds, func(d directive) bool { return strings.HasPrefix(d.path, want) }) {
			t.Errorf("the worked example touches nothing in %s", want)
		}
	}
	t.Logf("applied %d blocks of docs/extending.md", len(ds))

	// What the developer's editor and `make wire` do, then what CI does.
	forktest.Run(t, dir, "gofmt", append([]string{"-w"}, goFiles...)...)
	forktest.Run(t, dir, "go", "tool", "wire", "./wiring")
	forktest.Run(t, dir, "make", "check")
	forktest.Run(t, dir, "go", "test", "-count=1", "./core/...", "./test/archtest", "./test/apispec")
	out := forktest.Run(t, dir, "go", "test", "-count=1", "-v", "-run", "Test(Memory|Postgres)/Favourites", "./test/contract")
	for _, want := range []string{"--- PASS: TestMemory/Favourites", "--- PASS: TestPostgres/Favourites"} {
		if !strings.Contains(out, want) {
			t.Errorf("the contract suite did not run (%s):\n%s", want, out)
		}
	}
	out = forktest.Run(t, dir, "go", "test", "-count=1", "-v", "-run", "^(TestFavourites|TestNoServerErrorForAnyClientInput)$", "./test/e2e")
	if !strings.Contains(out, "--- PASS: TestFavourites") {
		t.Errorf("the e2e test did not run:\n%s", out)
	}
	out = forktest.Run(t, dir, "go", "test", "-count=1", "-v", "-run", "^TestFavourites", "./core/usecase")
	if got := strings.Count(out, "--- PASS: TestFavourites"); got != 2 {
		t.Errorf("%d use-case tests of the example passed, want 2:\n%s", got, out)
	}
}
