package replicate

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/decision"
)

// The test bench: one embedded nats-server per region, each its own
// JetStream domain, the first the hub, the others leafnode remotes whose
// link runs through a proxy the test can cut.

// proxy forwards TCP connections to target while enabled; disabled, it
// drops the ones it carries and refuses new ones (a partition).
type proxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	enabled bool
	conns   map[net.Conn]struct{}
	wg      sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, enabled: true, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *proxy) url() *url.URL { return &url.URL{Scheme: "nats-leaf", Host: p.ln.Addr().String()} }

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if !p.enabled {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		up, err := net.DialTimeout("tcp", p.target, time.Second)
		if err != nil {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.conns[c], p.conns[up] = struct{}{}, struct{}{}
		p.wg.Add(2)
		p.mu.Unlock()
		pipe := func(dst, src net.Conn) {
			defer p.wg.Done()
			_, _ = io.Copy(dst, src)
			_ = dst.Close()
			_ = src.Close()
			p.mu.Lock()
			delete(p.conns, dst)
			delete(p.conns, src)
			p.mu.Unlock()
		}
		go pipe(c, up)
		go pipe(up, c)
	}
}

// set enables or disables the link; disabling drops its connections.
func (p *proxy) set(enabled bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.enabled = enabled
	if !enabled {
		for c := range p.conns {
			_ = c.Close()
		}
	}
}

func (p *proxy) close() {
	_ = p.ln.Close()
	p.set(false)
	p.wg.Wait()
}

// region is one region of the bench: its server, a connection, its
// control plane's writer and its SDK-side reader.
type region struct {
	name  string
	opts  *server.Options
	srv   *server.Server
	nc    *nats.Conn
	js    jetstream.JetStream
	clock *decision.Clock
	w     *Writer
	r     *Reader
	link  *proxy // spokes: the link to the hub
	// stopMon stops the region's healing Monitor (newBench), which lives
	// and dies with the region's connection, as its control plane's would
	stopMon func()

	mu   sync.Mutex
	seen map[decision.Target]time.Time // when an active ban of the target was first seen
}

type bench struct {
	t       *testing.T
	names   []string
	regions []*region
	heal    bool // every region runs a Monitor that resyncs (newBench)
}

func startServer(t *testing.T, o *server.Options) *server.Server {
	t.Helper()
	s, err := server.NewServer(o)
	if err != nil {
		t.Fatalf("region %s: %v", o.JetStreamDomain, err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		t.Fatalf("region %s: server not ready", o.JetStreamDomain)
	}
	return s
}

// newBench starts the regions named, the first as the hub, configures
// their buckets and aggregates, starts a writer and a reader in each, and
// a Monitor that resyncs stalled sources, as each control plane would.
func newBench(t *testing.T, names ...string) *bench {
	t.Helper()
	b := newBenchOpts(t, names...)
	b.heal = true
	for _, reg := range b.regions {
		b.startMonitor(reg)
	}
	return b
}

// startMonitor starts the region's healing Monitor on its connection of
// the moment. A region restarted (stopRegion, start, startClients) gets a
// new one, as a control plane restarted with its region would: the old
// one's connection is closed, it can check nothing and heal nothing.
func (b *bench) startMonitor(reg *region) {
	b.t.Helper()
	m, err := NewMonitor(MonitorConfig{JS: reg.js, Region: reg.name, Regions: b.names, Threshold: time.Second,
		Timeout: 500 * time.Millisecond, Resync: true})
	if err != nil {
		b.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); m.Run(ctx, 100*time.Millisecond) }()
	reg.stopMon = func() { cancel(); <-done }
}

