// Package server is the bulwark control plane: NATS JetStream (embedded
// by default), the warm history store (SQLite by default, PostgreSQL with
// DATABASE_URL), the ingest consumer, the decision service, the storage
// tiers, the authenticated API and the dashboard.
package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/internal/artefact"
	"github.com/bulwarkhq/bulwark/internal/decision"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/history/sqlhistory"
	"github.com/bulwarkhq/bulwark/internal/natsembed"
	"github.com/bulwarkhq/bulwark/internal/replicate"
	"github.com/bulwarkhq/bulwark/internal/stream"
)

// Version is reported by the API.
const Version = "0.1.0"

// Config configures a control plane. The zero value runs everything
// embedded under data/controlplane.
type Config struct {
	DataDir string // default "data/controlplane"
	Addr    string // API and dashboard; default "127.0.0.1:8090"

	// NATSURL points at a NATS server with JetStream; "" embeds one
	// listening on NATSAddr (default "127.0.0.1:4222"; port 0 picks one).
	NATSURL  string
	NATSAddr string
	// DatabaseURL selects PostgreSQL (pgx); "" keeps SQLite in DataDir.
	DatabaseURL string
	PGSchema    string // PostgreSQL schema; default "public"

	Tenant string // default "default"
	Region string // default "local"

	// Regions, when set, names every region (Region among them): the
	// control plane is one of several regions (regions.go). The embedded
	// NATS's JetStream domain is then the region's name, and the region's
	// aggregate of every region's decisions is configured and watched.
	// Empty: a single region, as always.
	Regions []string
	// LeafAddr ("host:port") makes the embedded NATS of the hub region
	// accept the leafnode connections of the other regions, authenticated
	// as user "leaf" with LeafPassword (default: a password generated in
	// DataDir/nats-leaf.password; LeafURL gives the URL to connect with).
	// LeafRemote (nats-leaf://leaf:password@host:port) makes a spoke
	// region connect to the hub.
	LeafAddr, LeafRemote, LeafPassword string
	// LeafTLSCert and LeafTLSKey (PEM files; LEAF_TLS_CERT, LEAF_TLS_KEY)
	// make the hub's leafnode listener require TLS with that certificate;
	// LeafTLSCA (LEAF_TLS_CA) makes a spoke link over TLS and verify the
	// hub's certificate against those CAs and LeafRemote's host name.
	// Default: plain TCP (the leaf password then crosses the link in the
	// clear; use it only on a private network).
	LeafTLSCert, LeafTLSKey, LeafTLSCA string
	// RegionPeers (REGION_PEERS), by region, are the NATS URLs of other
	// regions' control planes (their PeerURL, the "peer" user's): the
	// fast path. The control plane watches each such region's bucket over
	// a direct connection and copies its writes into the aggregate, one
	// link away instead of two through the hub; the sources stay the
	// durable path (regions.go). PeerPassword is the password of this
	// region's "peer" user, which may only watch its bucket (default: one
	// generated in DataDir/nats-peer.password).
	RegionPeers  map[string]string
	PeerPassword string
	// RegionStall is how long a region's source may make no progress
	// before it is reported stalled. Default 3s.
	RegionStall time.Duration
	// RegionAck is when the decision API answers a change (a ban, a
	// throttle, an allow-list entry, a removal): "local" (the default)
	// once this region recorded and published it, "all" (REGION_ACK=all)
	// once every other region's aggregate holds it too, waiting at most
	// RegionAckTimeout (REGION_ACK_TIMEOUT; default 5s): past it the
	// answer is 202 Accepted with the regions still pending (the change
	// is recorded and replicates when they are reachable). "all" closes
	// the window in which a region that dies outright loses its last
	// acknowledged writes, at the price of a round trip to the farthest
	// region (regions.go).
	RegionAck        string
	RegionAckTimeout time.Duration
	// RedisURL (with Regions) is the region's Redis, the one its SDK
	// instances share through storage/redis: the control plane writes
	// every ban and throttle of the region's merged aggregate through to
	// it, with its expiry, and clears it on removal (rediscache.go).
	// RedisPrefix is the SDK instances' storage/redis Config.Prefix
	// (default that package's default). RedisResync is how often the
	// whole aggregate is written again; default 1m.
	RedisURL, RedisPrefix string
	RedisResync           time.Duration

	WarmDays       int           // days of events kept in SQL; default 8
	ColdDays       int           // days of Parquet files kept; default 90
	StreamMaxAge   time.Duration // hot tier: age of stream messages; default 48h
	StreamMaxBytes int64         // hot tier: size of the stream; default 10 GiB
	// MinAllowBits4 and MinAllowBits6 are the widest allow-list CIDRs the
	// API accepts: defaults /16 and /48.
	MinAllowBits4, MinAllowBits6 int
	// MaxTTL bounds a ban or throttle. Default 30 days.
	MaxTTL time.Duration
	// AutoSuggest applies the suggested limit changes itself (actor
	// "auto-suggest" in the audit log) every SuggestInterval (default
	// 15m), instead of waiting for an operator to accept them.
	AutoSuggest     bool
	SuggestInterval time.Duration
	// Playbooks answers each new incident with a response a bandit
	// chooses per attack family (playbooks.go), every PlaybookInterval
	// (default 1m), and judges it PlaybookWindow (default 1h) after it
	// ends.
	Playbooks                        bool
	PlaybookInterval, PlaybookWindow time.Duration
	// PlaybookScale divides every response's length (not the window):
	// 60 turns a day's ban into 24 minutes, for replays and demos.
	// Default 1.
	PlaybookScale int
	// AnomalyInterval is how often the anomaly watch (alarms.go) looks
	// for closed hours (default 1m); it reads an hour AnomalyDelay
	// (default 2m) after the hour closes.
	AnomalyInterval, AnomalyDelay time.Duration
	// Alerts, when set, receives each anomaly alarm (alerting/webhook,
	// alerting/slack, ...), besides the log and the audit log.
	Alerts alerting.Sink
	// ModelKey is the model signing key, a key line ("bulwark-ed25519
	// <key id> <base64 seed>", MODEL_SIGNING_KEY); "" keeps one in
	// DataDir/model-signing.key, made on first start (key id "cp1").
	ModelKey string
	// RegionModelKeys (REGION_MODEL_KEYS) are the public keys of the
	// other regions' model signing keys ("<key id>:<base64>,…", as each
	// prints MODEL_KEYS): a region adopts another's model stage pointers
	// (regions_models.go) when the artefact is signed by its own key or
	// one of these. Regions that share MODEL_SIGNING_KEY need none.
	RegionModelKeys string
	// RetrainEvery retrains the combiner from the labelled events on a
	// schedule (RETRAIN_EVERY; retrain.go), skipping a run whose labels
	// and active model are the last run's; 0, the default, retrains only
	// on demand. RetrainOnDrift (RETRAIN_ON_DRIFT=1) also retrains when
	// the drift watch raises an incident. RetrainBudget is the random
	// search's time budget (RETRAIN_BUDGET; default 20s, at most 45s).
	RetrainEvery   time.Duration
	RetrainOnDrift bool
	RetrainBudget  time.Duration
	// CanaryCheckEvery is how often the canary watch compares the
	// combiner's canary with its active model and promotes or rolls it
	// back (CANARY_CHECK_EVERY; lifecycle.go; default 1m, negative turns
	// the automation off). CanaryMargin is the largest loss of FPR (and
	// of recall) a canary may show (CANARY_MARGIN; default 0.05);
	// CanaryMinSample the labelled events of each class each model needs
	// before a decision (CANARY_MIN_SAMPLE; default 60); CanaryChecks the
	// worse checks in a row that roll back (CANARY_CHECKS; default 3).
	CanaryCheckEvery time.Duration
	CanaryMargin     float64
	CanaryMinSample  int
	CanaryChecks     int
	// PrivacyBudget is the ε each tenant may spend on private exports
	// (export.go), an exact decimal or fraction; default "10". Spent ε
	// never comes back.
	PrivacyBudget string
	privacyBudget *big.Rat
	// IngestWorkers is how many transactions the ingest runs at once.
	// Default: 1 for SQLite (one writer), 3 for PostgreSQL.
	IngestWorkers int
	// APIRate is the per-client rate of the API and dashboard, which sit
	// behind bulwark's own middleware. Default "1200-M".
	APIRate string

	// TLSCert and TLSKey serve the API over TLS; with TLSClientCA every
	// client must also present a certificate signed by it (mutual TLS),
	// on top of its token.
	TLSCert, TLSKey, TLSClientCA string

	Logger *slog.Logger
	Now    func() time.Time
}

