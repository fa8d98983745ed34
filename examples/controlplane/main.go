// Command controlplane is bulwark's companion server: it takes the events
// of every SDK instance (NATS JetStream, embedded by default), keeps their
// history (SQLite by default, PostgreSQL with DATABASE_URL; Parquet files
// for the cold tier), and serves an authenticated API and a dashboard
// from which operators ban or allow clients for the whole fleet.
//
//	go run ./examples/controlplane                    # serve (embedded NATS and SQLite under data/controlplane)
//	go run ./examples/controlplane token -scope read,decisions:write
//	go run ./examples/controlplane verify             # check the audit log's hash chain
//	go run ./examples/controlplane load -rate 100000  # end-to-end load: exporter -> JetStream -> store
//	go run ./examples/controlplane querybench         # dashboard queries over 10M events of 7 days
//
// Environment (serve): ADDR (127.0.0.1:8090), DATA_DIR (data/controlplane),
// NATS_URL (use this NATS instead of embedding one), NATS_ADDR (embedded
// NATS's address, 127.0.0.1:4222), DATABASE_URL (PostgreSQL), REGION,
// TENANT, WARM_DAYS (8), COLD_DAYS (90), TLS_CERT, TLS_KEY, TLS_CLIENT_CA
// (mutual TLS), AUTO_SUGGEST=1 (apply suggested limit changes without an
// operator), PLAYBOOKS=1 (answer incidents with the playbooks' bandits),
// PRIVACY_BUDGET (10: the ε a tenant may spend on private exports),
// ALERT_WEBHOOK_URL and ALERT_WEBHOOK_SECRET (a signed webhook that gets
// the incidents: anomaly alarms, drifts),
// PLAYBOOK_WINDOW (1h: how long after a response its client is watched),
// PLAYBOOK_SCALE (1: divides response lengths, for replays and demos),
// MODEL_SIGNING_KEY (the model signing key line; default: one kept in
// DATA_DIR/model-signing.key), RETRAIN_EVERY (off: how often the combiner
// is retrained from the labelled events into a candidate, e.g. 24h; a run
// with no new label does nothing), RETRAIN_ON_DRIFT=1 (also retrain when
// the drift watch raises an incident), RETRAIN_BUDGET (20s: the tuning's
// time budget, at most 45s), CANARY_CHECK_EVERY (1m: how often the
// combiner's canary is compared with the active model and promoted or
// rolled back; negative: off), CANARY_MARGIN (0.05), CANARY_MIN_SAMPLE
// (60 labelled events a class and model), CANARY_CHECKS (3 worse checks
// in a row roll back).
//
// Several regions (each its own control plane and embedded NATS, whose
// JetStream domain is the region's name): REGIONS (every region's name,
// comma-separated, REGION among them; unset: a single region), LEAF_ADDR
// (the hub region's leafnode listener, host:port), LEAF_PASSWORD (the
// hub's leafnode password; default generated in DATA_DIR), LEAF_REMOTE
// (the other regions: the hub's nats-leaf://leaf:password@host:port, as
// the hub prints it), LEAF_TLS_CERT and LEAF_TLS_KEY (the hub: require
// TLS on the leafnode listener with this certificate), LEAF_TLS_CA (a
// spoke: link over TLS and verify the hub against these CAs),
// REGION_PEERS (region=url,…: the other regions' NATS as each prints it,
// the fast path that reaches every region in one link rather than two
// through the hub; PEER_PASSWORD: this region's password for it, default
// generated in DATA_DIR), REGION_STALL (3s: how long a region's source may
// make no progress before it is an incident), REGION_ACK (local: the
// decision API answers once this region recorded and published a change;
// all: once every other region holds it, or 202 with the regions pending
// after REGION_ACK_TIMEOUT, 5s), REGION_MODEL_KEYS (the other regions'
// model keys, as each prints MODEL_KEYS: a region adopts another's newer
// model stage pointers when it trusts the key that signed them; regions
// that share MODEL_SIGNING_KEY need none), REDIS_URL (the region's
// Redis: every ban and throttle of the merged decisions is written
// through to it, with its expiry, and cleared on removal; REDIS_PREFIX:
// the SDK instances' storage/redis prefix, "bulwark:example:" for
// examples/chi). SDK instances then watch their region's aggregate of
// every region's decisions (examples/chi: DECISIONS=aggregate).
//
//	REGION=eu REGIONS=eu,us LEAF_ADDR=127.0.0.1:7422 go run ./examples/controlplane
//	REGION=us REGIONS=eu,us LEAF_REMOTE='nats-leaf://leaf:…@127.0.0.1:7422' ADDR=127.0.0.1:8091 \
//	  NATS_ADDR=127.0.0.1:4223 DATA_DIR=data/cp-us go run ./examples/controlplane
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bulwarkhq/bulwark/alerting/webhook"
	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/history/sqlhistory"
)

