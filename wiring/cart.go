package wiring

import (
	"github.com/google/wire"

	"github.com/hexashop/hexashop/adapters/httpapi"
	"github.com/hexashop/hexashop/adapters/memory"
	"github.com/hexashop/hexashop/adapters/postgres"
	"github.com/hexashop/hexashop/core/usecase"
	"github.com/hexashop/hexashop/ports"
)

// The cart feature: one cart per account, deleted with the account.

type cartRoutes httpapi.Feature

func provideCartRoutes(c ports.Carts) cartRoutes { return cartRoutes(httpapi.CartRoutes(c)) }

type cartCleanup ports.AccountCleanup

func provideCartCleanup(r ports.CartRepository) cartCleanup { return cartCleanup(r.Clear) }

var cartSet = wire.NewSet(
	usecase.NewCarts, wire.Bind(new(ports.Carts), new(*usecase.Carts)),
	provideCartRoutes, provideCartCleanup,
)

var cartMemory = wire.NewSet(cartSet,
	memory.NewCartRepository, wire.Bind(new(ports.CartRepository), new(memory.CartRepository)),
)

var cartPostgres = wire.NewSet(cartSet,
	postgres.NewCartRepository, wire.Bind(new(ports.CartRepository), new(postgres.CartRepository)),
)
