package domain

import "strings"

// The product's name, written once: everything that shows or embeds it (the JWT issuer
// and audience, the WWW-Authenticate realm, problem type URNs, metric names, the trace
// service name, mail text, the API and Swagger UI titles) derives from these two constants.
// `make rename` rewrites them when a team forks the template.
const (
	// ServiceName is the machine name: lower-case ASCII letters, digits and '-'.
	ServiceName = "hexashop"
	// DisplayName is the name people read.
	DisplayName = "Hexashop"
)

// APITitle is the title of the HTTP API: "<DisplayName> API", without doubling a name that
// already ends in "API".
func APITitle() string {
	if strings.HasSuffix(DisplayName, " API") || DisplayName == "API" {
		return DisplayName
	}
	return DisplayName + " API"
}

// Identifier is ServiceName as an identifier for SQL, Prometheus and the like: '-' becomes
// '_'.
func Identifier() string { return strings.ReplaceAll(ServiceName, "-", "_") }
