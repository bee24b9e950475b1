// Package ports declares the interfaces between the core and the outside world.
//
// Driving ports (use cases) are what transports such as the HTTP adapter call; driven
// ports (repositories, hasher, tokens, clock, transactions, mail) are what the core calls
// and adapters implement. Ports import only the standard library and core/domain.
package ports
