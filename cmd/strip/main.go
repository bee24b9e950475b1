// Command strip removes the shop (catalog, cart, orders and their mail) from a fork,
// keeping accounts, sessions, throttling, the outbox, observability, the container and
// the chart: `make strip`. It deletes the shop's files (the list below), then the lines
// the shared files mark as the shop's (a line ending in a "shop" comment, or a block
// between "shop:begin" and "shop:end" comments, in any comment syntax), squashes the
// migrations into one (a stripped fork starts its own schema history), and regenerates
// what is generated (wiring/wire_gen.go, docs/openapi.yaml, the migration checksums).
// The tool removes itself and its test with the shop: there is nothing left to strip.
//
// Run it on a clean tree: it changes files in place, and git shows what it did.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// shopFiles are the shop's own files (globs, from the module root).
var shopFiles = []string{
	"core/domain/catalog.go", "core/domain/cart.go", "core/domain/order.go",
	"core/usecase/catalog.go", "core/usecase/carts.go", "core/usecase/orders.go", "core/usecase/mailtext.go",
	"core/usecase/commerce_test.go", "core/usecase/commerce_bench_test.go",
	"ports/catalog.go", "ports/cart.go", "ports/orders.go",
	"adapters/memory/catalog.go", "adapters/memory/carts.go", "adapters/memory/orders.go",
	"adapters/postgres/catalog.go", "adapters/postgres/carts.go", "adapters/postgres/orders.go",
	"adapters/postgres/catalog_test.go", "adapters/postgres/orders_test.go",
	"adapters/httpapi/catalog.go", "adapters/httpapi/cart.go", "adapters/httpapi/orders.go",
	"adapters/catalogcache/*", "adapters/postgres/notify.go", "adapters/postgres/notify_test.go",
	"wiring/catalog.go", "wiring/cart.go", "wiring/orders.go",
	"test/contract/catalog.go", "test/contract/cart.go", "test/contract/orders.go",
	"test/e2e/catalog_test.go", "test/e2e/cart_test.go", "test/e2e/orders_test.go", "test/e2e/shop_*_test.go",
	"test/cli/shop_test.go",
	"test/load/*", "test/load/*/*",
	"docs/api/catalog.yaml", "docs/api/cart.yaml", "docs/api/orders.yaml",
	"test/extending/*", // docs/extending.md stays: its pattern holds, its example needs the catalog
	// The tool and its test: nothing is left to strip.
	"cmd/strip/*", "test/strip/*",
}

var (
	shopLine  = regexp.MustCompile(`(//|#|--)\s*shop\s*(-->)?\s*$`)
	shopBegin = regexp.MustCompile(`(//|#|--|<!--)\s*shop:begin\b`)
	shopEnd   = regexp.MustCompile(`(//|#|--|<!--)\s*shop:end\b`)
)

func main() {
	dir := flag.String("dir", ".", "the module root")
	flag.Parse()
	if err := strip(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "strip:", err)
		os.Exit(1)
	}
}

func strip(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return fmt.Errorf("%s is not the module root: %w", dir, err)
	}
	removed := 0
	for _, g := range shopFiles {
		matches, err := filepath.Glob(filepath.Join(dir, g))
		if err != nil {
			return err
		}
		for _, m := range matches {
			if info, err := os.Stat(m); err == nil && info.Mode().IsRegular() {
				if err := os.Remove(m); err != nil {
					return err
				}
				removed++
			}
		}
	}
	pruneEmptyDirs(filepath.Join(dir, "test", "load"))
	pruneEmptyDirs(filepath.Join(dir, "test", "extending"))
	pruneEmptyDirs(filepath.Join(dir, "cmd", "strip"))
	pruneEmptyDirs(filepath.Join(dir, "test", "strip"))
	edited := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == "dist" {
				return filepath.SkipDir
			}
			return nil
		}
		changed, err := stripMarked(path)
		if changed {
			edited++
		}
		return err
	})
	if err != nil {
		return err
	}
	if err := squashMigrations(filepath.Join(dir, "adapters", "postgres", "migrations")); err != nil {
		return err
	}
	fmt.Printf("strip: removed %d files of the shop, edited %d shared files\n", removed, edited)
	if err := dropUnusedImports(dir); err != nil {
		return err
	}
	for _, c := range [][]string{
		{"gofmt", "-w", "."},
		{"go", "mod", "tidy"},
		{"go", "tool", "wire", "./wiring"},
		{"go", "run", "./cmd/openapi-bundle"},
	} {
		cmd := exec.Command(c[0], c[1:]...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = dir, os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w", strings.Join(c, " "), err)
		}
	}
	return nil
}

