// Package cputime reads the CPU time of the calling thread, for timing
// tests that must not be slowed by other processes' turns on a loaded
// machine, as tests that read the wall clock are.
package cputime

import (
	"syscall"
	"time"
	"unsafe"
)

// Thread returns the CPU time the calling OS thread has used (the caller
// locks its goroutine to the thread), from CLOCK_THREAD_CPUTIME_ID (the
// scheduler's own accounting, in nanoseconds).
func Thread() time.Duration {
	const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		panic(e)
	}
	return time.Duration(ts.Nano())
}
