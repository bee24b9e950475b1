package wiring

import (
	"context"

	"github.com/google/wire"

	"github.com/hexashop/hexashop/adapters/httpapi"
	"github.com/hexashop/hexashop/core/usecase"
	"github.com/hexashop/hexashop/ports"
)

// The features the service is made of, each wired in its own file (accounts.go,
// catalog.go, ...). This file is where a feature is switched on: a line in each set, and
// what it hands the shared parts (its routes, what it deletes with an account, its
// housekeeping, its demo data). Lines ending in "// shop" are the shop's; `make strip`
// removes them with the shop's files. The "extend:" comments mark where a new feature's
// lines go (docs/extending.md).

var memoryFeatures = wire.NewSet(
	accountsMemory,
	catalogMemory, // shop
	cartMemory,    // shop
	ordersMemory,  // shop
	// extend:memory-features (a new feature's memory set goes above this line)
)

var postgresFeatures = wire.NewSet(
	accountsPostgres,
	catalogPostgres, // shop
	cartPostgres,    // shop
	ordersPostgres,  // shop
	// extend:postgres-features
)

// provideRoutes lists every feature's routes for the HTTP transport.
func provideRoutes(
	accounts accountsRoutes,
	catalog catalogRoutes, // shop
	cart cartRoutes, // shop
	orders orderRoutes, // shop
	// extend:routes-parameters
) []httpapi.Feature {
	return []httpapi.Feature{
		httpapi.Feature(accounts),
		httpapi.Feature(catalog), // shop
		httpapi.Feature(cart),    // shop
		httpapi.Feature(orders),  // shop
		// extend:routes
	}
}

// provideCleanups lists what the features delete with an account, in that account's
// deleting transaction.
func provideCleanups(
	cart cartCleanup, // shop
) ports.AccountCleanups {
	return ports.AccountCleanups{
		ports.AccountCleanup(cart), // shop
	}
}

// provideSweeps lists the features' own housekeeping steps.
func provideSweeps(
	accounts accountsSweep,
	orders orderSweep, // shop
) usecase.Sweeps {
	return usecase.Sweeps{
		usecase.Sweep(accounts),
		usecase.Sweep(orders), // shop
	}
}

// provideDemo lists what demo mode seeds, in order, once the demo admin exists.
func provideDemo(
	catalog catalogDemo, // shop
) demoSeeds {
	return demoSeeds{
		demoSeed(catalog), // shop
	}
}

// serveTask is work a feature runs beside serve's HTTP listener until ctx ends (no other
// command runs it).
type serveTask func(ctx context.Context)

// serveTasks lists the features' serve tasks; nil ones are skipped.
type serveTasks []serveTask

// provideServeTasks lists what serve runs for the features besides HTTP.
func provideServeTasks(
	catalog catalogListener, // shop
) serveTasks {
	return serveTasks{
		serveTask(catalog), // shop
	}
}

var featureLists = wire.NewSet(provideRoutes, provideCleanups, provideSweeps, provideDemo, provideServeTasks)
