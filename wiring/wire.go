//go:build wireinject

package wiring

import (
	"context"
	"log/slog"

	"github.com/google/wire"
)

// newMemoryApp assembles the demo-mode application on the in-memory store.
func newMemoryApp(ctx context.Context, cfg Config, log *slog.Logger) (*App, func(), error) {
	wire.Build(coreSet, memorySet, memoryFeatures, featureLists)
	return nil, nil, nil
}

// newPostgresApp assembles the application on PostgreSQL.
func newPostgresApp(ctx context.Context, cfg Config, log *slog.Logger) (*App, func(), error) {
	wire.Build(coreSet, postgresSet, postgresFeatures, featureLists)
	return nil, nil, nil
}
