// Package docs embeds the OpenAPI document, so the binary serves exactly the file the
// tests check (GET /openapi.yaml).
package docs

import _ "embed"

// OpenAPI is docs/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
