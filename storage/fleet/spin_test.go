//go:build unix

package fleet_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/storage/fleet"
)

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestExporterCloseWhileDownWaits: Close with the control plane
// unreachable waits for its context without a busy loop (it once retried
// the publish as fast as it could, a core and gigabytes of garbage for as
// long as the context allowed), and counts what it could not send.
func TestExporterCloseWhileDownWaits(t *testing.T) {
	nc, err := fleet.Connect("nats://127.0.0.1:1") // nothing listens: every publish fails at once
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	x, err := fleet.NewExporter(fleet.ExporterConfig{Conn: nc, Pseudonyms: names(t), QueueSize: 1000, SampleRate: 1, AckTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i := 0; i < 500; i++ {
		x.Record(verdict(now, "c", "", bulwark.Allowed), "")
	}
	time.Sleep(200 * time.Millisecond) // batched and queued
	cpu := cpuTime(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := x.Close(ctx); err == nil {
		t.Error("Close reported nothing lost")
	}
	wall, used := time.Since(start), cpuTime(t)-cpu
	t.Logf("Close while down: %v, %v of CPU", wall.Round(time.Millisecond), used.Round(time.Millisecond))
	if wall < time.Second {
		t.Errorf("Close returned after %v: it did not wait for its context", wall)
	}
	if used > wall/2 {
		t.Errorf("Close used %v of CPU in %v while the server was unreachable: a busy loop", used, wall)
	}
	if st := x.Stats(); st.Dropped != 500 || st.Queued != 0 {
		t.Errorf("after close %+v", st)
	}
}
