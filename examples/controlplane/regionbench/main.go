// Command regionbench measures, on one machine, how decisions cross
// regions (issue 17's bench): it starts N regions in one process, each an
// embedded control plane (its NATS its own JetStream domain, the first
// region the leafnode hub) with one SDK instance (a Guard whose
// fleet.Watcher follows the region's aggregate), and runs every leafnode
// link through an in-process toxiproxy proxy that adds latency and jitter
// each way. Each control plane also watches every other region's bucket
// over a direct link of its own (server.Config.RegionPeers), each through
// a proxy with the same toxics, so that a decision reaches every region
// in one link, not two through the hub (-direct=false: leafnodes only).
//
// It then
//
//   - issues -decisions bans, one at a time, each through a random region's
//     API and for a fresh client, and times each from the API call until the
//     SDK instances of every other region enforce it (p50, p99, max);
//   - cuts one spoke region off (every proxy of its links disabled) for -partition while
//     every region keeps writing bans, unbans and allow-list changes on a
//     random schedule through its own API, heals the link, and measures how
//     long the regions' merged views (each region's aggregate, merged on
//     read as SDK instances do) take to be equal (heal_ms), and how many
//     acknowledged changes the final views miss (lost).
//
// Usage:
//
//	go run ./examples/controlplane/regionbench -regions 3 -latency 20ms -decisions 1000 -partition 30s -json
//
// With -json it prints one JSON object on stdout
// ({"p50_ms","p99_ms","max_ms","acked","lost","heal_ms",...}), else a
// summary; progress goes to stderr. It exits 1 when a decision was not
// enforced everywhere, a change was lost, or the views did not converge.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"
)

func main() {
	cfg := benchConfig{}
	flag.IntVar(&cfg.Regions, "regions", 3, "regions to run, 2 to 5 (the first is the leafnode hub)")
	flag.DurationVar(&cfg.Latency, "latency", 20*time.Millisecond, "latency added each way on every leafnode link")
	flag.DurationVar(&cfg.Jitter, "jitter", 5*time.Millisecond, "jitter (±) added to the latency")
	flag.IntVar(&cfg.Decisions, "decisions", 1000, "bans whose convergence is timed")
	flag.DurationVar(&cfg.Partition, "partition", 30*time.Second, "how long one spoke region is cut off (0: no partition phase)")
	flag.DurationVar(&cfg.WriteEvery, "write-every", 50*time.Millisecond, "mean pause between one region's writes during the partition")
	flag.DurationVar(&cfg.Timeout, "timeout", 5*time.Second, "how long a ban may take to be enforced everywhere before it counts as missed")
	flag.DurationVar(&cfg.HealTimeout, "heal-timeout", time.Minute, "how long to wait for the views to be equal after healing")
	flag.DurationVar(&cfg.Stall, "stall", 0, "the control planes' RegionStall (0: the server's default)")
	direct := flag.Bool("direct", true, "link the control planes directly too (the fast path); false: leafnodes only")
	seed := flag.Uint64("seed", 0, "random seed (0: from the clock)")
	asJSON := flag.Bool("json", false, "print one JSON object")
	verbose := flag.Bool("v", false, "log the control planes at Info on stderr")
	flag.Parse()
	cfg.Seed, cfg.NoDirect = *seed, !*direct
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano())
	}
	cfg.Progress = os.Stderr
	if *verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "regionbench:", err)
		os.Exit(2)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		if err := enc.Encode(res); err != nil {
			fmt.Fprintln(os.Stderr, "regionbench:", err)
			os.Exit(2)
		}
	} else {
		summary(os.Stdout, res)
	}
	if !res.ok() {
		os.Exit(1)
	}
}

// summary prints r for people.
func summary(w io.Writer, r *result) {
	links := "leafnodes and direct links"
	if !r.Direct {
		links = "leafnodes only"
	}
	fmt.Fprintf(w, "regions %d (hub %s; %s), links %.0f ms ± %.0f ms each way, seed %d\n", r.Regions, r.Hub, links, r.LatencyMS, r.JitterMS, r.Seed)
	fmt.Fprintf(w, "convergence: %d bans, each until enforced by every other region's SDK instance\n", r.Decisions)
	fmt.Fprintf(w, "  p50 %.1f ms  p99 %.1f ms  max %.1f ms  (%d over 100 ms, %d missed within the timeout)\n",
		r.P50, r.P99, r.Max, r.Over100, r.Missed)
	fmt.Fprintf(w, "  per region pair: p50 %.1f ms  p99 %.1f ms; API call p50 %.1f ms  p99 %.1f ms\n", r.PairP50, r.PairP99, r.APIP50, r.APIP99)
	for _, o := range regionNames[:r.Regions] {
		if s, ok := r.ByOrigin[o]; ok {
			fmt.Fprintf(w, "  bans from %s (%d): p50 %.1f ms  p99 %.1f ms  max %.1f ms\n", o, s.N, s.P50, s.P99, s.Max)
		}
	}
	if r.PartitionMS > 0 {
		fmt.Fprintf(w, "partition: %s cut off for %.1f s; %d changes acknowledged (%d failed calls; %s)\n",
			r.Cut, r.PartitionMS/1000, r.Acked, r.Failed, kinds(r.Kinds))
		if r.HealMS >= 0 {
			fmt.Fprintf(w, "  merged views equal %.0f ms after healing; lost %d (at heal %d); SDK instances disagreeing %d\n",
				r.HealMS, r.Lost, r.LostAtHeal, r.SDKMismatch)
		} else {
			fmt.Fprintf(w, "  merged views NOT equal within the heal timeout; lost %d; SDK instances disagreeing %d\n", r.Lost, r.SDKMismatch)
		}
	}
	fmt.Fprintf(w, "machine load (1 min) %.1f at the start, %.1f at the end\n", r.Load[0], r.Load[1])
	verdict := "ok"
	if !r.ok() {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "correctness: %s\n", verdict)
}

func kinds(m map[string]int) string {
	return fmt.Sprintf("%d bans, %d unbans, %d allow-list adds, %d removes", m["ban"], m["unban"], m["allow"], m["unallow"])
}
