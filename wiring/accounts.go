package wiring

import (
	"github.com/google/wire"

	"github.com/hexashop/hexashop/adapters/httpapi"
	"github.com/hexashop/hexashop/adapters/memory"
	"github.com/hexashop/hexashop/adapters/postgres"
	"github.com/hexashop/hexashop/core/usecase"
	"github.com/hexashop/hexashop/ports"
)

// The accounts feature: users and their sessions. Login, tokens and throttling, which
// every feature stands on, are in coreSet.

type accountsRoutes httpapi.Feature

func provideAccountsRoutes(users ports.Users, sessions ports.Sessions, recovery ports.Recovery) accountsRoutes {
	return accountsRoutes(httpapi.AccountRoutes(users, sessions, recovery))
}

// accountsSweep deletes expired mailed tokens.
type accountsSweep usecase.Sweep

func provideAccountsSweep(r *usecase.Recovery) accountsSweep { return accountsSweep(r.TokenSweep()) }

func provideRecoveryConfig(cfg Config) usecase.RecoveryConfig { return cfg.Recovery }

var accountsSet = wire.NewSet(
	usecase.NewUsers, wire.Bind(new(ports.Users), new(*usecase.Users)),
	usecase.NewSessions, wire.Bind(new(ports.Sessions), new(*usecase.Sessions)),
	usecase.NewRecovery, wire.Bind(new(ports.Recovery), new(*usecase.Recovery)), provideRecoveryConfig,
	provideAccountsRoutes, provideAccountsSweep,
)

var accountsMemory = wire.NewSet(accountsSet,
	memory.NewUserRepository, wire.Bind(new(ports.UserRepository), new(memory.UserRepository)),
	memory.NewSessionRepository, wire.Bind(new(ports.SessionRepository), new(memory.SessionRepository)),
	memory.NewAccountTokenRepository, wire.Bind(new(ports.AccountTokenRepository), new(memory.AccountTokenRepository)),
)

var accountsPostgres = wire.NewSet(accountsSet,
	postgres.NewUserRepository, wire.Bind(new(ports.UserRepository), new(postgres.UserRepository)),
	postgres.NewSessionRepository, wire.Bind(new(ports.SessionRepository), new(postgres.SessionRepository)),
	postgres.NewAccountTokenRepository, wire.Bind(new(ports.AccountTokenRepository), new(postgres.AccountTokenRepository)),
)
