package threat_test

import (
	"syscall"
	"time"
	"unsafe"
)

// threadCPU returns the CPU time the calling OS thread has used (the
// caller locks its goroutine to the thread), from CLOCK_THREAD_CPUTIME_ID
// (the scheduler's own accounting, in nanoseconds): a timing test that
// reads it is not slowed by other processes' turns on a loaded machine,
// as one that reads the wall clock is.
func threadCPU() time.Duration {
	const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		panic(e)
	}
	return time.Duration(ts.Nano())
}
