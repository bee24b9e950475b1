package httpapi

import (
	"mime"
	"net/http"
	"path"

	"github.com/gin-gonic/gin"

	"github.com/hexashop/hexashop/adapters/httpapi/swaggerui"
)

func (a *api) openAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml", a.openapi)
}

func (a *api) docsPage(c *gin.Context) {
	c.Data(http.StatusOK, "text/html; charset=utf-8", swaggerui.Page())
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
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, ct, b)
}
