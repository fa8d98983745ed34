package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/natsembed"
	"github.com/bulwarkhq/bulwark/internal/replicate"
	"github.com/bulwarkhq/bulwark/internal/stream"
)

// Several regions (Config.Regions): each control plane embeds the NATS of
// its region, whose JetStream domain is the region's name; one region, the
// hub, accepts leafnode connections (LeafAddr) and every other region
// connects to it (LeafRemote). Each control plane writes only its region's
// decision bucket, configures its region's aggregate
// (replicate.AggregateBucket, sourcing every region's bucket), and watches
// the aggregate's sources: GET /api/v1/regions and the dashboard's Regions
// table show their lag, a stalled source is logged as an incident and
// restarted once its origin answers again. SDK instances watch the
// aggregate (fleet.WatcherConfig.Aggregate) and merge it on read.
//
// Leafnode links form a tree, so a decision of one spoke reaches another
// spoke through the hub: two links. With RegionPeers, the control plane
// also connects to each other region's NATS directly (as its "peer"
// user, which may only watch that region's bucket) and copies what the
// region writes into the aggregate (replicate.Direct): one link. The
// sources stay the durable path and the resync; the merge is idempotent,
// so the copy the source delivers later changes nothing.

// leafUser is the user a spoke's leafnode authenticates as on the hub.
const leafUser = "leaf"

// peerUser is the user other regions' control planes connect as to
// watch this region's bucket (RegionPeers).
const peerUser = "peer"

// peerPermissions let another region's control plane watch region's
// decision bucket, and nothing more.
func peerPermissions(region string) *natsserver.Permissions {
	kv := "KV_" + replicate.RegionBucket(region)
	return &natsserver.Permissions{
		Publish: &natsserver.SubjectPermission{
			Allow: []string{"$JS.API.INFO",
				"$JS.API.STREAM.INFO." + kv, "$JS.API.CONSUMER.CREATE." + kv, "$JS.API.CONSUMER.CREATE." + kv + ".>",
				"$JS.API.CONSUMER.DELETE." + kv + ".>", "$JS.API.CONSUMER.INFO." + kv + ".>",
				"$JS.FC.>", "$JS.ACK." + kv + ".>"},
			Deny: []string{"$KV.>", "$O.>"},
		},
		Subscribe: &natsserver.SubjectPermission{Allow: []string{"_INBOX.>"}},
	}
}

// peerURL is the URL other regions give in RegionPeers to reach this
// region's NATS as its peer user.
func peerURL(host string, port int, pass string) string {
	return (&url.URL{Scheme: "nats", User: url.UserPassword(peerUser, pass), Host: net.JoinHostPort(host, strconv.Itoa(port))}).String()
}

// PeerURL is the URL, with credentials, that other regions give in
// RegionPeers (REGION_PEERS) for this one ("" unless several regions run
// on the embedded NATS).
func (s *Server) PeerURL() string { return s.peerURL }

// leafDeny are the subjects that never cross a leafnode link: events stay
// in their region's stream, and the model store ($O.>, which the server
// does not deny between domains as it does $KV.> and $OBJ.>) is regional.
var leafDeny = []string{stream.SubjectPrefix + ".>", "$O.>"}

// multiRegion says the control plane runs as one of several regions.
func (c *Config) multiRegion() bool { return len(c.Regions) > 0 }

