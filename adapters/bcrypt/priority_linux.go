package bcrypt

import "syscall"

// lowerThreadPriority sets the niceness of the calling OS thread (Linux threads have
// their own). Raising niceness needs no privilege.
func lowerThreadPriority(nice int) error {
	return syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), nice)
}

// lowersPriority tells whether lowerThreadPriority does anything here.
const lowersPriority = true
