// Package natsembed runs a NATS server with JetStream inside the process:
// the control plane's default, and the tests' server (the machine's
// packaged nats-server is too old for the KV and stream features used).
package natsembed

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Options configures an embedded server.
type Options struct {
	// Dir holds the JetStream file store. Required.
	Dir string
	// Host and Port to listen on. Defaults: 127.0.0.1 and a random port
	// (Port 0); -1 also means random.
	Host string
	Port int
	// Users, when set, are the only accounts allowed to connect (each with
	// its permissions). Nil: no authentication (tests only).
	Users []*server.User
	// TLS, when set, is required of clients.
	TLS *server.Options
	// Logs prints the server's log to stderr.
	Logs bool
	// ServerName names the server (JetStream wants a stable one per data
	// directory). Default "bulwark".
	ServerName string

	// Domain, when set, is the server's JetStream domain (multi-region:
	// the region's name). Default: none, as a single region has always run.
	Domain string
	// LeafAddr, when set ("host:port", a fixed port), makes the server
	// accept leafnode connections there (the hub region), authenticated by
	// LeafUser and LeafPassword, which then are required.
	LeafAddr               string
	LeafUser, LeafPassword string
	// LeafRemotes are the leafnode URLs (nats-leaf://user:password@host:port)
	// the server connects to (a spoke region connects to the hub).
	LeafRemotes []*url.URL
	// LeafDeny are subjects that never cross a leafnode link in either
	// direction (the events stream stays regional). Applied on the remotes,
	// which is enough for a link: the hub sends nothing the spoke does not
	// import, and gets nothing it does not export.
	LeafDeny []string
	// LeafTLSCert and LeafTLSKey (PEM files) make the leafnode listener
	// require TLS with that certificate. LeafTLSCA (a PEM file of CA
	// certificates) makes the remotes use TLS and verify the hub's
	// certificate against it, and its name against the remote URL's host.
	// The leaf password then crosses the link encrypted.
	LeafTLSCert, LeafTLSKey, LeafTLSCA string
}

// Start starts the server and waits until it accepts connections.
func Start(o Options) (*server.Server, error) {
	if o.Dir == "" {
		return nil, errors.New("natsembed: Options.Dir is required")
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.Port == 0 {
		o.Port = -1
	}
	if o.ServerName == "" {
		o.ServerName = "bulwark"
	}
	opts := &server.Options{
		ServerName: o.ServerName,
		Host:       o.Host,
		Port:       o.Port,
		JetStream:  true,
		StoreDir:   o.Dir,
		NoSigs:     true,
		NoLog:      !o.Logs,
		// Big enough for a batch of events, small enough to bound a bad client.
		MaxPayload: 8 << 20,
		Users:      o.Users,
	}
	if o.Domain != "" {
		opts.JetStreamDomain = o.Domain
	}
	if o.LeafAddr != "" {
		if o.LeafUser == "" || o.LeafPassword == "" {
			return nil, errors.New("natsembed: a leafnode listener needs LeafUser and LeafPassword")
		}
		host, portS, err := net.SplitHostPort(o.LeafAddr)
		if err != nil {
			return nil, fmt.Errorf("natsembed: LeafAddr: %w", err)
		}
		port, err := strconv.Atoi(portS)
		if err != nil || port <= 0 {
			return nil, fmt.Errorf("natsembed: LeafAddr %q: want host:port with a fixed port", o.LeafAddr)
		}
		ln, err := net.Listen("tcp", o.LeafAddr)
		if err != nil {
			return nil, fmt.Errorf("natsembed: cannot listen for leafnodes on %s: %w", o.LeafAddr, err)
		}
		_ = ln.Close()
		opts.LeafNode.Host, opts.LeafNode.Port = host, port
		opts.LeafNode.Username, opts.LeafNode.Password = o.LeafUser, o.LeafPassword
		if o.LeafTLSCert != "" || o.LeafTLSKey != "" {
			tc, err := server.GenTLSConfig(&server.TLSConfigOpts{CertFile: o.LeafTLSCert, KeyFile: o.LeafTLSKey})
			if err != nil {
				return nil, fmt.Errorf("natsembed: leafnode TLS: %w", err)
			}
			opts.LeafNode.TLSConfig, opts.LeafNode.TLSTimeout = tc, 2
		}
	} else if o.LeafTLSCert != "" || o.LeafTLSKey != "" {
		return nil, errors.New("natsembed: LeafTLSCert and LeafTLSKey need LeafAddr")
	}
	var remoteTLS *tls.Config
	if o.LeafTLSCA != "" {
		pem, err := os.ReadFile(o.LeafTLSCA)
		if err != nil {
			return nil, fmt.Errorf("natsembed: LeafTLSCA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("natsembed: LeafTLSCA %s: no PEM certificate", o.LeafTLSCA)
		}
		remoteTLS = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	for _, u := range o.LeafRemotes {
		// IgnoreDiscoveredServers: a spoke reconnects only to the URL it
		// was given (a proxy, a load balancer), never to the address the
		// hub advertises, which would route around the link it was told
		// to use
		r := &server.RemoteLeafOpts{URLs: []*url.URL{u},
			DenyImports: o.LeafDeny, DenyExports: o.LeafDeny, IgnoreDiscoveredServers: true}
		if remoteTLS != nil {
			c := remoteTLS.Clone()
			c.ServerName = u.Hostname()
			r.TLS, r.TLSConfig, r.TLSTimeout = true, c, 2
		}
		opts.LeafNode.Remotes = append(opts.LeafNode.Remotes, r)
	}
	if len(o.LeafRemotes) > 0 {
		opts.LeafNode.ReconnectInterval = 250 * time.Millisecond
	}
	if o.TLS != nil {
		opts.TLSConfig = o.TLS.TLSConfig
		opts.TLSVerify = o.TLS.TLSVerify
		opts.TLSTimeout = 2
	}
	if o.Port > 0 {
		// nats-server only logs a busy port and never becomes ready: say so
		ln, err := net.Listen("tcp", net.JoinHostPort(o.Host, strconv.Itoa(o.Port)))
		if err != nil {
			return nil, fmt.Errorf("natsembed: cannot listen on %s:%d (another NATS server?): %w", o.Host, o.Port, err)
		}
		_ = ln.Close()
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("natsembed: %w", err)
	}
	if o.Logs {
		s.ConfigureLogger()
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, errors.New("natsembed: server not ready after 10s")
	}
	return s, nil
}

// Stop shuts s down and waits for it.
func Stop(s *server.Server) {
	s.Shutdown()
	s.WaitForShutdown()
}