func pruneEmptyDirs(root string) {
	var dirs []string
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, path)
		}
		return nil
	})
	slices.Reverse(dirs)
	for _, d := range dirs {
		_ = os.Remove(d) // fails unless empty
	}
}

// stripMarked removes the shop's lines and blocks from a text file.
func stripMarked(path string) (bool, error) {
	b, err := os.ReadFile(path)
	if err != nil || bytes.IndexByte(b, 0) >= 0 || !bytes.Contains(b, []byte("shop")) {
		return false, err
	}
	var out bytes.Buffer
	depth, changed := 0, false
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case shopBegin.MatchString(line):
			depth++
			changed = true
		case shopEnd.MatchString(line):
			if depth == 0 {
				return false, fmt.Errorf("%s:%d: shop:end without shop:begin", path, n)
			}
			depth--
		case depth > 0 || shopLine.MatchString(line):
			changed = true
		default:
			out.WriteString(line)
			out.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	if depth != 0 {
		return false, fmt.Errorf("%s: shop:begin without shop:end", path)
	}
	if !changed {
		return false, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return true, os.WriteFile(path, out.Bytes(), info.Mode().Perm())
}

var unusedImport = regexp.MustCompile(`(?m)^(?:vet: )?(\S+\.go):(\d+):\d+: "[^"]+" imported and not used`)

// dropUnusedImports deletes the imports that only the removed lines used: go vet names
// them (file:line), and each is one line of its import block. A few rounds, since vet
// stops at the first package that does not build.
func dropUnusedImports(dir string) error {
	for range 20 {
		cmd := exec.Command("go", "vet", "./...")
		cmd.Dir = dir
		out, _ := cmd.CombinedOutput()
		found := unusedImport.FindAllStringSubmatch(string(out), -1)
		if len(found) == 0 {
			return nil
		}
		byFile := map[string][]int{}
		for _, m := range found {
			path := m[1]
			if !filepath.IsAbs(path) {
				path = filepath.Join(dir, path)
			}
			line, err := strconv.Atoi(m[2])
			if err != nil {
				return err
			}
			byFile[path] = append(byFile[path], line)
		}
		for path, drop := range byFile {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			lines := strings.SplitAfter(string(b), "\n")
			for _, line := range drop {
				if line < 1 || line > len(lines) {
					return fmt.Errorf("%s:%d: no such line", path, line)
				}
				lines[line-1] = ""
			}
			if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644); err != nil {
				return err
			}
		}
	}
	return errors.New("unused imports remain after 20 rounds")
}

const migrationSplit = "---- create above / drop below ----"

// squashMigrations replaces the migrations with one, 001_schema.sql, holding what is
// left of them (their shop parts are gone): the creates in order, the drops in reverse.
// A stripped fork has no database yet, so it starts its own history here.
func squashMigrations(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("no migrations")
	}
	slices.Sort(files)
	var up, down []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		create, drop, ok := strings.Cut(string(b), migrationSplit)
		if !ok {
			return fmt.Errorf("%s: no %q line", f, migrationSplit)
		}
		name := filepath.Base(f)
		if s := strings.TrimSpace(create); s != "" {
			up = append(up, "-- from "+name+"\n"+s)
		}
		if s := strings.TrimSpace(drop); s != "" {
			down = append([]string{"-- from " + name + "\n" + s}, down...)
		}
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	doc := "-- The schema, squashed by make strip from the template's migrations when the shop was\n" +
		"-- removed: this fork's history starts here. Add changes as new migrations\n" +
		"-- (make migration NAME=...); never edit this one once it is released.\n\n" +
		strings.Join(up, "\n\n") + "\n\n" + migrationSplit + "\n\n" + strings.Join(down, "\n\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "001_schema.sql"), []byte(doc), 0o644); err != nil {
		return err
	}
	h := sha256.Sum256([]byte(doc))
	return os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(hex.EncodeToString(h[:])+"  001_schema.sql\n"), 0o644)
}
