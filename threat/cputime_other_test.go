//go:build !linux

package threat_test

import "time"

var cpuStart = time.Now()

// threadCPU is the time since the tests started where no thread CPU
// clock is read (the tests run on Linux).
func threadCPU() time.Duration { return time.Since(cpuStart) }
