// Package swaggerui embeds Swagger UI: the page, its initializer, and the swagger-ui-dist
// assets vendored in dist/ (Apache-2.0, see dist/LICENSE; refresh with `make swagger-ui`).
package swaggerui

import (
	"bytes"
	"embed"
	"html"
	"io/fs"
)

//go:embed index.html init.js dist
var files embed.FS

// Page is the HTML page served at /docs, with the given page title.
func Page(title string) []byte {
	b, _ := files.ReadFile("index.html") // embedded: cannot fail
	return bytes.Replace(b, []byte("{{title}}"), []byte(html.EscapeString(title)), 1)
}

// Asset returns the asset name served at /docs/{name}, or false.
func Asset(name string) ([]byte, bool) {
	path := "dist/" + name
	if name == "init.js" {
		path = name
	}
	if !fs.ValidPath(path) {
		return nil, false
	}
	b, err := files.ReadFile(path)
	return b, err == nil
}
