package httpapi

import (
	"mime"
	"net/http"
	"path"

	"github.com/gin-gonic/gin"

	"github.com/hexashop/hexashop/adapters/httpapi/swaggerui"
	"github.com/hexashop/hexashop/core/domain"
)

func (a *api) openAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml", a.openapi)
}

// docsPolicy is the Content-Security-Policy of Swagger UI: everything from this origin,
// no inline or evaluated script, no inline style elements (Swagger UI styles through the
// DOM, which CSP allows; the browser test fails on any violation); data: images;
// requests (the document, Try it out) only to this origin; never inside a frame.
const docsPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// docsHTML is the Swagger UI page, titled after the product.
var docsHTML = swaggerui.Page(domain.APITitle())

func (a *api) docsPage(c *gin.Context) {
	c.Header("Content-Security-Policy", docsPolicy)
	c.Data(http.StatusOK, "text/html; charset=utf-8", docsHTML)
}

func (a *api) docsAsset(c *gin.Context) {
	name := c.Param("asset")
	b, ok := swaggerui.Asset(name)
	if !ok {
		writeProblem(c, http.StatusNotFound, "not_found", "no such resource")
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.Header("Content-Security-Policy", docsPolicy)
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, ct, b)
}
