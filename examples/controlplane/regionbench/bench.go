package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Shopify/toxiproxy/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/decision"
	"github.com/bulwarkhq/bulwark/internal/replicate"
	"github.com/bulwarkhq/bulwark/ratelimit"
	ratestandard "github.com/bulwarkhq/bulwark/ratelimit/standard"
	"github.com/bulwarkhq/bulwark/standard"
	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/storage/fleet"
)

// regionNames are the regions, the hub first.
var regionNames = []string{"eu", "us", "ap", "sa", "af"}

// benchConfig configures a run.
type benchConfig struct {
	Regions         int
	Latency, Jitter time.Duration
	Decisions       int
	Partition       time.Duration
	WriteEvery      time.Duration // mean pause between a region's writes during the partition
	Timeout         time.Duration // for one ban to be enforced everywhere
	HealTimeout     time.Duration
	Stall           time.Duration // server.Config.RegionStall; 0: its default
	// NoDirect leaves out the control planes' direct links to one another
	// (server.Config.RegionPeers): decisions then cross only the leafnode
	// links, spoke to spoke through the hub.
	NoDirect bool
	Seed     uint64
	Progress io.Writer    // progress lines; nil: none
	Logger   *slog.Logger // the control planes' and watchers'; nil: discarded
}

// result is what a run measured.
type result struct {
	Regions   int     `json:"regions"`
	Hub       string  `json:"hub"`
	LatencyMS float64 `json:"latency_ms"`
	JitterMS  float64 `json:"jitter_ms"`
	Seed      uint64  `json:"seed"`
	Direct    bool    `json:"direct"` // the control planes' direct links ran beside the leafnodes

	// convergence: per ban, API call to enforcement by every other region
	Decisions int     `json:"decisions"`
	P50       float64 `json:"p50_ms"`
	P99       float64 `json:"p99_ms"`
	Max       float64 `json:"max_ms"`
	Over100   int     `json:"over_100ms"`
	Missed    int     `json:"missed"` // bans some region did not enforce within the timeout
	PairP50   float64 `json:"pair_p50_ms"`
	PairP99   float64 `json:"pair_p99_ms"`
	APIP50    float64 `json:"api_p50_ms"`
	APIP99    float64 `json:"api_p99_ms"` // the API call alone, part of every figure above
	// ByOrigin splits the per-ban figures by the region that decided
	// (over the leafnodes alone, from the hub every other region is one
	// link away, from a spoke the other spokes two; with the direct links,
	// every region is one link from every other).
	ByOrigin map[string]spread `json:"by_origin"`

	// partition
	Cut         string         `json:"cut,omitempty"`
	PartitionMS float64        `json:"partition_ms"`
	Acked       int            `json:"acked"`
	Failed      int            `json:"failed"` // calls that did not succeed (their register is not checked)
	Kinds       map[string]int `json:"acked_by_kind,omitempty"`
	HealMS      float64        `json:"heal_ms"` // -1: not equal within the heal timeout
	Lost        int            `json:"lost"`
	LostAtHeal  int            `json:"lost_at_heal"`
	SDKMismatch int            `json:"sdk_mismatch"` // targets some SDK instance enforces otherwise than the acked changes say
	Targets     int            `json:"targets"`      // targets in each merged view at the end
	Leaked      bool           `json:"leaked"`       // the cut region's view equalled the hub's before healing
	// Load is the machine's 1-minute load average at the start and at the
	// end (Linux; the figures of a loaded machine are its scheduler's too).
	Load  [2]float64 `json:"load1"`
	Kicks int64      `json:"bypass_kicks"` // leafnode connections that bypassed a proxy, closed (guardLinks)
}

// ok says the run found nothing wrong.
func (r *result) ok() bool {
	return r.Missed == 0 && r.Lost == 0 && r.SDKMismatch == 0 && r.Failed == 0 && !r.Leaked && (r.PartitionMS == 0 || r.HealMS >= 0)
}

// spread is the p50, p99 and max of some durations, in ms.
type spread struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

func spreadOf(ds []time.Duration) spread {
	return spread{N: len(ds), P50: ms(quantile(ds, 0.5)), P99: ms(quantile(ds, 0.99)), Max: ms(quantile(ds, 1))}
}

// region is one region: its control plane, the proxy of its link to the
// hub (nil for the hub), its SDK instance, and a reader of its aggregate.
type region struct {
	name  string
	cp    *server.Server
	proxy *toxiproxy.Proxy
	// links are the proxies of the direct links from and to the region
	links []*toxiproxy.Proxy
	token string
	nc    *nats.Conn
	lim   *ratelimit.Adaptive
	guard *bulwark.Guard
	watch *fleet.Watcher
	view  *replicate.Reader
}

