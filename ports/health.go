package ports

import "context"

// Readiness is the operations port behind GET /readyz: nil when the service can serve
// (its database answers).
type Readiness interface {
	Ready(ctx context.Context) error
}