func main() {
	cmd := "serve"
	args := os.Args[1:]
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(args)
	case "token":
		err = token(args)
	case "verify":
		err = verify(args)
	case "load":
		err = load(args)
	case "querybench":
		err = querybench(args)
	default:
		err = fmt.Errorf("unknown command %q: want serve, token, verify, load or querybench", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "controlplane:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// natsAddr is NATS_ADDR, or 127.0.0.1:4222 when that port is free, or
// else another free loopback port: a machine that runs its own NATS
// server (Debian's nats-server package starts one on 4222) still gets the
// embedded one, and the NATS_URL printed at start names the port taken.
func natsAddr() string {
	if v := os.Getenv("NATS_ADDR"); v != "" {
		return v
	}
	const def = "127.0.0.1:4222"
	ln, err := net.Listen("tcp", def)
	if err == nil {
		_ = ln.Close()
		return def
	}
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return def // the embedded server will say why it cannot listen
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	fmt.Fprintf(os.Stderr, "controlplane: %s is taken (another NATS server?); the embedded NATS listens on %s (set NATS_ADDR to choose)\n", def, addr)
	return addr
}

func configFromEnv() (server.Config, error) {
	c := server.Config{
		Addr: env("ADDR", "127.0.0.1:8090"), DataDir: env("DATA_DIR", "data/controlplane"),
		NATSURL: os.Getenv("NATS_URL"), DatabaseURL: os.Getenv("DATABASE_URL"),
		Region: os.Getenv("REGION"), Tenant: os.Getenv("TENANT"),
		TLSCert: os.Getenv("TLS_CERT"), TLSKey: os.Getenv("TLS_KEY"), TLSClientCA: os.Getenv("TLS_CLIENT_CA"),
	}
	if c.NATSURL == "" {
		c.NATSAddr = natsAddr()
	}
	if v := os.Getenv("REGIONS"); v != "" {
		for _, r := range strings.Split(v, ",") {
			if r = strings.TrimSpace(r); r != "" {
				c.Regions = append(c.Regions, r)
			}
		}
	}
	c.LeafAddr, c.LeafRemote, c.LeafPassword = os.Getenv("LEAF_ADDR"), os.Getenv("LEAF_REMOTE"), os.Getenv("LEAF_PASSWORD")
	c.LeafTLSCert, c.LeafTLSKey, c.LeafTLSCA = os.Getenv("LEAF_TLS_CERT"), os.Getenv("LEAF_TLS_KEY"), os.Getenv("LEAF_TLS_CA")
	// REGION_PEERS: region=url,… the other regions' PEER_URL (the fast
	// path, one link instead of two through the hub)
	c.PeerPassword = os.Getenv("PEER_PASSWORD")
	if v := os.Getenv("REGION_PEERS"); v != "" {
		c.RegionPeers = map[string]string{}
		for _, kv := range strings.Split(v, ",") {
			r, u, ok := strings.Cut(strings.TrimSpace(kv), "=")
			if !ok || r == "" || u == "" {
				return c, fmt.Errorf("REGION_PEERS=%q: want region=nats://peer:password@host:port,…", v)
			}
			c.RegionPeers[r] = u
		}
	}
	// REDIS_URL: the region's Redis, which the merged decisions are
	// written through to (REDIS_PREFIX: the SDK instances' key prefix)
	if v := os.Getenv("REDIS_URL"); v != "" && len(c.Regions) > 0 {
		c.RedisURL, c.RedisPrefix = v, os.Getenv("REDIS_PREFIX")
	} else if v != "" {
		fmt.Fprintln(os.Stderr, "controlplane: REDIS_URL is ignored without REGIONS (the write-through is of the regions' merged decisions)")
	}
	c.RegionAck = os.Getenv("REGION_ACK")
	if v := os.Getenv("REGION_ACK_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("REGION_ACK_TIMEOUT=%q: a positive duration", v)
		}
		c.RegionAckTimeout = d
	}
	if v := os.Getenv("REGION_STALL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond {
			return c, fmt.Errorf("REGION_STALL=%q: a duration of 100ms or more", v)
		}
		c.RegionStall = d
	}
	// ALERT_WEBHOOK_URL (with ALERT_WEBHOOK_SECRET, the HMAC key the
	// receiver verifies with webhook.VerifyRequest) receives the control
	// plane's incidents: anomaly alarms and drifts
	if u := os.Getenv("ALERT_WEBHOOK_URL"); u != "" {
		secret := os.Getenv("ALERT_WEBHOOK_SECRET")
		if secret == "" {
			return c, errors.New("ALERT_WEBHOOK_URL needs ALERT_WEBHOOK_SECRET (the key its signatures are made with)")
		}
		sink, err := webhook.New(webhook.Config{URL: u, Secret: []byte(secret)})
		if err != nil {
			return c, fmt.Errorf("ALERT_WEBHOOK_URL: %w", err)
		}
		c.Alerts = sink
	}
	// AUTO_SUGGEST=1 applies suggested limit changes without an operator
	c.AutoSuggest = os.Getenv("AUTO_SUGGEST") == "1"
	// PLAYBOOKS=1 answers incidents with the playbooks' bandits
	c.Playbooks = os.Getenv("PLAYBOOKS") == "1"
	c.PrivacyBudget = os.Getenv("PRIVACY_BUDGET")
	c.ModelKey = os.Getenv("MODEL_SIGNING_KEY")
	c.RegionModelKeys = os.Getenv("REGION_MODEL_KEYS")
	if v := os.Getenv("PLAYBOOK_WINDOW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			return c, fmt.Errorf("PLAYBOOK_WINDOW=%q: a duration of 1s or more", v)
		}
		c.PlaybookWindow = d
	}
	if v := os.Getenv("PLAYBOOK_SCALE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return c, fmt.Errorf("PLAYBOOK_SCALE=%q: a positive integer", v)
		}
		c.PlaybookScale = n
	}
	// RETRAIN_EVERY, RETRAIN_BUDGET and RETRAIN_ON_DRIFT=1: the combiner's
	// retrain (server.Config)
	for name, p := range map[string]*time.Duration{"RETRAIN_EVERY": &c.RetrainEvery, "RETRAIN_BUDGET": &c.RetrainBudget} {
		if v := os.Getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Second {
				return c, fmt.Errorf("%s=%q: a duration of 1s or more", name, v)
			}
			*p = d
		}
	}
	c.RetrainOnDrift = os.Getenv("RETRAIN_ON_DRIFT") == "1"
	// CANARY_CHECK_EVERY, CANARY_MARGIN, CANARY_MIN_SAMPLE, CANARY_CHECKS:
	// the canary watch (server.Config)
	if v := os.Getenv("CANARY_CHECK_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d == 0 {
			return c, fmt.Errorf("CANARY_CHECK_EVERY=%q: a duration (negative: off)", v)
		}
		c.CanaryCheckEvery = d
	}
	if v := os.Getenv("CANARY_MARGIN"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f > 0 && f < 1) {
			return c, fmt.Errorf("CANARY_MARGIN=%q: a number in (0,1)", v)
		}
		c.CanaryMargin = f
	}
	for name, p := range map[string]*int{"CANARY_MIN_SAMPLE": &c.CanaryMinSample, "CANARY_CHECKS": &c.CanaryChecks} {
		if v := os.Getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return c, fmt.Errorf("%s=%q: a positive integer", name, v)
			}
			*p = n
		}
	}
	for name, p := range map[string]*int{"WARM_DAYS": &c.WarmDays, "COLD_DAYS": &c.ColdDays} {
		if v := os.Getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return c, fmt.Errorf("%s=%q: want a positive number of days", name, v)
			}
			*p = n
		}
	}
	return c, nil
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	printToken := fs.Bool("print-login", true, "print a dashboard sign-in link with a 12 h token (read, decisions:write)")
	_ = fs.Parse(args)
	cfg, err := configFromEnv()
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	slog.SetDefault(logger)
	cfg.Logger = logger
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := server.New(ctx, cfg)
	if err != nil {
		return err
	}
	store := "sqlite " + cfg.DataDir + "/history.db"
	if cfg.DatabaseURL != "" {
		store = "postgres"
	}
	logger.Info("control plane up", "api", s.URL(), "store", store, "nats_embedded", cfg.NATSURL == "")
	fmt.Printf("\nSDK instances: NATS_URL='%s' MODEL_KEYS='%s'\n", s.SDKURL(), s.ModelKeys())
	if len(cfg.Regions) > 0 {
		fmt.Printf("SDK instances of region %s: DECISIONS=aggregate REGION=%s\n", cfg.Region, cfg.Region)
	}
	if u := s.LeafURL(); u != "" {
		fmt.Printf("Other regions: LEAF_REMOTE='%s'\n", u)
	}
	if u := s.PeerURL(); u != "" {
		fmt.Printf("Other regions' fast path: REGION_PEERS='%s=%s'\n", cfg.Region, u)
	}
	if len(cfg.Regions) > 0 {
		fmt.Printf("Other regions, to adopt this one's models: REGION_MODEL_KEYS='%s'\n", s.ModelKeys())
	}
	if *printToken {
		tok, err := server.Mint(s.Key(), "operator", "", []string{server.ScopeRead, server.ScopeDecisions}, 12*time.Hour, time.Now())
		if err != nil {
			return err
		}
		fmt.Printf("Dashboard:     %s/login#token=%s\n\n", s.URL(), tok)
	}
	<-ctx.Done()
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.Close(shut)
}

