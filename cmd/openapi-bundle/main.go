// Command openapi-bundle writes docs/openapi.yaml from docs/api/*.yaml (make openapi), or
// with -check fails when the committed file is not what the fragments make (make check).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/hexashop/hexashop/docs/bundle"
)

func main() {
	dir := flag.String("dir", "docs/api", "the fragments")
	out := flag.String("out", "docs/openapi.yaml", "the bundled document")
	check := flag.Bool("check", false, "do not write; fail when -out differs from the bundle")
	flag.Parse()
	doc, err := bundle.Dir(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapi-bundle:", err)
		os.Exit(1)
	}
	if *check {
		have, err := os.ReadFile(*out)
		if err != nil || !bytes.Equal(have, doc) {
			fmt.Fprintf(os.Stderr, "%s is stale: run 'make openapi' and commit it\n", *out)
			os.Exit(1)
		}
		fmt.Printf("%s is up to date\n", *out)
		return
	}
	if err := os.WriteFile(*out, doc, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "openapi-bundle:", err)
		os.Exit(1)
	}
}