func (c *Config) defaults() error {
	if c.DataDir == "" {
		c.DataDir = filepath.Join("data", "controlplane")
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8090"
	}
	if c.NATSAddr == "" {
		c.NATSAddr = "127.0.0.1:4222"
	}
	if c.Tenant == "" {
		c.Tenant = stream.DefaultTenant
	}
	if c.Region == "" {
		c.Region = stream.DefaultRegion
	}
	if c.WarmDays == 0 {
		c.WarmDays = 8
	}
	if c.ColdDays == 0 {
		c.ColdDays = 90
	}
	if c.StreamMaxAge == 0 {
		c.StreamMaxAge = 48 * time.Hour
	}
	if c.StreamMaxBytes == 0 {
		c.StreamMaxBytes = 10 << 30
	}
	if c.MinAllowBits4 == 0 {
		c.MinAllowBits4 = 16
	}
	if c.MinAllowBits6 == 0 {
		c.MinAllowBits6 = 48
	}
	if c.IngestWorkers == 0 {
		c.IngestWorkers = 1
		if c.DatabaseURL != "" {
			c.IngestWorkers = 3
		}
	}
	if c.APIRate == "" {
		c.APIRate = "1200-M"
	}
	if c.SuggestInterval <= 0 {
		c.SuggestInterval = 15 * time.Minute
	}
	if c.PrivacyBudget == "" {
		c.PrivacyBudget = "10"
	}
	b, ok := new(big.Rat).SetString(c.PrivacyBudget)
	if !ok || b.Sign() <= 0 {
		return fmt.Errorf("controlplane: privacy budget %q: a positive number", c.PrivacyBudget)
	}
	c.privacyBudget = b
	if c.AnomalyInterval <= 0 {
		c.AnomalyInterval = time.Minute
	}
	if c.AnomalyDelay <= 0 {
		c.AnomalyDelay = 2 * time.Minute
	}
	if c.PlaybookInterval <= 0 {
		c.PlaybookInterval = time.Minute
	}
	if c.PlaybookScale < 1 {
		c.PlaybookScale = 1
	}
	if c.PlaybookWindow <= 0 {
		c.PlaybookWindow = time.Hour
	}
	if c.MaxTTL == 0 {
		c.MaxTTL = 30 * 24 * time.Hour
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.WarmDays < 1 || c.ColdDays < c.WarmDays {
		return errors.New("controlplane: want WarmDays >= 1 and ColdDays >= WarmDays")
	}
	if err := c.regionDefaults(); err != nil {
		return err
	}
	if err := c.retrainDefaults(); err != nil {
		return err
	}
	if err := c.canaryDefaults(); err != nil {
		return err
	}
	if (c.TLSCert == "") != (c.TLSKey == "") || (c.TLSClientCA != "" && c.TLSCert == "") {
		return errors.New("controlplane: TLS needs both TLS_CERT and TLS_KEY (and them for TLS_CLIENT_CA)")
	}
	return os.MkdirAll(c.DataDir, 0o700)
}

// Server is a running control plane.
type Server struct {
	cfg       Config
	key       []byte
	nats      *natsserver.Server // nil with NATSURL
	nc        *nats.Conn
	js        jetstream.JetStream
	kv        jetstream.KeyValue
	Store     history.Store
	clock     *decision.Clock
	ingest    *ingestor
	drift     *driftWatch
	refusals  refusalWatch // models.go
	penalties penaltyWatch // decisions.go
	cold      *coldTier
	http      *http.Server
	ln        net.Listener
	sdkURL    string
	decMu     sync.Mutex
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	handler   http.Handler
	apiGuard  *bulwark.Guard // the API's own protection
	playbooks *playbooks     // nil unless Config.Playbooks
	watch     *anomalyWatch
	signer    *artefact.Signer
	follow    *modelFollow       // the other regions' model pointers; nil in one region
	pointers  jetstream.KeyValue // model stage pointers
	retrain   *retrainer         // retrain.go
	canary    *canaryWatch       // lifecycle.go
	regions   *regionState       // nil unless Config.Regions
	leafURL   string             // the hub's leafnode URL for spokes
	peerURL   string             // this region's NATS as other regions' fast path reaches it
	redis     *redisCache        // nil unless Config.RedisURL
}

// New starts NATS (unless external), opens the store, and starts the
// ingest, the decision relay, the tiers and the HTTP server.
func New(ctx context.Context, cfg Config) (_ *Server, err error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, clock: decision.NewClock(cfg.Now)}
	defer func() {
		if err != nil {
			_ = s.Close(context.Background())
		}
	}()
	if s.key, err = LoadOrCreateKey(cfg.DataDir); err != nil {
		return nil, err
	}
	if err = s.startNATS(); err != nil {
		return nil, err
	}
	if cfg.DatabaseURL != "" {
		s.Store, err = sqlhistory.OpenPostgres(ctx, cfg.DatabaseURL, sqlhistory.Options{Schema: cfg.PGSchema, Now: cfg.Now})
	} else {
		s.Store, err = sqlhistory.OpenSQLite(ctx, filepath.Join(cfg.DataDir, "history.db"), sqlhistory.Options{Now: cfg.Now})
	}
	if err != nil {
		return nil, err
	}
	if _, err = stream.EnsureStream(ctx, s.js, cfg.StreamMaxAge, cfg.StreamMaxBytes); err != nil {
		return nil, fmt.Errorf("controlplane: events stream: %w", err)
	}
	if s.kv, err = stream.EnsureDecisionBucket(ctx, s.js, cfg.Region); err != nil {
		return nil, fmt.Errorf("controlplane: decision bucket: %w", err)
	}
	if err = s.startModels(ctx); err != nil {
		return nil, err
	}
	if s.ingest, err = newIngestor(ctx, s.js, s.Store, cfg.IngestWorkers, cfg.Logger); err != nil {
		return nil, err
	}
	s.cold = &coldTier{dir: filepath.Join(cfg.DataDir, "cold"), store: s.Store, cfg: &s.cfg}
	bg, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if cfg.multiRegion() {
		if err = s.startRegions(ctx, bg); err != nil {
			return nil, err
		}
	}
	if err = s.startRetrain(ctx, bg); err != nil {
		return nil, err
	}
	s.canary = &canaryWatch{versions: map[string]string{}}
	if cfg.CanaryCheckEvery > 0 {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.every(bg, cfg.CanaryCheckEvery, "canary watch", s.checkCanary) }()
	}
	s.drift = newDriftWatch()
	s.ingest.onCommit = s.drift.observe // set before the ingestor runs
	// what the instances' health reports ask for (a model.refused
	// incident, whose alert may wait seconds on a webhook; a penalty ban
	// written through the store) runs on its own goroutine, off the
	// ingest worker: the queue blocks the worker only when full
	reports := make(chan []*event.Report, reportQueue)
	s.ingest.onReports = func(ctx context.Context, rs []*event.Report) {
		select {
		case reports <- rs:
		case <-ctx.Done():
		}
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			select {
			case <-bg.Done():
				return
			case rs := <-reports:
				s.observeRefusals(bg, rs)
				s.replicatePenalties(bg, rs)
			}
		}
	}()
	s.wg.Add(4)
	go func() { defer s.wg.Done(); s.raiseDrift(bg) }()
	go func() { defer s.wg.Done(); s.ingest.run(bg) }()
	go func() { defer s.wg.Done(); s.relay(bg) }()
	go func() { defer s.wg.Done(); s.cold.run(bg, cfg.Now) }()
	if s.watch, err = newAnomalyWatch(s); err != nil {
		return nil, err
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.every(bg, s.cfg.AnomalyInterval, "anomaly watch", s.watch.step) }()
	if s.cfg.Playbooks {
		if s.playbooks, err = newPlaybooks(s); err != nil {
			return nil, err
		}
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.every(bg, s.cfg.PlaybookInterval, "playbooks", s.playbooks.step) }()
	}
	if s.cfg.AutoSuggest {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.autoSuggest(bg, s.cfg.SuggestInterval) }()
	}
	if s.handler, err = s.routes(); err != nil {
		return nil, err
	}
	if err = s.listen(); err != nil {
		return nil, err
	}
	return s, nil
}