func token(args []string) error {
	fs := flag.NewFlagSet("token", flag.ExitOnError)
	scope := fs.String("scope", "read", "comma-separated scopes: read, decisions:write, admin")
	sub := fs.String("sub", "operator", "subject (who the token is for; written to the audit log)")
	ttl := fs.Duration("ttl", time.Hour, "lifetime, at most 24h")
	_ = fs.Parse(args)
	key, err := server.LoadOrCreateKey(env("DATA_DIR", "data/controlplane"))
	if err != nil {
		return err
	}
	tok, err := server.Mint(key, *sub, "", strings.Split(*scope, ","), *ttl, time.Now())
	if err != nil {
		return err
	}
	fmt.Println(tok)
	return nil
}

func verify(args []string) error {
	fs := flag.NewFlagSet("verify", flag.ExitOnError)
	_ = fs.Parse(args)
	ctx := context.Background()
	cfg, err := configFromEnv()
	if err != nil {
		return err
	}
	var s *sqlhistory.Store
	if cfg.DatabaseURL != "" {
		s, err = sqlhistory.OpenPostgres(ctx, cfg.DatabaseURL, sqlhistory.Options{})
	} else {
		s, err = sqlhistory.OpenSQLite(ctx, cfg.DataDir+"/history.db", sqlhistory.Options{})
	}
	if err != nil {
		return err
	}
	defer s.Close()
	head, err := s.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("audit log intact: %d rows, head %x\n", head.Seq, head.Hash)
	return nil
}
