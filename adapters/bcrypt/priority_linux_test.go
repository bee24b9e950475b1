package bcrypt

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func TestWorkersRunAtTheConfiguredNiceness(t *testing.T) {
	shrinkAfter = 10 * time.Millisecond
	defer func() { shrinkAfter = time.Second }()
	procs := runtime.GOMAXPROCS(0)
	h, err := New(Config{Cost: MinCost, Workers: 2, QueueTimeout: time.Second, Nice: 15})
	if err != nil {
		t.Fatal(err)
	}
	if got := runtime.GOMAXPROCS(0); got != procs {
		t.Errorf("GOMAXPROCS = %d with idle workers, want %d", got, procs)
	}
	var prio, during int
	var perr error
	if err := h.run(context.Background(), func() {
		// The raw syscall answers 20 - nice.
		prio, perr = syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
		during = runtime.GOMAXPROCS(0)
	}); err != nil {
		t.Fatal(err)
	}
	if want := procs + min(2, runtime.NumCPU()); during != want {
		t.Errorf("GOMAXPROCS = %d while hashing on 2 niced workers, want %d", during, want)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.GOMAXPROCS(0) != procs && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := runtime.GOMAXPROCS(0); got != procs {
		t.Errorf("GOMAXPROCS = %d after the hashing stopped, want %d back", got, procs)
	}
	if perr != nil || 20-prio != 15 {
		t.Errorf("worker thread nice = %d (%v), want 15", 20-prio, perr)
	}
	h.Close()
	if got := runtime.GOMAXPROCS(0); got != procs {
		t.Errorf("GOMAXPROCS = %d after Close, want %d back", got, procs)
	}
	self, _ := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if 20-self != 0 {
		t.Errorf("a non-worker thread has nice %d", 20-self)
	}
}