// sdkPermissions are what an SDK instance may do on NATS: publish events,
// read (watch) the decision bucket (and, with aggregate, the region's
// aggregate of every region's decisions) and the model store, nothing more.
func sdkPermissions(region string, aggregate bool) *natsserver.Permissions {
	kv := "KV_" + stream.DecisionBucket(region)
	models := "OBJ_" + artefact.ObjectBucket
	stages := "KV_" + artefact.PointerBucket
	p := &natsserver.Permissions{
		Publish: &natsserver.SubjectPermission{
			Allow: []string{
				stream.SubjectPrefix + ".>",
				"$JS.API.INFO",
				"$JS.API.STREAM.INFO." + kv, "$JS.API.CONSUMER.CREATE." + kv, "$JS.API.CONSUMER.CREATE." + kv + ".>",
				"$JS.API.CONSUMER.DELETE." + kv + ".>", "$JS.API.CONSUMER.INFO." + kv + ".>",
				"$JS.API.STREAM.INFO." + models, "$JS.API.CONSUMER.CREATE." + models + ".>",
				"$JS.API.CONSUMER.DELETE." + models + ".>", "$JS.API.DIRECT.GET." + models + ".>",
				"$JS.API.STREAM.MSG.GET." + models,
				"$JS.API.STREAM.INFO." + stages, "$JS.API.CONSUMER.CREATE." + stages, "$JS.API.CONSUMER.CREATE." + stages + ".>",
				"$JS.API.CONSUMER.DELETE." + stages + ".>", "$JS.API.CONSUMER.INFO." + stages + ".>",
				"$JS.API.DIRECT.GET." + stages + ".>", "$JS.API.STREAM.MSG.GET." + stages,
				"$JS.FC.>", "$JS.ACK." + kv + ".>", "$JS.ACK." + models + ".>", "$JS.ACK." + stages + ".>",
			},
			Deny: []string{"$KV.>", "$O.>", "$JS.API.STREAM.CREATE.>", "$JS.API.STREAM.UPDATE.>", "$JS.API.STREAM.DELETE.>",
				"$JS.API.STREAM.PURGE.>", "$JS.API.STREAM.MSG.DELETE.>"},
		},
		Subscribe: &natsserver.SubjectPermission{Allow: []string{"_INBOX.>"}},
	}
	if aggregate {
		agg := "KV_" + replicate.AggregateBucket
		p.Publish.Allow = append(p.Publish.Allow,
			"$JS.API.STREAM.INFO."+agg, "$JS.API.CONSUMER.CREATE."+agg, "$JS.API.CONSUMER.CREATE."+agg+".>",
			"$JS.API.CONSUMER.DELETE."+agg+".>", "$JS.API.CONSUMER.INFO."+agg+".>", "$JS.ACK."+agg+".>")
	}
	return p
}

