package server

import (
	"testing"
	"time"
)

// TestResyncDue: a stalled source is restarted one threshold after the
// last restart at first, then at twice the interval after each restart
// that did not help, up to sixteen thresholds; one that was healthy in
// between (tries back to 0) starts over.
func TestResyncDue(t *testing.T) {
	stall := time.Second
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	if !resyncDue(t0, time.Time{}, 0, stall) {
		t.Error("a source never restarted is not due")
	}
	for _, c := range []struct {
		tries int
		wait  time.Duration // the interval it needs
	}{{0, stall}, {1, stall}, {2, 2 * stall}, {3, 4 * stall}, {4, 8 * stall}, {5, 16 * stall}, {9, 16 * stall}} {
		if resyncDue(t0.Add(c.wait-10*time.Millisecond), t0, c.tries, stall) {
			t.Errorf("%d restarts: due %v after the last, want after %v", c.tries, c.wait-10*time.Millisecond, c.wait)
		}
		if !resyncDue(t0.Add(c.wait+10*time.Millisecond), t0, c.tries, stall) {
			t.Errorf("%d restarts: not due %v after the last", c.tries, c.wait+10*time.Millisecond)
		}
	}
}
