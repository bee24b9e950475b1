// Command rename makes a copy of this template your own project: it rewrites the module
// path, every import, the cmd/ directory and binary name, and every spelling of the
// product name, in every file git knows (tracked or untracked, not ignored).
//
//	go run ./cmd/rename -module github.com/acme/orders-api [-name orders-api] [-title "Orders API"]
//
// or `make rename MODULE=... [NAME=...] [TITLE=...]`. The current names are read from the
// repository itself (go.mod and core/domain/name.go), so the command works on a fork that
// was renamed before. It never touches .git, binary files, the vendored Swagger UI or
// licence and changelog files. Check the result with `git diff`, `make check` and
// `make test`.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

func main() {
	module := flag.String("module", "", "new module path, e.g. github.com/acme/orders-api (required)")
	name := flag.String("name", "", "new machine name: lower-case letters, digits and '-' (default: the module path's last element)")
	title := flag.String("title", "", `name people read (default: from -name, e.g. "Orders API")`)
	dir := flag.String("dir", ".", "root of the copy to rename")
	flag.Parse()
	if err := run(*dir, *module, *name, *title); err != nil {
		fmt.Fprintln(os.Stderr, "rename:", err)
		os.Exit(1)
	}
}

// names is one spelling set of the product.
type names struct {
	module  string // github.com/acme/orders-api
	service string // orders-api
	display string // Orders API
}

// ident is the service name where '-' cannot stand: SQL, metric names, identifiers.
func (n names) ident() string { return strings.ReplaceAll(n.service, "-", "_") }

// apiTitle is "<display> API" without doubling "API"; core/domain.APITitle does the same.
func (n names) apiTitle() string {
	if strings.HasSuffix(n.display, " API") || n.display == "API" {
		return n.display
	}
	return n.display + " API"
}

var (
	serviceRE = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	moduleRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~-]*(/[A-Za-z0-9._~-]+)*$`)
	// the two constants of core/domain/name.go
	serviceConstRE = regexp.MustCompile(`ServiceName\s*=\s*"([^"]+)"`)
	displayConstRE = regexp.MustCompile(`DisplayName\s*=\s*"([^"]+)"`)
)

func run(dir, module, service, display string) error {
	if module == "" {
		return errors.New("-module is required, e.g. -module github.com/acme/orders-api")
	}
	if !moduleRE.MatchString(module) {
		return fmt.Errorf("-module %q is not a module path", module)
	}
	if service == "" {
		service = strings.ToLower(module[strings.LastIndexByte(module, '/')+1:])
	}
	if !serviceRE.MatchString(service) {
		return fmt.Errorf("-name %q: use lower-case letters, digits and single '-' between them, starting with a letter", service)
	}
	if display == "" {
		display = displayName(service)
	}
	if strings.ContainsAny(display, "\"\\\n`") {
		return fmt.Errorf("-title %q: no quotes, backslashes or newlines", display)
	}
	old, err := current(dir)
	if err != nil {
		return err
	}
	to := names{module: module, service: service, display: display}
	if old == to {
		return errors.New("nothing to do: the project already has these names")
	}

	files, err := listFiles(dir)
	if err != nil {
		return err
	}
	var changed, goFiles []string
	for _, f := range files {
		if skip(f) {
			continue
		}
		path := filepath.Join(dir, f)
		b, err := os.ReadFile(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) { // deleted but still in the index
				continue
			}
			return err
		}
		if bytes.IndexByte(b, 0) >= 0 { // binary
			continue
		}
		nb := rewrite(b, old, to)
		if !bytes.Equal(b, nb) {
			info, err := os.Stat(path)
			if err != nil {
				return err
			}
			if err := os.WriteFile(path, nb, info.Mode().Perm()); err != nil {
				return err
			}
			changed = append(changed, f)
			if nf := renamePath(f, old, to); strings.HasSuffix(nf, ".go") {
				goFiles = append(goFiles, nf)
			}
		}
	}
	moved, err := movePaths(dir, files, old, to)
	if err != nil {
		return err
	}
	if len(goFiles) > 0 { // a longer or shorter name can move comment alignment
		cmd := exec.Command("gofmt", append([]string{"-w"}, goFiles...)...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = dir, os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("gofmt: %w", err)
		}
	}
	// The OpenAPI bundle is generated from docs/api: make it again from the renamed
	// fragments rather than trust two renamed copies to stay byte for byte the same.
	if _, err := os.Stat(filepath.Join(dir, "cmd", "openapi-bundle")); err == nil {
		cmd := exec.Command("go", "run", "./cmd/openapi-bundle")
		cmd.Dir, cmd.Stdout, cmd.Stderr = dir, os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("openapi-bundle: %w", err)
		}
	}
	fmt.Printf("renamed %s (%s, %q) to %s (%s, %q): %d files rewritten, %d moved\n",
		old.module, old.service, old.display, to.module, to.service, to.display, len(changed), moved)
	fmt.Println("next: git add -A && make check && make test, then commit")
	return nil
}

