package bundle_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hexashop/hexashop/docs/bundle"
)

// TestCommittedDocumentIsTheBundle: docs/openapi.yaml is what docs/api makes, byte for
// byte (make openapi writes it).
func TestCommittedDocumentIsTheBundle(t *testing.T) {
	doc, err := bundle.Dir("../api")
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, have) {
		t.Fatal("docs/openapi.yaml is stale: run 'make openapi' and commit it")
	}
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

const base = `openapi: 3.0.3
info: {title: T, version: "1"}
tags:
  - name: ops
paths:
  /healthz:
    get: {responses: {"200": {description: ok}}}
components:
  schemas:
    Problem: {type: object}
`

func TestFragmentsMergeInto(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, bundle.Base, base)
	write(t, dir, "b.yaml", "tags: [{name: bees}]\npaths:\n  /b:\n    get: {responses: {\"200\": {description: ok}}}\ncomponents:\n  schemas:\n    Bee: {type: object}\n")
	write(t, dir, "a.yaml", "tags: [{name: ants}]\npaths:\n  /a:\n    get: {responses: {\"200\": {description: ok}}}\ncomponents:\n  schemas:\n    Ant: {type: object}\n")
	doc, err := bundle.Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	order := []string{"name: ops", "name: ants", "name: bees", "/a:", "/b:", "/healthz:", "Ant:", "Bee:", "Problem:"}
	last := -1
	for _, w := range order {
		i := strings.Index(s, w)
		if i < 0 || i < last {
			t.Fatalf("%q missing or out of order in\n%s", w, s)
		}
		last = i
	}
}

func TestClashesAreRefused(t *testing.T) {
	for name, frag := range map[string]string{
		"path":      "paths:\n  /healthz:\n    get: {responses: {\"200\": {description: ok}}}\n",
		"tag":       "tags: [{name: ops}]\n",
		"component": "components:\n  schemas:\n    Problem: {type: string}\n",
		"head":      "info: {title: Mine, version: \"2\"}\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, bundle.Base, base)
			write(t, dir, "mine.yaml", frag)
			if _, err := bundle.Dir(dir); err == nil || !strings.Contains(err.Error(), "mine.yaml") {
				t.Fatalf("err = %v, want a clash named after mine.yaml", err)
			}
		})
	}
}
