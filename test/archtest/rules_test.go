package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// parseDir parses the non-test Go files of dir.
func parseDir(t *testing.T, dir string) (*token.FileSet, []*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return fset, files
}

func parseSource(t *testing.T, src string) (*token.FileSet, []*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "planted.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	return fset, []*ast.File{f}
}

// taggedFields lists the struct fields with tags: domain types say what the business
// means, and each adapter maps them to its own encoding (JSON in httpapi, rows in
// postgres), so `json:"..."` on a domain type is the transport leaking into core.
func taggedFields(fset *token.FileSet, files []*ast.File) []string {
	var out []string
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if field, ok := n.(*ast.Field); ok && field.Tag != nil {
				out = append(out, fmt.Sprintf("%s: struct tag %s on a domain type; map it in the adapter instead",
					fset.Position(field.Pos()), field.Tag.Value))
			}
			return true
		})
	}
	return out
}

func TestDomainTypesCarryNoEncodingTags(t *testing.T) {
	for _, v := range taggedFields(parseDir(t, "../../core/domain")) {
		t.Error(v)
	}
	if got := taggedFields(parseSource(t, "package domain\ntype Review struct{ Rating int `json:\"rating\"` }\n")); len(got) != 1 {
		t.Errorf("a planted JSON tag gives %v, want one violation", got)
	}
}

// writesBypassingUndo lists writes to the memory store's tables that do not go through
// put and del: a transaction that fails replays put's and del's undo log, so any other
// write would survive the rollback. A table map is what table.of returns; writing it
// means assigning to an index of it (m[k] = v, m[k]++) or delete(m, k). store.go, which
// defines put and del, is the one file allowed to.
func writesBypassingUndo(fset *token.FileSet, files []*ast.File) []string {
	var out []string
	isOf := func(e ast.Expr) bool {
		call, ok := e.(*ast.CallExpr)
		if !ok {
			return false
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		return ok && sel.Sel.Name == "of"
	}
	for _, f := range files {
		if filepath.Base(fset.Position(f.Pos()).Filename) == "store.go" {
			continue
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			tables := map[string]bool{} // local names bound to a table map
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if as, ok := n.(*ast.AssignStmt); ok {
					for i, rhs := range as.Rhs {
						if id, ok := as.Lhs[min(i, len(as.Lhs)-1)].(*ast.Ident); ok && isOf(rhs) {
							tables[id.Name] = true
						}
					}
				}
				return true
			})
			isTable := func(e ast.Expr) bool {
				if id, ok := e.(*ast.Ident); ok {
					return tables[id.Name]
				}
				return isOf(e)
			}
			report := func(n ast.Node, what string) {
				out = append(out, fmt.Sprintf("%s: %s a table of the memory store without put/del, so a rollback would keep it",
					fset.Position(n.Pos()), what))
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.AssignStmt:
					for _, lhs := range n.Lhs {
						if ix, ok := lhs.(*ast.IndexExpr); ok && isTable(ix.X) {
							report(n, "writes")
						}
					}
				case *ast.IncDecStmt:
					if ix, ok := n.X.(*ast.IndexExpr); ok && isTable(ix.X) {
						report(n, "writes")
					}
				case *ast.CallExpr:
					if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "delete" && len(n.Args) > 0 && isTable(n.Args[0]) {
						report(n, "deletes from")
					}
				}
				return true
			})
		}
	}
	return out
}

func TestMemoryWritesGoThroughTheUndoLog(t *testing.T) {
	for _, v := range writesBypassingUndo(parseDir(t, "../../adapters/memory")) {
		t.Error(v)
	}
	planted := `package memory
func (r R) Bad(id int64, row reviewRow) {
	m := reviewRows.of(r.s)
	m[id] = row
	delete(m, id)
	reviewRows.of(r.s)[id] = row
	counts := map[int64]int{} // a local map is not the store
	counts[id]++
	put(r.s, m, id, row)
}`
	if got := writesBypassingUndo(parseSource(t, planted)); len(got) != 3 {
		t.Errorf("planted writes give %d violations, want 3:\n%s", len(got), strings.Join(got, "\n"))
	}
}

// TestEveryDrivenPortMethodIsExercisedByTheContract: every method of every port the
// storage adapters implement (the driven ports memory and postgres both provide) is
// called somewhere in test/contract, so a port grows no method the suites never check
// on both adapters, and a port with no suite at all is caught.
func TestEveryDrivenPortMethodIsExercisedByTheContract(t *testing.T) {
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo,
		Dir: "../..", Tests: false}
	pkgs, err := packages.Load(cfg, module+"/ports", module+"/adapters/memory", module+"/adapters/postgres", module+"/test/contract")
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]*packages.Package{}
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			t.Fatalf("%s: %v", p.PkgPath, p.Errors)
		}
		byPath[p.PkgPath] = p
	}
	portsPkg := byPath[module+"/ports"]
	required := drivenPorts(portsPkg.Types, byPath[module+"/adapters/memory"].Types, byPath[module+"/adapters/postgres"].Types)
	if len(required) < 5 {
		t.Fatalf("found only %d driven ports the storage adapters implement: %v", len(required), required)
	}
	called := calledPortMethods(byPath[module+"/test/contract"], portsPkg.Types)
	for _, m := range missing(required, called) {
		t.Errorf("ports.%s is implemented by the storage adapters but no contract suite calls it (test/contract)", m)
	}
	// The check can fail: a port method nobody calls is reported.
	planted := map[string][]string{"ReviewRepository": {"Create", "ListByProduct"}}
	if got := missing(planted, map[string]bool{"ReviewRepository.Create": true}); !slices.Equal(got, []string{"ReviewRepository.ListByProduct"}) {
		t.Errorf("planted gap gives %v", got)
	}
}

// drivenPorts are the interfaces of ports that a named type of every given adapter
// package implements (as value or pointer), with their methods.
func drivenPorts(ports *types.Package, adapters ...*types.Package) map[string][]string {
	out := map[string][]string{}
	scope := ports.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok {
			continue
		}
		iface, ok := tn.Type().Underlying().(*types.Interface)
		if !ok || iface.NumMethods() == 0 {
			continue
		}
		everywhere := true
		for _, a := range adapters {
			everywhere = everywhere && implementedIn(a, iface)
		}
		if !everywhere {
			continue
		}
		for m := range iface.Methods() {
			out[name] = append(out[name], m.Name())
		}
	}
	return out
}

func implementedIn(pkg *types.Package, iface *types.Interface) bool {
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || types.IsInterface(tn.Type()) {
			continue
		}
		if types.Implements(tn.Type(), iface) || types.Implements(types.NewPointer(tn.Type()), iface) {
			return true
		}
	}
	return false
}

// calledPortMethods are the "Port.Method"s called on a value of a ports interface type.
func calledPortMethods(p *packages.Package, ports *types.Package) map[string]bool {
	out := map[string]bool{}
	for _, sel := range p.TypesInfo.Selections {
		if sel.Kind() != types.MethodVal {
			continue
		}
		named, ok := types.Unalias(sel.Recv()).(*types.Named)
		if !ok || named.Obj().Pkg() != ports || !types.IsInterface(named) {
			continue
		}
		out[named.Obj().Name()+"."+sel.Obj().Name()] = true
	}
	return out
}

func missing(required map[string][]string, called map[string]bool) []string {
	var out []string
	for port, methods := range required {
		for _, m := range methods {
			if !called[port+"."+m] {
				out = append(out, port+"."+m)
			}
		}
	}
	slices.Sort(out)
	return out
}