// newBenchOpts is newBench without the monitors.
func newBenchOpts(t *testing.T, names ...string) *bench {
	t.Helper()
	b := &bench{t: t, names: names}
	t.Cleanup(b.stop)
	var hubLeaf string
	for i, name := range names {
		o := &server.Options{ServerName: name, Host: "127.0.0.1", Port: -1, JetStream: true,
			JetStreamDomain: name, StoreDir: t.TempDir(), NoSigs: true, NoLog: true}
		reg := &region{name: name, opts: o, seen: map[decision.Target]time.Time{}}
		if i == 0 {
			o.LeafNode.Host = "127.0.0.1"
			// a port the server binds itself: one picked here and freed
			// for it could be taken in between by another package's test
			// running alongside (the server then never gets ready)
			o.LeafNode.Port = -1
			// spokes must not learn the hub's own address and bypass the
			// proxies that the partitions cut
			o.LeafNode.NoAdvertise = true
		} else {
			reg.link = newProxy(t, hubLeaf)
			o.LeafNode.Remotes = []*server.RemoteLeafOpts{{URLs: []*url.URL{reg.link.url()}}}
			o.LeafNode.ReconnectInterval = 100 * time.Millisecond
		}
		b.regions = append(b.regions, reg)
		b.start(reg)
		if i == 0 {
			// the server wrote the port it bound back into its options
			// (under its lock, which ReadyForConnections took after it);
			// a restart of the hub binds the same one, where the proxies
			// point
			hubLeaf = fmt.Sprintf("127.0.0.1:%d", o.LeafNode.Port)
		}
	}
	b.waitLinks()
	ctx := b.ctx(10 * time.Second)
	// every bucket first, so that no source starts on a missing stream
	for _, reg := range b.regions {
		if _, err := Configure(ctx, reg.js, reg.name, []string{reg.name}); err != nil {
			t.Fatal(err)
		}
	}
	for _, reg := range b.regions {
		if _, err := Configure(ctx, reg.js, reg.name, names); err != nil {
			t.Fatal(err)
		}
		b.startClients(reg)
	}
	// every source set up and heard from
	for _, reg := range b.regions {
		m, err := NewMonitor(MonitorConfig{JS: reg.js, Region: reg.name, Regions: names, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, func() error {
			hs, err := m.Check(context.Background())
			if err != nil {
				return err
			}
			for _, h := range hs {
				if h.Active < 0 || h.Err != "" || h.Lag != 0 {
					return fmt.Errorf("region %s: source %s not running: %+v", reg.name, h.Region, h)
				}
			}
			return nil
		})
	}
	return b
}

func (b *bench) ctx(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	b.t.Cleanup(cancel)
	return ctx
}

func (b *bench) start(reg *region) {
	b.t.Helper()
	reg.srv = startServer(b.t, reg.opts)
	nc, err := nats.Connect(reg.srv.ClientURL(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		b.t.Fatal(err)
	}
	reg.nc = nc
	if reg.js, err = jetstream.New(nc); err != nil {
		b.t.Fatal(err)
	}
}

func (b *bench) startClients(reg *region) {
	b.t.Helper()
	var err error
	if reg.clock == nil {
		reg.clock = decision.NewClock(nil)
	}
	if reg.w, err = NewWriter(b.ctx(5*time.Second), reg.js, reg.name, reg.clock); err != nil {
		b.t.Fatal(err)
	}
	reg.r, err = NewReader(ReaderConfig{JS: reg.js, Clock: reg.clock, OnChange: func(e Entry) {
		if e.Deny != nil && e.Deny.Active(time.Now()) {
			now := time.Now()
			reg.mu.Lock()
			if _, ok := reg.seen[e.Target]; !ok {
				reg.seen[e.Target] = now
			}
			reg.mu.Unlock()
		}
	}})
	if err != nil {
		b.t.Fatal(err)
	}
	select {
	case <-reg.r.Ready():
	case <-time.After(10 * time.Second):
		b.t.Fatalf("region %s: reader not ready", reg.name)
	}
	if b.heal && reg.stopMon == nil {
		b.startMonitor(reg)
	}
}

func (b *bench) seenAt(reg *region, t decision.Target) (time.Time, bool) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	at, ok := reg.seen[t]
	return at, ok
}

// waitLinks waits until every spoke is linked to the hub.
func (b *bench) waitLinks() {
	b.t.Helper()
	want := len(b.regions) - 1
	eventually(b.t, 10*time.Second, func() error {
		if n := b.regions[0].srv.NumLeafNodes(); n != want {
			return fmt.Errorf("hub has %d leafnodes, want %d", n, want)
		}
		return nil
	})
}

func (b *bench) stopRegion(reg *region) {
	if reg.stopMon != nil {
		reg.stopMon()
		reg.stopMon = nil
	}
	if reg.r != nil {
		_ = reg.r.Close()
		reg.r = nil
	}
	if reg.nc != nil {
		reg.nc.Close()
		reg.nc = nil
	}
	if reg.srv != nil {
		reg.srv.Shutdown()
		reg.srv.WaitForShutdown()
		reg.srv = nil
	}
}

func (b *bench) stop() {
	for _, reg := range b.regions {
		b.stopRegion(reg)
	}
}

// eventually retries f every 5 ms until it returns nil, and fails the test
// with its last error after d.
func eventually(t *testing.T, d time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %v", d, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// health describes every source of every region, for failure messages.
func (b *bench) health() string {
	var s string
	for _, reg := range b.regions {
		m, err := NewMonitor(MonitorConfig{JS: reg.js, Region: reg.name, Regions: b.names, Timeout: 300 * time.Millisecond})
		if err != nil {
			return err.Error()
		}
		hs, err := m.Check(context.Background())
		s += fmt.Sprintf("\n%s: %v", reg.name, err)
		for _, h := range hs {
			s += fmt.Sprintf("\n  %s seen=%d last=%d reach=%v active=%v err=%s", h.Region, h.Seen, h.OriginLast, h.Reachable, h.Active, h.Err)
		}
	}
	return s
}