type bench struct {
	cfg     benchConfig
	dir     string
	tox     *toxiproxy.ApiServer
	rs      []*region
	client  *http.Client
	log     *slog.Logger
	hubPort int

	guardStop context.CancelFunc
	guardDone chan struct{}
	kicks     atomic.Int64 // leafnode connections that bypassed a proxy, closed
}

func (b *bench) progress(format string, args ...any) {
	if b.cfg.Progress != nil {
		fmt.Fprintf(b.cfg.Progress, "regionbench: "+format+"\n", args...)
	}
}

// run starts the regions, runs both phases and stops everything.
func run(ctx context.Context, cfg benchConfig) (res *result, err error) {
	if cfg.Regions < 2 || cfg.Regions > len(regionNames) {
		return nil, fmt.Errorf("-regions %d: want 2 to %d", cfg.Regions, len(regionNames))
	}
	if cfg.Latency < 0 || cfg.Jitter < 0 || cfg.Jitter > cfg.Latency {
		return nil, fmt.Errorf("-latency %v -jitter %v: want 0 <= jitter <= latency", cfg.Latency, cfg.Jitter)
	}
	if cfg.Decisions < 0 || cfg.Decisions > 1<<16 || cfg.Partition < 0 {
		return nil, errors.New("-decisions: 0 to 65536; -partition: not negative")
	}
	if cfg.WriteEvery <= 0 {
		cfg.WriteEvery = 50 * time.Millisecond
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.HealTimeout <= 0 {
		cfg.HealTimeout = time.Minute
	}
	b := &bench{cfg: cfg, log: cfg.Logger,
		client: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.dir, err = os.MkdirTemp("", "regionbench-"); err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(b.dir) }()
	b.tox = toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	defer b.close()
	start := time.Now()
	if err := b.start(ctx); err != nil {
		return nil, err
	}
	b.progress("%d regions up and linked in %v", cfg.Regions, time.Since(start).Round(time.Millisecond))
	res = &result{Regions: cfg.Regions, Hub: b.rs[0].name, LatencyMS: ms(cfg.Latency), JitterMS: ms(cfg.Jitter), Seed: cfg.Seed,
		Direct: !cfg.NoDirect, HealMS: -1}
	res.Load[0] = load1()
	if err := b.converge(ctx, res); err != nil {
		return nil, err
	}
	if cfg.Partition > 0 {
		if err := b.partition(ctx, res); err != nil {
			return nil, err
		}
	} else {
		res.HealMS = 0
	}
	res.Kicks = b.kicks.Load()
	res.Load[1] = load1()
	return res, nil
}

// start runs the regions and waits until every one's sources are healthy
// and a probe ban from each is enforced by every SDK instance.
func (b *bench) start(ctx context.Context) error {
	n := b.cfg.Regions
	names := regionNames[:n]
	hubLeaf, err := freeAddr()
	if err != nil {
		return err
	}
	if _, port, err := net.SplitHostPort(hubLeaf); err == nil {
		b.hubPort, _ = strconv.Atoi(port)
	}
	// every region's NATS address is chosen first, so that the direct
	// links (region i to region j's NATS, each through its proxy) can be
	// set up before the regions they lead to run
	natsAddrs := make([]string, n)
	for i := range names {
		if natsAddrs[i], err = freeAddr(); err != nil {
			return err
		}
	}
	pass := make([]byte, 12)
	if _, err := crand.Read(pass); err != nil {
		return err
	}
	peerPass := hex.EncodeToString(pass)
	rs := make([]*region, n)
	for i, name := range names {
		rs[i] = &region{name: name}
	}
	peers := make([]map[string]string, n)
	for i := range names {
		if b.cfg.NoDirect {
			break
		}
		peers[i] = map[string]string{}
		for j, to := range names {
			if i == j {
				continue
			}
			p, err := b.link("direct-"+names[i]+"-"+to, natsAddrs[j])
			if err != nil {
				return err
			}
			rs[i].links, rs[j].links = append(rs[i].links, p), append(rs[j].links, p)
			peers[i][to] = (&url.URL{Scheme: "nats", User: url.UserPassword("peer", peerPass), Host: p.Listen}).String()
		}
	}
	for i, name := range names {
		c := server.Config{DataDir: b.dir + "/" + name, Addr: "127.0.0.1:0", NATSAddr: natsAddrs[i], Region: name, Regions: names,
			RegionPeers: peers[i], PeerPassword: peerPass,
			RegionStall: b.cfg.Stall, Logger: b.log.With("region", name), APIRate: "1000000-M"}
		r := rs[i]
		if i == 0 {
			c.LeafAddr = hubLeaf
		} else {
			// the spoke's leafnode goes through its proxy
			if r.proxy, err = b.link("leaf-"+name, hubLeaf); err != nil {
				return err
			}
			u, err := url.Parse(b.rs[0].cp.LeafURL())
			if err != nil {
				return err
			}
			u.Host = r.proxy.Listen
			c.LeafRemote = u.String()
		}
		if r.cp, err = server.New(ctx, c); err != nil {
			return fmt.Errorf("region %s: %w", name, err)
		}
		b.rs = append(b.rs, r)
		if r.token, err = server.Mint(r.cp.Key(), "regionbench", "", []string{server.ScopeRead, server.ScopeDecisions}, 24*time.Hour, time.Now()); err != nil {
			return err
		}
	}
	b.guardLinks()
	if err := b.wait(ctx, 30*time.Second, "spokes linked to the hub", func() bool {
		return b.rs[0].cp.NATSServer().NumLeafNodes() == n-1
	}); err != nil {
		return err
	}
	for _, r := range b.rs {
		// set-up, not a figure: on a loaded machine under -race (the
		// README's test command runs every package at once) three
		// control planes have taken more than a minute to settle
		if err := b.wait(ctx, 2*time.Minute, r.name+": every source healthy", func() bool { return b.healthy(ctx, r) }); err != nil {
			return err
		}
	}
	for _, r := range b.rs {
		if err := b.instance(r); err != nil {
			return fmt.Errorf("region %s: SDK instance: %w", r.name, err)
		}
	}
	for _, r := range b.rs {
		for _, ch := range []<-chan struct{}{r.watch.Ready(), r.view.Ready()} {
			select {
			case <-ch:
			case <-time.After(30 * time.Second):
				return fmt.Errorf("region %s: watcher not ready", r.name)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	for i, r := range b.rs {
		client := fmt.Sprintf("198.19.255.%d", i+1)
		if _, _, err := b.ban(ctx, r, client); err != nil {
			return fmt.Errorf("probe ban: %w", err)
		}
		if err := b.wait(ctx, 30*time.Second, "probe ban from "+r.name+" enforced everywhere", func() bool {
			now := time.Now()
			for _, o := range b.rs {
				if !banned(o.lim, client, now) {
					return false
				}
			}
			return true
		}); err != nil {
			for _, o := range b.rs {
				res, ok := o.lim.Cached(client, time.Now())
				e := o.view.Entry(decision.MustTarget("addr", client))
				err = fmt.Errorf("%w; %s: %v %v, view %+v, watcher %+v", err, o.name, ok, res.Reason, e.Deny, o.watch.Stats())
			}
			return err
		}
	}
	return nil
}

// link starts the proxy of a link (a spoke's leafnode link to the hub, or
// a control plane's direct link to another region's NATS), with the
// latency toxics.
func (b *bench) link(name, upstream string) (*toxiproxy.Proxy, error) {
	p := toxiproxy.NewProxy(b.tox, name, "127.0.0.1:0", upstream)
	if err := b.tox.Collection.Add(p, true); err != nil {
		return nil, fmt.Errorf("proxy %s: %w", name, err)
	}
	if b.cfg.Latency > 0 {
		for _, dir := range []string{"upstream", "downstream"} {
			t := fmt.Sprintf(`{"name":"latency_%s","type":"latency","stream":%q,"attributes":{"latency":%d,"jitter":%d}}`,
				dir, dir, b.cfg.Latency.Milliseconds(), b.cfg.Jitter.Milliseconds())
			if _, err := p.Toxics.AddToxicJson(strings.NewReader(t)); err != nil {
				return nil, fmt.Errorf("proxy %s: toxic: %w", name, err)
			}
		}
	}
	return p, nil
}

// instance starts r's SDK instance, built as the control plane's test
// fleet builds one (without the event exporter: only decisions matter
// here), and a reader of r's aggregate.
func (b *bench) instance(r *region) error {
	nc, err := fleet.Connect(r.cp.SDKURL())
	if err != nil {
		return err
	}
	r.nc = nc
	if r.lim, err = ratestandard.New(ratestandard.Config{Limiter: ratelimit.Config{Rate: "100000-M"}}); err != nil {
		return err
	}
	if r.guard, err = standard.New(standard.Config{Guard: bulwark.Config{Limiter: r.lim}}); err != nil {
		_ = r.lim.Close()
		return err
	}
	if r.watch, err = fleet.NewWatcher(fleet.WatcherConfig{Conn: nc, Guard: r.guard, Region: r.name, Aggregate: true,
		Logger: b.log.With("region", r.name)}); err != nil {
		return err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	r.view, err = replicate.NewReader(replicate.ReaderConfig{JS: js, Logger: b.log.With("region", r.name)})
	return err
}

// guardLinks checks that every leafnode link stays on its proxy. The hub
// advertises its own leafnode address (its INFO's leafnode_urls); a spoke
// that added it to the URLs it reconnects to would, once its proxy is
// disabled, reconnect to the hub directly, and the partition (or, after
// any reconnect, the latency) would be gone. internal/natsembed sets
// RemoteLeafOpts.IgnoreDiscoveredServers so that spokes never do; should
// one still connect to the hub's own port, this closes the connection
// from the spoke's side within a millisecond or so and counts it in
// Result.Kicks, which the test requires to be zero.
func (b *bench) guardLinks() {
	ctx, cancel := context.WithCancel(context.Background())
	b.guardStop, b.guardDone = cancel, make(chan struct{})
	spokes := b.rs[1:]
	go func() {
		defer close(b.guardDone)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			for _, r := range spokes {
				lz, err := r.cp.NATSServer().Leafz(nil)
				if err != nil {
					continue
				}
				for _, l := range lz.Leafs {
					if l.Port == b.hubPort {
						if r.cp.NATSServer().DisconnectClientByID(l.ID) == nil {
							b.kicks.Add(1)
							b.log.Info("regionbench: closed a leafnode link that bypassed its proxy", "region", r.name)
						}
					}
				}
			}
		}
	}()
}

// close stops everything started, spokes before the hub.
func (b *bench) close() {
	if b.guardStop != nil {
		b.guardStop()
		<-b.guardDone
	}
	for _, r := range b.rs {
		if r.watch != nil {
			_ = r.watch.Close()
		}
		if r.view != nil {
			_ = r.view.Close()
		}
		if r.guard != nil {
			_ = r.guard.Close() // and the limiter
		}
		if r.nc != nil {
			r.nc.Close()
		}
	}
	for i := len(b.rs) - 1; i >= 0; i-- {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = b.rs[i].cp.Close(ctx)
		cancel()
	}
	_ = b.tox.Collection.Clear()
	b.client.CloseIdleConnections()
}

// converge issues the timed bans, one at a time.
func (b *bench) converge(ctx context.Context, res *result) error {
	rng := rand.New(rand.NewPCG(b.cfg.Seed, 1))
	var all, pairs, calls []time.Duration
	byOrigin := map[string][]time.Duration{}
	res.Decisions = b.cfg.Decisions
	for i := 0; i < b.cfg.Decisions; i++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		from := b.rs[rng.IntN(len(b.rs))]
		client := fmt.Sprintf("198.18.%d.%d", i>>8, i&0xff)
		start := time.Now()
		if _, _, err := b.ban(ctx, from, client); err != nil {
			return fmt.Errorf("ban %d in %s: %w", i, from.name, err)
		}
		calls = append(calls, time.Since(start))
		var pending []*region
		for _, r := range b.rs {
			if r != from {
				pending = append(pending, r)
			}
		}
		var last time.Duration
		for len(pending) > 0 {
			now := time.Now()
			pending = slices.DeleteFunc(pending, func(r *region) bool {
				if !banned(r.lim, client, now) {
					return false
				}
				last = now.Sub(start)
				pairs = append(pairs, last)
				return true
			})
			if len(pending) == 0 || now.Sub(start) > b.cfg.Timeout {
				break
			}
			time.Sleep(time.Millisecond)
		}
		if len(pending) > 0 {
			res.Missed++
			b.progress("ban %d from %s: not enforced by %d region(s) within %v", i, from.name, len(pending), b.cfg.Timeout)
			continue
		}
		all = append(all, last)
		byOrigin[from.name] = append(byOrigin[from.name], last)
		if last > 100*time.Millisecond {
			res.Over100++
		}
		if (i+1)%100 == 0 {
			b.progress("convergence: %d/%d bans, p99 so far %.1f ms", i+1, b.cfg.Decisions, ms(quantile(all, 0.99)))
		}
	}
	res.P50, res.P99, res.Max = ms(quantile(all, 0.5)), ms(quantile(all, 0.99)), ms(quantile(all, 1))
	res.ByOrigin = map[string]spread{}
	for o, ds := range byOrigin {
		res.ByOrigin[o] = spreadOf(ds)
	}
	res.PairP50, res.PairP99 = ms(quantile(pairs, 0.5)), ms(quantile(pairs, 0.99))
	res.APIP50, res.APIP99 = ms(quantile(calls, 0.5)), ms(quantile(calls, 0.99))
	return nil
}

// register is what one region's acknowledged changes say of one of its
// registers for a target: its deny register, or its allow-list add.
type register struct {
	set       bool           // banned, or allow-listed
	stamp     decision.Stamp // of the last acknowledged set
	key       string         // the decision key, to remove it
	uncertain bool           // a call on it failed: it may or may not have been applied
	start     time.Time      // when the call of the last set started
}

// writer is one region's random writes during the partition.
type writer struct {
	r     *region
	idx   int
	rng   *rand.Rand
	deny  map[string]*register // target address -> this region's deny register
	allow map[string]*register // target address -> this region's allow-list add
	acked map[string]int
	// unallowed holds, by address, when the last acknowledged allow-list
	// remove through this region was acknowledged: an observed remove, it
	// also takes away the adds of other regions its merged view held when
	// the server read it, at some moment before that
	unallowed map[string]time.Time
	cut       bool // the region was cut off while writing
	failed    int
	n         int // writes scheduled
}

// poolSize is how many targets each region bans and unbans during the
// partition; allow-list changes pick among every region's targets, so
// that allow meets ban.
const poolSize = 48

func target(region, k int) string { return fmt.Sprintf("198.19.%d.%d", region, k+1) }

// partition cuts a spoke off, writes on every region, heals, and checks.
func (b *bench) partition(ctx context.Context, res *result) error {
	rng := rand.New(rand.NewPCG(b.cfg.Seed, 2))
	cut := b.rs[1+rng.IntN(len(b.rs)-1)]
	res.Cut = cut.name
	ws := make([]*writer, len(b.rs))
	for i, r := range b.rs {
		ws[i] = &writer{r: r, idx: i, rng: rand.New(rand.NewPCG(b.cfg.Seed, uint64(10+i))), cut: r == cut,
			deny: map[string]*register{}, allow: map[string]*register{}, acked: map[string]int{}, unallowed: map[string]time.Time{}}
	}
	cut.proxy.Stop()
	for _, p := range cut.links {
		p.Stop()
	}
	cutAt := time.Now()
	b.progress("partition: %s cut off for %v; every region writing", cut.name, b.cfg.Partition)
	// the schedule ends after the partition; a call under way finishes
	stop, cancel := context.WithTimeout(ctx, b.cfg.Partition)
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Add(1)
		go func() { defer wg.Done(); b.write(ctx, stop, w) }()
	}
	wg.Wait()
	cancel()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	res.Kinds = map[string]int{}
	for _, w := range ws {
		for k, v := range w.acked {
			res.Kinds[k] += v
			res.Acked += v
		}
		res.Failed += w.failed
	}
	// the cut region must not have seen the others' writes
	cutView, _ := canonical(cut.view)
	if hubView, _ := canonical(b.rs[0].view); cutView == hubView {
		res.Leaked = true
		b.progress("partition: %s's merged view equals the hub's before healing: the partition did not hold", cut.name)
	}
	for _, p := range append([]*toxiproxy.Proxy{cut.proxy}, cut.links...) {
		if err := p.Start(); err != nil {
			return fmt.Errorf("healing %s: %w", cut.name, err)
		}
	}
	healAt := time.Now()
	res.PartitionMS = ms(healAt.Sub(cutAt))
	b.progress("partition: healed after %.1f s; %d changes acknowledged, %d failed", res.PartitionMS/1000, res.Acked, res.Failed)
	var views []string
	for time.Since(healAt) < b.cfg.HealTimeout && ctx.Err() == nil {
		views = views[:0]
		for _, r := range b.rs {
			v, n := canonical(r.view)
			views = append(views, v)
			res.Targets = n
		}
		if len(slices.Compact(slices.Clone(views))) == 1 {
			res.HealMS = ms(time.Since(healAt))
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if res.HealMS < 0 {
		b.progress("partition: merged views not equal %v after healing", b.cfg.HealTimeout)
	} else {
		b.progress("partition: merged views equal %.0f ms after healing", res.HealMS)
	}
	res.LostAtHeal, _ = b.lost(ws)
	res.Lost = res.LostAtHeal
	// a view the heal left behind may still catch up: the final state is
	// what holds once it stops changing
	for deadline := time.Now().Add(10 * time.Second); res.Lost > 0 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		var what []string
		if res.Lost, what = b.lost(ws); res.Lost > 0 && !time.Now().Before(deadline) {
			for _, l := range what {
				b.progress("partition: lost: %s", l)
			}
		}
	}
	// and the SDK instances enforce what the acknowledged changes say
	for deadline := time.Now().Add(5 * time.Second); ; {
		res.SDKMismatch = b.sdkMismatch(ws)
		if res.SDKMismatch == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// write runs one region's random schedule of bans, unbans and allow-list
// adds and removes until stop is done.
func (b *bench) write(ctx, stop context.Context, w *writer) {
	mean := float64(b.cfg.WriteEvery)
	for {
		t := time.NewTimer(time.Duration(w.rng.ExpFloat64() * mean))
		select {
		case <-stop.Done():
			t.Stop()
			return
		case <-t.C:
		}
		op := w.rng.IntN(100)
		if w.n < 4 {
			// every kind of change early on, however short the run
			op = []int{50, 90, 0, 30}[w.n]
		}
		w.n++
		switch {
		case op < 25 && w.any(w.deny):
			b.unset(ctx, w, w.deny, "unban", "/api/v1/decisions/")
		case op < 40 && w.any(w.allow):
			b.unset(ctx, w, w.allow, "unallow", "/api/v1/allowlist/")
		case op < 75:
			addr := target(w.idx, w.rng.IntN(poolSize))
			b.set(ctx, w, w.deny, addr, "ban")
		default:
			addr := target(w.rng.IntN(len(b.rs)), w.rng.IntN(poolSize))
			b.set(ctx, w, w.allow, addr, "allow")
		}
	}
}

// any says some certain register of m is set.
func (w *writer) any(m map[string]*register) bool {
	for _, r := range m {
		if r.set && !r.uncertain {
			return true
		}
	}
	return false
}

// set bans addr, or allow-lists it, through w's region.
func (b *bench) set(ctx context.Context, w *writer, m map[string]*register, addr, kind string) {
	reg := m[addr]
	if reg == nil {
		reg = &register{}
		m[addr] = reg
	}
	if reg.uncertain {
		return
	}
	var key string
	var stamp decision.Stamp
	var err error
	started := time.Now()
	if kind == "ban" {
		key, stamp, err = b.ban(ctx, w.r, addr)
	} else {
		key, stamp, err = b.allowList(ctx, w.r, addr)
	}
	if err != nil {
		// it may or may not have been applied
		reg.uncertain = true
		w.failed++
		b.log.Warn("regionbench: write failed", "region", w.r.name, "kind", kind, "err", err)
		return
	}
	reg.set, reg.stamp, reg.key, reg.start = true, stamp, key, started
	w.acked[kind]++
}

// unset removes one of w's set registers of m, at random.
func (b *bench) unset(ctx context.Context, w *writer, m map[string]*register, kind, path string) {
	var set []string
	for addr, r := range m {
		if r.set && !r.uncertain {
			set = append(set, addr)
		}
	}
	slices.Sort(set)
	addr := set[w.rng.IntN(len(set))]
	reg := m[addr]
	code, raw, err := b.call(ctx, w.r, "DELETE", path+reg.key, nil)
	if err == nil && code != http.StatusNoContent {
		err = fmt.Errorf("%d %s", code, raw)
	}
	if err != nil {
		reg.uncertain = true
		w.failed++
		b.log.Warn("regionbench: write failed", "region", w.r.name, "kind", kind, "err", err)
		return
	}
	reg.set = false
	if kind == "unallow" {
		w.unallowed[addr] = time.Now()
	}
	w.acked[kind]++
}

// maybeRemoved says another region's acknowledged allow-list remove of
// addr may have observed reg's add through owner, and removed it (or not,
// had the add not reached it): the remove was acknowledged after the add's
// call started, and the two regions were not cut off from each other. The
// server reads its merged view somewhere inside the remove's call, and the
// add can reach it from the moment its own call starts; under load a
// remove that started before the add was acknowledged can still have seen
// it, so the remove's start is not the bound.
func maybeRemoved(ws []*writer, owner *writer, addr string, reg *register) bool {
	for _, o := range ws {
		if t, ok := o.unallowed[addr]; ok && o != owner && o.cut == owner.cut && reg.set && t.After(reg.start) {
			return true
		}
	}
	return false
}

// lost counts the registers whose last acknowledged change some region's
// merged view does not show, and describes each.
func (b *bench) lost(ws []*writer) (int, []string) {
	snaps := make([]map[decision.Target]replicate.Entry, len(b.rs))
	for i, r := range b.rs {
		snaps[i] = r.view.Snapshot()
	}
	lost := 0
	var what []string
	for _, w := range ws {
		for addr, reg := range w.deny {
			if reg.uncertain {
				continue
			}
			t := decision.MustTarget("addr", addr)
			for i, s := range snaps {
				d := s[t].Deny
				has := d != nil && !d.Tombstone && d.Action == decision.Ban && d.Origin == w.r.name && d.Stamp == reg.stamp
				if reg.set != has {
					lost++
					what = append(what, fmt.Sprintf("ban of %s by %s (set %v, stamp %v): %s's view holds %+v", addr, w.r.name, reg.set, reg.stamp, b.rs[i].name, d))
					break
				}
			}
		}
		for addr, reg := range w.allow {
			if reg.uncertain || maybeRemoved(ws, w, addr, reg) {
				continue
			}
			t := decision.MustTarget("addr", addr)
			for i, s := range snaps {
				has := slices.ContainsFunc(s[t].Allows, func(a decision.Value) bool { return a.Origin == w.r.name && a.Stamp == reg.stamp })
				other := slices.ContainsFunc(s[t].Allows, func(a decision.Value) bool { return a.Origin == w.r.name && a.Stamp != reg.stamp })
				if reg.set != has || other {
					lost++
					what = append(what, fmt.Sprintf("allow of %s by %s (set %v, stamp %v, call started %s): %s's view holds %+v; removes acknowledged %s",
						addr, w.r.name, reg.set, reg.stamp, reg.start.Format("15:04:05.000"), b.rs[i].name, s[t].Allows, removesOf(ws, addr)))
					break
				}
			}
		}
	}
	return lost, what
}

// removesOf lists when each region's last acknowledged allow-list remove
// of addr was acknowledged.
func removesOf(ws []*writer, addr string) string {
	var out []string
	for _, w := range ws {
		if t, ok := w.unallowed[addr]; ok {
			out = append(out, w.r.name+" "+t.Format("15:04:05.000"))
		}
	}
	return strings.Join(out, ", ")
}

// sdkMismatch counts the targets written during the partition that some
// SDK instance enforces otherwise than the acknowledged changes say:
// allow-listed if any region's add stands (allow beats ban), else banned
// if its owner's ban stands, else neither.
func (b *bench) sdkMismatch(ws []*writer) int {
	type want struct{ allow, ban, uncertain bool }
	wants := map[string]*want{}
	get := func(addr string) *want {
		if wants[addr] == nil {
			wants[addr] = &want{}
		}
		return wants[addr]
	}
	for _, w := range ws {
		for addr, reg := range w.deny {
			x := get(addr)
			x.ban = x.ban || reg.set
			x.uncertain = x.uncertain || reg.uncertain
		}
		for addr, reg := range w.allow {
			x := get(addr)
			x.allow = x.allow || reg.set
			x.uncertain = x.uncertain || reg.uncertain || maybeRemoved(ws, w, addr, reg)
		}
	}
	bad := 0
	now := time.Now()
	for addr, x := range wants {
		if x.uncertain {
			continue
		}
		for _, r := range b.rs {
			res, ok := r.lim.Cached(addr, now)
			allowed := ok && res.AllowListed
			isBanned := ok && res.Penalty == storage.ActionBan && strings.Contains(res.Reason, "operator:")
			if allowed != x.allow || isBanned != (x.ban && !x.allow) {
				bad++
				break
			}
		}
	}
	return bad
}

// canonical is a digest of a region's merged view (targets with nothing
// in force left out), and how many targets it holds.
func canonical(rd *replicate.Reader) (string, int) {
	snap := rd.Snapshot()
	ts := make([]decision.Target, 0, len(snap))
	for t, e := range snap {
		if e.Deny != nil || len(e.Allows) > 0 {
			ts = append(ts, t)
		}
	}
	slices.SortFunc(ts, func(a, b decision.Target) int { return strings.Compare(a.String(), b.String()) })
	h := sha256.New()
	for _, t := range ts {
		e := snap[t]
		fmt.Fprintf(h, "%s\n", t)
		if e.Deny != nil {
			d, _ := e.Deny.Marshal()
			h.Write(d)
		}
		for _, a := range e.Allows {
			d, _ := a.Marshal()
			h.Write([]byte{'\n'})
			h.Write(d)
		}
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), len(ts)
}

// banned says the limiter enforces an operator ban on client.
func banned(lim *ratelimit.Adaptive, client string, now time.Time) bool {
	r, ok := lim.Cached(client, now)
	return ok && r.Penalty == storage.ActionBan && strings.Contains(r.Reason, "operator:")
}

// stamped is the part of a decision response the bench keeps.
type stamped struct {
	Key   string         `json:"key"`
	Stamp decision.Stamp `json:"stamp"`
}

// ban bans addr for an hour through r's API.
func (b *bench) ban(ctx context.Context, r *region, addr string) (string, decision.Stamp, error) {
	return b.post(ctx, r, "/api/v1/decisions", server.DecideRequest{Target: server.TargetJSON{Type: "addr", Value: addr},
		Action: "ban", TTL: "1h", Reason: "regionbench"})
}

// allowList allow-lists addr through r's API.
func (b *bench) allowList(ctx context.Context, r *region, addr string) (string, decision.Stamp, error) {
	return b.post(ctx, r, "/api/v1/allowlist", server.AllowRequest{Target: server.TargetJSON{Type: "addr", Value: addr},
		Reason: "regionbench"})
}

func (b *bench) post(ctx context.Context, r *region, path string, body any) (string, decision.Stamp, error) {
	code, raw, err := b.call(ctx, r, "POST", path, body)
	if err != nil {
		return "", decision.Stamp{}, err
	}
	if code != http.StatusCreated {
		return "", decision.Stamp{}, fmt.Errorf("%s: %d %s", path, code, raw)
	}
	var s stamped
	if err := json.Unmarshal(raw, &s); err != nil || s.Key == "" || s.Stamp.IsZero() {
		return "", decision.Stamp{}, fmt.Errorf("%s: response %s: %v", path, raw, err)
	}
	return s.Key, s.Stamp, nil
}

// call calls r's API.
func (b *bench) call(ctx context.Context, r *region, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.cp.URL()+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("User-Agent", "regionbench")
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// healthy says r reports every source reachable, linked, caught up and
// not stalled.
func (b *bench) healthy(ctx context.Context, r *region) bool {
	code, raw, err := b.call(ctx, r, "GET", "/api/v1/regions", nil)
	if err != nil || code != http.StatusOK {
		return false
	}
	var body struct {
		Items []struct {
			Reachable, Linked, Stalled bool
			Direct                     *bool // a direct link's watch runs (with RegionPeers)
			Lag                        float64
			Error                      string
		} `json:"items"`
	}
	if json.Unmarshal(raw, &body) != nil || len(body.Items) != b.cfg.Regions {
		return false
	}
	for _, it := range body.Items {
		if !it.Reachable || !it.Linked || it.Stalled || it.Lag != 0 || it.Error != "" || it.Direct != nil && !*it.Direct {
			return false
		}
	}
	return true
}

// wait polls f every 20 ms until it holds, d passes, or ctx is done.
func (b *bench) wait(ctx context.Context, d time.Duration, what string, f func() bool) error {
	for start := time.Now(); time.Since(start) < d; time.Sleep(20 * time.Millisecond) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if f() {
			return nil
		}
	}
	return fmt.Errorf("%s: not within %v", what, d)
}

// freeAddr is a loopback address with a free port, chosen below the
// kernel's ephemeral range. The bench must name its NATS and leafnode
// ports before the servers bind them; a port the kernel handed out for
// bind(":0") and that was released again can meanwhile go to any
// outgoing connection of any process (fresh-clone CI saw "address already
// in use" while other test packages ran), whereas a port below the
// ephemeral range is only ever taken by someone who names it.
func freeAddr() (string, error) {
	lo := ephemeralLow()
	const base = 20000
	if lo <= base+1000 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		defer ln.Close()
		return ln.Addr().String(), nil
	}
	var last error
	for range 100 {
		addr := "127.0.0.1:" + strconv.Itoa(base+rand.IntN(lo-base))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			last = err
			continue
		}
		_ = ln.Close()
		return addr, nil
	}
	return "", fmt.Errorf("no free port below %d: %w", lo, last)
}

// ephemeralLow is the low end of the kernel's ephemeral port range
// (Linux's ip_local_port_range), 32768 when it cannot be read.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	f := strings.Fields(string(b))
	if len(f) < 1 {
		return 32768
	}
	v, err := strconv.Atoi(f[0])
	if err != nil || v < 1024 || v > 65535 {
		return 32768
	}
	return v
}

// quantile is the nearest-rank q-quantile of ds (0 when empty).
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Microsecond)) / 1000 }

// load1 is the 1-minute load average (0 where /proc/loadavg is not).
func load1() float64 {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(raw) + " 0")[0], 64)
	return f
}