// regionDefaults checks the multi-region settings.
func (c *Config) regionDefaults() error {
	switch c.RegionAck {
	case "":
		c.RegionAck = "local"
	case "local", "all":
	default:
		return fmt.Errorf("controlplane: REGION_ACK=%q: want local or all", c.RegionAck)
	}
	if c.RegionAckTimeout <= 0 {
		c.RegionAckTimeout = 5 * time.Second
	}
	if !c.multiRegion() {
		if c.RegionAck == "all" {
			return errors.New("controlplane: REGION_ACK=all needs REGIONS")
		}
		if c.LeafAddr != "" || c.LeafRemote != "" || c.LeafTLSCert != "" || c.LeafTLSKey != "" || c.LeafTLSCA != "" {
			return errors.New("controlplane: LEAF_ADDR, LEAF_REMOTE and LEAF_TLS_* need REGIONS")
		}
		if c.RedisURL != "" {
			return errors.New("controlplane: REDIS_URL (the write-through of the merged decisions) needs REGIONS")
		}
		if len(c.RegionPeers) > 0 || c.PeerPassword != "" {
			return errors.New("controlplane: REGION_PEERS and PEER_PASSWORD need REGIONS")
		}
		if c.RegionModelKeys != "" {
			return errors.New("controlplane: REGION_MODEL_KEYS needs REGIONS")
		}
		return nil
	}
	if c.RedisResync <= 0 {
		c.RedisResync = time.Minute
	}
	if _, err := replicate.AggregateConfig(c.Region, c.Regions); err != nil {
		return fmt.Errorf("controlplane: REGIONS: %w", err)
	}
	if c.NATSURL != "" && (c.LeafAddr != "" || c.LeafRemote != "") {
		return errors.New("controlplane: LEAF_ADDR and LEAF_REMOTE configure the embedded NATS: not with NATS_URL (configure the leafnodes and the domain of that server instead)")
	}
	if (c.LeafTLSCert != "") != (c.LeafTLSKey != "") || c.LeafTLSCert != "" && c.LeafAddr == "" {
		return errors.New("controlplane: LEAF_TLS_CERT and LEAF_TLS_KEY go together, on the hub (LEAF_ADDR)")
	}
	if c.LeafTLSCA != "" && c.LeafRemote == "" {
		return errors.New("controlplane: LEAF_TLS_CA is for a spoke (LEAF_REMOTE)")
	}
	if c.LeafRemote != "" {
		u, err := url.Parse(c.LeafRemote)
		if err != nil || u.Scheme != "nats-leaf" && u.Scheme != "tls" || u.Host == "" {
			return fmt.Errorf("controlplane: LEAF_REMOTE %q: want nats-leaf://leaf:password@host:port", c.LeafRemote)
		}
	}
	for r, u := range c.RegionPeers {
		if r == c.Region || !slices.Contains(c.Regions, r) {
			return fmt.Errorf("controlplane: REGION_PEERS: %q is not another region of REGIONS", r)
		}
		if pu, err := url.Parse(u); err != nil || pu.Scheme != "nats" && pu.Scheme != "tls" || pu.Host == "" {
			return fmt.Errorf("controlplane: REGION_PEERS: region %s: want nats://peer:password@host:port", r)
		}
	}
	if c.RegionStall <= 0 {
		c.RegionStall = 3 * time.Second
	}
	return nil
}

// sourceHeartbeat is how often a running source hears from its origin,
// writes or not (nats-server's sourceHealthHB).
const sourceHeartbeat = time.Second

// linked says a source hears from its origin: it started, reports no
// error, and heard from it within a few heartbeats (or the stall
// threshold, when longer). A source that is not, while its origin
// answers, waits out the server's retry backoff: it is restarted.
func (s *Server) linked(h replicate.SourceHealth) bool {
	return h.Err == "" && h.Active >= 0 && h.Active <= max(s.cfg.RegionStall, 3*sourceHeartbeat)
}

// regionState is what the last check of the aggregate's sources found.
type regionState struct {
	mu      sync.Mutex
	health  []replicate.SourceHealth
	checked time.Time
	err     error
	merged  *replicate.Reader // the region's aggregate, merged: every region's decisions
	direct  *replicate.Direct // the fast path; nil without RegionPeers
	peers   []*nats.Conn      // its connections
}

// startDirect connects to every region of RegionPeers and starts copying
// their writes into the aggregate. A peer that does not answer yet is
// retried for as long as the control plane runs.
func (s *Server) startDirect() error {
	if len(s.cfg.RegionPeers) == 0 {
		return nil
	}
	peers := map[string]jetstream.JetStream{}
	for _, r := range slices.Sorted(maps.Keys(s.cfg.RegionPeers)) {
		// IgnoreDiscoveredServers: the direct link goes where it was told
		// (a proxy, a load balancer), never around it
		nc, err := nats.Connect(s.cfg.RegionPeers[r], nats.Name("bulwark-controlplane-"+s.cfg.Region+"-peer"),
			nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond), nats.RetryOnFailedConnect(true),
			nats.IgnoreDiscoveredServers(), nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
				// a watch whose link is down misses heartbeats: it restarts
				s.cfg.Logger.Debug("controlplane: region peer", "region", s.cfg.Region, "peer", r, "err", err)
			}))
		if err != nil {
			return fmt.Errorf("controlplane: region peer %s: %w", r, err)
		}
		s.regions.peers = append(s.regions.peers, nc)
		if peers[r], err = jetstream.New(nc); err != nil {
			return fmt.Errorf("controlplane: region peer %s: %w", r, err)
		}
	}
	var err error
	s.regions.direct, err = replicate.NewDirect(replicate.DirectConfig{JS: s.js, Region: s.cfg.Region, Peers: peers, Logger: s.cfg.Logger})
	if err != nil {
		return fmt.Errorf("controlplane: regions: %w", err)
	}
	return nil
}

