package main

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBenchReduced runs the bench's code path small: three regions over
// 5 ms links, 50 timed bans, a 3 s partition. It checks correctness only
// (every ban enforced by every other region, nothing acknowledged lost,
// the merged views equal after healing within a generous bound); the
// latency figures come from the command.
func TestBenchReduced(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three control planes")
	}
	// a failure prints its seed; BULWARK_REGIONBENCH_SEED replays its schedule
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("BULWARK_REGIONBENCH_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("BULWARK_REGIONBENCH_SEED: %v", err)
		}
		seed = n
	}
	t.Logf("seed %d", seed)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := run(ctx, benchConfig{Regions: 3, Latency: 5 * time.Millisecond, Jitter: time.Millisecond, Decisions: 50,
		Partition: 3 * time.Second, WriteEvery: 30 * time.Millisecond, Timeout: 10 * time.Second, HealTimeout: 30 * time.Second,
		Stall: time.Second, Seed: seed, Progress: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *res)
	if res.Missed != 0 {
		t.Errorf("%d of %d bans not enforced by every other region within 10s", res.Missed, res.Decisions)
	}
	if res.Acked == 0 || res.Kinds["ban"] == 0 || res.Kinds["unban"] == 0 || res.Kinds["allow"] == 0 || res.Kinds["unallow"] == 0 {
		t.Errorf("partition writes: %d acknowledged, by kind %v: want every kind", res.Acked, res.Kinds)
	}
	if res.Failed != 0 {
		t.Errorf("%d writes failed", res.Failed)
	}
	if res.Leaked {
		t.Errorf("the partition of %s did not hold", res.Cut)
	}
	if res.Kicks != 0 {
		t.Errorf("%d leafnode connections bypassed their proxy (natsembed must ignore discovered servers)", res.Kicks)
	}
	if res.HealMS < 0 {
		t.Errorf("merged views not equal within 30s of healing")
	}
	if res.Lost != 0 || res.SDKMismatch != 0 {
		t.Errorf("lost %d acknowledged changes (%d at heal); %d targets enforced wrongly by some SDK instance", res.Lost, res.LostAtHeal, res.SDKMismatch)
	}
	if !res.ok() {
		t.Errorf("run not ok: %+v", *res)
	}
}

// testWriter logs the bench's progress lines.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// TestQuantile checks the nearest-rank quantile.
func TestQuantile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for q, want := range map[float64]time.Duration{0.5: 50 * time.Millisecond, 0.99: 99 * time.Millisecond, 1: 100 * time.Millisecond} {
		if got := quantile(ds, q); got != want {
			t.Errorf("quantile %v = %v, want %v", q, got, want)
		}
	}
	if quantile(nil, 0.5) != 0 {
		t.Error("quantile of nothing")
	}
}
