// Package clock is the system-time adapter of ports.Clock.
package clock

import "time"

// System reads the wall clock, in UTC and truncated to microseconds: the precision
// Postgres stores, so a value reads back equal from every repository adapter.
type System struct{}

// Now implements ports.Clock.
func (System) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
