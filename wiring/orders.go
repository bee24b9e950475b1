package wiring

import (
	"github.com/google/wire"

	"github.com/hexashop/hexashop/adapters/httpapi"
	"github.com/hexashop/hexashop/adapters/memory"
	"github.com/hexashop/hexashop/adapters/postgres"
	"github.com/hexashop/hexashop/core/usecase"
	"github.com/hexashop/hexashop/ports"
)

// The orders feature: checkout with Idempotency-Key and the confirmation mail.

type orderRoutes httpapi.Feature

func provideOrderRoutes(o ports.Orders) orderRoutes { return orderRoutes(httpapi.OrderRoutes(o)) }

type orderSweep usecase.Sweep

func provideOrderSweep(idem ports.IdempotencyRepository) orderSweep {
	return orderSweep(usecase.IdempotencySweep(idem))
}

func provideMailText(cfg Config) usecase.MailText { return usecase.MailText{Currency: cfg.Currency} }

func provideOrderPolicy(cfg Config) usecase.OrderPolicy {
	return usecase.OrderPolicy{RequireVerifiedEmail: cfg.CheckoutRequiresVerifiedEmail}
}

var ordersSet = wire.NewSet(
	usecase.NewOrders, wire.Bind(new(ports.Orders), new(*usecase.Orders)),
	provideMailText, provideOrderPolicy, provideOrderRoutes, provideOrderSweep,
)

var ordersMemory = wire.NewSet(ordersSet,
	memory.NewOrderRepository, wire.Bind(new(ports.OrderRepository), new(memory.OrderRepository)),
	memory.NewIdempotencyRepository, wire.Bind(new(ports.IdempotencyRepository), new(memory.IdempotencyRepository)),
)

var ordersPostgres = wire.NewSet(ordersSet,
	postgres.NewOrderRepository, wire.Bind(new(ports.OrderRepository), new(postgres.OrderRepository)),
	postgres.NewIdempotencyRepository, wire.Bind(new(ports.IdempotencyRepository), new(postgres.IdempotencyRepository)),
)