// displayName makes "Orders API" of "orders-api".
func displayName(service string) string {
	acronyms := map[string]bool{"api": true, "http": true, "ui": true, "id": true, "io": true, "db": true, "sql": true, "crm": true, "erp": true}
	words := strings.Split(service, "-")
	for i, w := range words {
		if acronyms[w] {
			words[i] = strings.ToUpper(w)
		} else {
			r := []rune(w)
			r[0] = unicode.ToUpper(r[0])
			words[i] = string(r)
		}
	}
	return strings.Join(words, " ")
}

// current reads the names the project has now.
func current(dir string) (names, error) {
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return names{}, err
	}
	var n names
	for _, l := range strings.Split(string(mod), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "module "); ok {
			n.module = strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	src, err := os.ReadFile(filepath.Join(dir, "core", "domain", "name.go"))
	if err != nil {
		return names{}, fmt.Errorf("the product name's one place in code: %w", err)
	}
	s, d := serviceConstRE.FindSubmatch(src), displayConstRE.FindSubmatch(src)
	if n.module == "" || s == nil || d == nil {
		return names{}, errors.New("cannot read the module path (go.mod) or ServiceName and DisplayName (core/domain/name.go)")
	}
	n.service, n.display = string(s[1]), string(d[1])
	return n, nil
}

// listFiles is what git knows of, relative to dir; without git, every file but .git.
func listFiles(dir string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = dir
	if out, err := cmd.Output(); err == nil {
		var files []string
		for _, f := range strings.Split(string(out), "\x00") {
			if f != "" && !slices.Contains(files, f) {
				files = append(files, f)
			}
		}
		return files, nil
	}
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return files, err
}

// skip keeps vendored and legal files as they are.
func skip(f string) bool {
	base := strings.ToUpper(filepath.Base(f))
	return strings.HasPrefix(f, "adapters/httpapi/swaggerui/dist/") ||
		strings.HasPrefix(base, "LICENSE") || strings.HasPrefix(base, "NOTICE") || strings.HasPrefix(base, "CHANGELOG")
}

// rewrite replaces, in one left-to-right pass (so a new name that contains the old one is
// never replaced twice): the module path; "<Display> API"; the display name; the
// upper-case, snake-case and plain service name.
func rewrite(b []byte, from, to names) []byte {
	type rule struct{ old, new string }
	rules := []rule{
		{from.module, to.module},
		{from.apiTitle(), to.apiTitle()},
		{from.display, to.display},
		{strings.ToUpper(from.ident()), strings.ToUpper(to.ident())},
	}
	if from.ident() != from.service {
		rules = append(rules, rule{from.ident(), to.ident()})
	}
	var out bytes.Buffer
	s := string(b)
	for i := 0; i < len(s); {
		matched := false
		for _, r := range rules {
			if r.old != "" && strings.HasPrefix(s[i:], r.old) {
				out.WriteString(r.new)
				i += len(r.old)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if strings.HasPrefix(s[i:], from.service) {
			// next to '_' the name is part of an identifier (hexashop_t_..., metric
			// names), where '-' cannot stand
			end := i + len(from.service)
			if (i > 0 && s[i-1] == '_') || (end < len(s) && s[end] == '_') {
				out.WriteString(to.ident())
			} else {
				out.WriteString(to.service)
			}
			i = end
			continue
		}
		out.WriteByte(s[i])
		i++
	}
	return out.Bytes()
}

// renamePath renames the path elements that are the service name (cmd/hexashop).
func renamePath(f string, from, to names) string {
	parts := strings.Split(f, "/")
	for i, p := range parts {
		if p == from.service {
			parts[i] = to.service
		}
	}
	return strings.Join(parts, "/")
}

// movePaths moves files whose path names the service, with git mv where there is git.
func movePaths(dir string, files []string, from, to names) (int, error) {
	moved := 0
	for _, f := range files {
		nf := renamePath(f, from, to)
		if nf == f {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			continue
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(nf)), 0o755); err != nil {
			return moved, err
		}
		cmd := exec.Command("git", "mv", f, nf)
		cmd.Dir = dir
		if cmd.Run() != nil { // untracked, or no git
			if err := os.Rename(filepath.Join(dir, f), filepath.Join(dir, nf)); err != nil {
				return moved, err
			}
		}
		moved++
		old := filepath.Join(dir, filepath.Dir(f))
		_ = os.Remove(old) // gone if now empty
	}
	return moved, nil
}