// stopDirect stops the fast path and closes its connections.
func (s *Server) stopDirect() {
	if s.regions.direct != nil {
		_ = s.regions.direct.Close()
	}
	for _, nc := range s.regions.peers {
		nc.Close()
	}
}

// startRegions configures the region's bucket and aggregate, and starts
// the watch of its sources.
func (s *Server) startRegions(ctx, bg context.Context) error {
	if _, err := replicate.Configure(ctx, s.js, s.cfg.Region, s.cfg.Regions); err != nil {
		return fmt.Errorf("controlplane: regions: %w", err)
	}
	m, err := replicate.NewMonitor(replicate.MonitorConfig{JS: s.js, Region: s.cfg.Region, Regions: s.cfg.Regions,
		Threshold: s.cfg.RegionStall, Timeout: min(2*time.Second, max(s.cfg.RegionStall/2, 100*time.Millisecond))})
	if err != nil {
		return fmt.Errorf("controlplane: regions: %w", err)
	}
	s.regions = &regionState{}
	rc := replicate.ReaderConfig{JS: s.js, Clock: s.clock, Logger: s.cfg.Logger}
	if s.cfg.RedisURL != "" {
		if s.redis, err = newRedisCache(&s.cfg); err != nil {
			return err
		}
		rc.OnChange = s.redis.changed
	}
	if s.regions.merged, err = replicate.NewReader(rc); err != nil {
		return fmt.Errorf("controlplane: regions: %w", err)
	}
	if s.redis != nil {
		s.redis.merged = s.regions.merged
	}
	if s.follow, err = s.newModelFollow(s.cfg.RegionModelKeys); err != nil {
		_ = s.regions.merged.Close()
		return err
	}
	if err := s.startDirect(); err != nil {
		s.stopDirect()
		_ = s.regions.merged.Close()
		return err
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.followModels(bg) }()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.watchRegions(bg, m)
		s.stopDirect()
		_ = s.regions.merged.Close()
	}()
	if s.redis != nil {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.redis.run(bg, s.regions.merged) }()
	}
	return nil
}

