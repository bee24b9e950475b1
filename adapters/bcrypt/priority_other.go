//go:build !linux

package bcrypt

// lowerThreadPriority is a no-op where threads have no niceness of their own: hashing
// then runs at normal priority, still bounded by the worker count.
func lowerThreadPriority(int) error { return nil }

// lowersPriority tells whether lowerThreadPriority does anything here.
const lowersPriority = false
