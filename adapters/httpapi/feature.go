package httpapi

import "github.com/gin-gonic/gin"

// A Feature is one feature's routes. Each feature's handler file builds its Feature from
// the feature's use-case port (CatalogRoutes, CartRoutes, ...) and mounts its own routes;
// wiring hands New the list. Adding a feature adds a file here and a line in wiring,
// and never edits router.go.
type Feature struct {
	name  string
	mount func(base *api, r routes)
}

// routes are where a feature mounts its handlers: public answers anyone; signedIn runs
// only with a valid bearer token (currentUser tells whose).
type routes struct {
	public, signedIn gin.IRoutes
}
