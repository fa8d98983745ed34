//go:build !linux

// Package cputime reads the CPU time of the calling thread, for timing
// tests that must not be slowed by other processes' turns on a loaded
// machine, as tests that read the wall clock are.
package cputime

import "time"

var start = time.Now()

// Thread is the time since the process started where no thread CPU clock
// is read (the tests run on Linux).
func Thread() time.Duration { return time.Since(start) }