func secret(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	if b, err := os.ReadFile(p); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	v := hex.EncodeToString(b)
	return v, os.WriteFile(p, []byte(v+"\n"), 0o600)
}

func (s *Server) startNATS() error {
	url := s.cfg.NATSURL
	var opts []nats.Option
	if url == "" {
		host, portS, err := net.SplitHostPort(s.cfg.NATSAddr)
		if err != nil {
			return fmt.Errorf("controlplane: NATS_ADDR: %w", err)
		}
		var port int
		if _, err := fmt.Sscan(portS, &port); err != nil {
			return fmt.Errorf("controlplane: NATS_ADDR port: %w", err)
		}
		cpPass, err := secret(s.cfg.DataDir, "nats-controlplane.password")
		if err != nil {
			return err
		}
		sdkPass, err := secret(s.cfg.DataDir, "nats-sdk.password")
		if err != nil {
			return err
		}
		o := natsembed.Options{Dir: filepath.Join(s.cfg.DataDir, "jetstream"), Host: host, Port: port,
			Users: []*natsserver.User{
				{Username: "controlplane", Password: cpPass},
				{Username: "sdk", Password: sdkPass, Permissions: sdkPermissions(s.cfg.Region, s.cfg.multiRegion())},
			}}
		var peerPass string
		if s.cfg.multiRegion() {
			if err := s.leafOptions(&o); err != nil {
				return err
			}
			if peerPass = s.cfg.PeerPassword; peerPass == "" {
				if peerPass, err = secret(s.cfg.DataDir, "nats-peer.password"); err != nil {
					return err
				}
			}
			o.Users = append(o.Users, &natsserver.User{Username: peerUser, Password: peerPass, Permissions: peerPermissions(s.cfg.Region)})
		}
		s.nats, err = natsembed.Start(o)
		if err != nil {
			return fmt.Errorf("controlplane: embedded NATS (set NATS_ADDR to another address, or NATS_URL to use a running server): %w", err)
		}
		addr := s.nats.Addr().(*net.TCPAddr)
		url = fmt.Sprintf("nats://%s:%d", host, addr.Port)
		s.sdkURL = fmt.Sprintf("nats://sdk:%s@%s:%d", sdkPass, host, addr.Port)
		if peerPass != "" {
			s.peerURL = peerURL(host, addr.Port, peerPass)
		}
		opts = append(opts, nats.UserInfo("controlplane", cpPass))
	} else {
		s.sdkURL = url
	}
	opts = append(opts, nats.Name("bulwark-controlplane"), nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond),
		nats.RetryOnFailedConnect(true))
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return fmt.Errorf("controlplane: NATS: %w", err)
	}
	s.nc = nc
	s.js, err = jetstream.New(nc)
	return err
}