// watchRegions checks the aggregate's sources a few times per stall
// threshold. A source that stalls is an incident (logged at Warn, and
// again at Info when it recovers). A source whose origin answers but that
// stalled or is not linked (it never started because its origin's bucket
// did not exist yet when the aggregate was configured, or it lost its
// origin, which came back, and the server's retry backoff reaches two
// minutes) is restarted (replicate.Resync), at most once per threshold
// at first and then less often while restarts do not help (resyncDue).
func (s *Server) watchRegions(ctx context.Context, m *replicate.Monitor) {
	stall := s.cfg.RegionStall
	t := time.NewTicker(max(stall/4, 50*time.Millisecond))
	defer t.Stop()
	start := time.Now()
	stalled := map[string]bool{}
	resynced := map[string]time.Time{}
	tries := map[string]int{} // restarts since the source was last healthy
	lost := map[string]bool{} // the origin could not be read, and has not answered since
	for {
		hs, err := m.Check(ctx)
		now := time.Now()
		s.regions.mu.Lock()
		s.regions.health, s.regions.checked, s.regions.err = hs, now, err
		s.regions.mu.Unlock()
		if err != nil && ctx.Err() == nil {
			s.cfg.Logger.Debug("controlplane: region check failed", "err", err)
		}
		for _, h := range hs {
			if h.Stalled != stalled[h.Region] {
				stalled[h.Region] = h.Stalled
				action := "region.recovered"
				if h.Stalled {
					action = "region.stalled"
					s.cfg.Logger.Warn("controlplane: incident: replication from a region stalled", "region", s.cfg.Region,
						"source", h.Region, "lag", h.Lag, "reachable", h.Reachable, "last_progress", h.Since, "err", h.Err)
				} else {
					s.cfg.Logger.Info("controlplane: replication from a region recovered", "region", s.cfg.Region, "source", h.Region)
				}
				detail, _ := json.Marshal(map[string]any{"lag": h.Lag, "reachable": h.Reachable, "error": h.Err})
				if err := s.Store.Record(ctx, history.Audit{Tenant: s.cfg.Tenant, Actor: "controlplane", Action: action,
					Target: "region:" + h.Region, Detail: string(detail)}); err != nil && ctx.Err() == nil {
					s.cfg.Logger.Warn("controlplane: auditing a region incident", "err", err)
				}
			}
			back := false // the origin answers again
			if !h.Reachable {
				lost[h.Region] = true
			} else if lost[h.Region] {
				lost[h.Region], back = false, true
			}
			if back || !h.Stalled && s.linked(h) {
				tries[h.Region] = 0 // healthy again, or its origin is back
			}
			// an origin that answers again gets its source restarted at
			// once, rather than after the server's retry backoff or a stall
			if h.Reachable && (back || now.Sub(start) > stall && (h.Stalled || !s.linked(h)) &&
				resyncDue(now, resynced[h.Region], tries[h.Region], stall)) {
				resynced[h.Region] = now
				tries[h.Region]++
				rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				err := replicate.Resync(rctx, s.js, s.cfg.Region, s.cfg.Regions, h.Region)
				cancel()
				s.cfg.Logger.Info("controlplane: region source restarted", "region", s.cfg.Region, "source", h.Region, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// resyncDue reports whether a source last restarted at last, restarted
// tries times since it was last healthy, may be restarted again at now:
// one stall threshold after the first restart, then twice as long after
// each that did not help, up to 16 thresholds. A source the server is
// still setting up under load would otherwise be torn down each
// threshold before it delivers, and never catch up.
func resyncDue(now, last time.Time, tries int, stall time.Duration) bool {
	return now.Sub(last) > stall<<min(max(tries-1, 0), 4)
}

// regionRows is the last check, one row per region, for the API and the
// dashboard.
func (s *Server) regionRows() (rows []map[string]any, checked time.Time, err error) {
	if s.regions == nil {
		return nil, time.Time{}, nil
	}
	s.regions.mu.Lock()
	hs, checked, err := slices.Clone(s.regions.health), s.regions.checked, s.regions.err
	s.regions.mu.Unlock()
	for _, h := range hs {
		row := map[string]any{"region": h.Region, "local": h.Region == s.cfg.Region, "seen": h.Seen, "origin_last": h.OriginLast,
			"lag": h.Lag, "reachable": h.Reachable, "linked": s.linked(h), "stalled": h.Stalled, "last_progress": h.Since.UTC(), "error": h.Err}
		if h.Active >= 0 {
			row["last_heard_ms"] = h.Active.Milliseconds()
		}
		if _, ok := s.cfg.RegionPeers[h.Region]; ok && s.regions.direct != nil {
			row["direct"] = s.regions.direct.Watching(h.Region)
		}
		if m := s.modelSync(h.Region); m != nil {
			row["models"] = m
		}
		rows = append(rows, row)
	}
	return rows, checked, err
}

// apiRegions lists the regions whose decisions this one sources, with the
// lag and state of each source.
func (s *Server) apiRegions(w http.ResponseWriter, _ *http.Request) {
	body := map[string]any{"region": s.cfg.Region, "multi_region": s.cfg.multiRegion(), "items": []any{}}
	rows, checked, err := s.regionRows()
	if rows != nil {
		body["items"] = rows
	}
	if !checked.IsZero() {
		body["checked"] = checked.UTC()
	}
	if err != nil {
		body["error"] = err.Error()
	}
	if s.redis != nil {
		body["redis"] = s.redis.status()
	}
	writeJSON(w, http.StatusOK, body)
}

// LeafURL is the URL, with credentials, that spoke regions give as
// LEAF_REMOTE to join this hub ("" unless it listens for leafnodes).
func (s *Server) LeafURL() string { return s.leafURL }

// leafOptions sets the embedded NATS's domain and leafnode links. The
// link is authenticated by a dedicated leafnode user (the hub's
// leafnodes{authorization}), bound to the one account every user shares:
// the SDK users' permissions are those of their own connections and do
// not change, and the server denies JetStream API and KV traffic between
// domains by itself.
func (s *Server) leafOptions(o *natsembed.Options) error {
	o.Domain, o.ServerName, o.LeafDeny = s.cfg.Region, "bulwark-"+s.cfg.Region, leafDeny
	if s.cfg.LeafAddr != "" {
		pass := s.cfg.LeafPassword
		if pass == "" {
			var err error
			if pass, err = secret(s.cfg.DataDir, "nats-leaf.password"); err != nil {
				return err
			}
		}
		o.LeafAddr, o.LeafUser, o.LeafPassword = s.cfg.LeafAddr, leafUser, pass
		o.LeafTLSCert, o.LeafTLSKey = s.cfg.LeafTLSCert, s.cfg.LeafTLSKey
		s.leafURL = (&url.URL{Scheme: "nats-leaf", User: url.UserPassword(leafUser, pass), Host: s.cfg.LeafAddr}).String()
	}
	if s.cfg.LeafRemote != "" {
		u, err := url.Parse(s.cfg.LeafRemote)
		if err != nil {
			return fmt.Errorf("controlplane: LEAF_REMOTE: %w", err)
		}
		o.LeafRemotes, o.LeafTLSCA = []*url.URL{u}, s.cfg.LeafTLSCA
	}
	return nil
}