// SDKURL is the NATS URL (with the SDK user's credentials when embedded)
// that SDK instances use.
func (s *Server) SDKURL() string { return s.sdkURL }

// NATSServer is the embedded NATS server (nil with NATS_URL).
func (s *Server) NATSServer() *natsserver.Server { return s.nats }

// Key returns the token signing key.
func (s *Server) Key() []byte { return s.key }

// Handler is the HTTP handler (API, dashboard).
func (s *Server) Handler() http.Handler { return s.handler }

// URL is where the API listens.
func (s *Server) URL() string {
	scheme := "http"
	if s.cfg.TLSCert != "" {
		scheme = "https"
	}
	return scheme + "://" + s.ln.Addr().String()
}

// IngestStats returns the ingest consumer's counters.
func (s *Server) IngestStats() IngestStats { return s.ingest.stats() }

func (s *Server) listen() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("controlplane: listen %s: %w", s.cfg.Addr, err)
	}
	s.http = &http.Server{Handler: s.handler, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, MaxHeaderBytes: 64 << 10}
	if s.cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("controlplane: TLS: %w", err)
		}
		tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if s.cfg.TLSClientCA != "" {
			pem, err := os.ReadFile(s.cfg.TLSClientCA)
			if err != nil {
				_ = ln.Close()
				return err
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				_ = ln.Close()
				return errors.New("controlplane: TLS_CLIENT_CA has no certificate")
			}
			tc.ClientCAs, tc.ClientAuth = pool, tls.RequireAndVerifyClientCert
		}
		ln = tls.NewListener(ln, tc)
	}
	s.ln = ln
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.cfg.Logger.Error("controlplane: http", "err", err)
		}
	}()
	return nil
}

// Close stops everything, waiting for the ingest to finish its batch.
func (s *Server) Close(ctx context.Context) error {
	var errs []error
	if s.http != nil {
		errs = append(errs, s.http.Shutdown(ctx))
	}
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	if s.apiGuard != nil {
		errs = append(errs, s.apiGuard.Close())
	}
	if s.nc != nil {
		s.nc.Close()
	}
	if s.Store != nil {
		errs = append(errs, s.Store.Close())
	}
	if s.redis != nil {
		errs = append(errs, s.redis.close())
	}
	if s.nats != nil {
		natsembed.Stop(s.nats)
	}
	return errors.Join(errs...)
}
