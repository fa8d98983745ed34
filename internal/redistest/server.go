package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a throwaway redis-server child process on a loopback port, for
// fault tests that freeze, kill or restart it.
type Server struct {
	Addr string
	cmd  *exec.Cmd
	dir  string
	args []string
	done chan struct{}
}

// StartServer starts redis-server on a free loopback port with no
// persistence, extra arguments appended, and waits until it answers.
func StartServer(extra ...string) (*Server, error) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		return nil, fmt.Errorf("redistest: redis-server not installed (apt-get install redis-server): %w", err)
	}
	dir, err := os.MkdirTemp("", "bulwark-redis-")
	if err != nil {
		return nil, err
	}
	// The port is found free here and bound by redis-server a moment
	// later: a test of another package running alongside can take it in
	// between, and redis-server then exits at once. Another port is tried.
	var last error
	for range 3 {
		port, err := freePort()
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), dir: dir}
		s.args = append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", dir, "--logfile", filepath.Join(dir, "redis.log")}, extra...)
		if last = s.start(); last == nil {
			return s, nil
		}
		if !errors.Is(last, errExited) {
			break
		}
	}
	_ = os.RemoveAll(dir)
	return nil, last
}

// errExited: redis-server ended before it answered (a port taken, most
// likely).
var errExited = errors.New("redistest: redis-server exited before it answered")

func (s *Server) start() error {
	s.cmd = exec.Command("redis-server", s.args...)
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("redistest: redis-server: %w", err)
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(s.cmd, s.done)
	c := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case <-s.done:
			// whatever answers on the port now is not this server
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			return fmt.Errorf("%w: %s on %s: %s", errExited, s.cmd.ProcessState, s.Addr, lastLines(log, 3))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		info, err := c.Info(ctx, "server").Result()
		cancel()
		if err == nil {
			// the answer is this server's, not another test's Redis that
			// holds the port while this one fails to bind it
			if !strings.Contains(info, "process_id:"+strconv.Itoa(s.cmd.Process.Pid)+"\r\n") {
				continue
			}
			return nil
		}
	}
	s.Kill()
	log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	return fmt.Errorf("redistest: redis-server on %s did not answer within 10s: %s", s.Addr, log)
}

// Freeze stops the process (SIGSTOP): connections stay open, nothing is
// answered, as with a Redis stuck in a long command or a paused VM.
func (s *Server) Freeze() { _ = s.cmd.Process.Signal(syscall.SIGSTOP) }

// Thaw resumes a frozen process (SIGCONT).
func (s *Server) Thaw() { _ = s.cmd.Process.Signal(syscall.SIGCONT) }

// Kill ends the process (SIGKILL, after SIGCONT) and waits for it.
func (s *Server) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGCONT)
	_ = s.cmd.Process.Kill()
	<-s.done
}

// Restart starts the killed server again on the same port, empty.
func (s *Server) Restart() error {
	s.Kill()
	return s.start()
}

// Close kills the server and removes its directory.
func (s *Server) Close() {
	s.Kill()
	_ = os.RemoveAll(s.dir)
}

// lastLines returns the last n lines of a log.
func lastLines(log []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(log)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// freePort returns a loopback port that is free, and whose Cluster bus
// port (port+10000) is free too.
func freePort() (int, error) {
	for range 50 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
		if port+10000 > 65535 {
			continue
		}
		bus, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000))
		if err != nil {
			continue
		}
		_ = bus.Close()
		return port, nil
	}
	return 0, errors.New("redistest: no free port pair")
}

// Cluster is a throwaway Redis Cluster of masters without replicas, with
// cluster-require-full-coverage off, so that the other masters keep
// serving their slots while one is down.
type Cluster struct {
	Nodes []*Server
}

// Addrs returns the masters' addresses.
func (c *Cluster) Addrs() []string {
	a := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		a[i] = n.Addr
	}
	return a
}

// StartCluster starts n masters, joins them with redis-cli --cluster
// create (slots spread evenly) and waits until every node reports
// cluster_state:ok.
func StartCluster(n int) (*Cluster, error) {
	if _, err := exec.LookPath("redis-cli"); err != nil {
		return nil, fmt.Errorf("redistest: redis-cli not installed: %w", err)
	}
	c := &Cluster{}
	for range n {
		s, err := StartServer("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "1000", "--cluster-require-full-coverage", "no")
		if err != nil {
			c.Close()
			return nil, err
		}
		c.Nodes = append(c.Nodes, s)
	}
	args := append(append([]string{"--cluster", "create"}, c.Addrs()...), "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command("redis-cli", args...).CombinedOutput(); err != nil {
		c.Close()
		return nil, fmt.Errorf("redistest: redis-cli --cluster create: %v: %s", err, out)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ok := 0
		for _, s := range c.Nodes {
			out, _ := exec.Command("redis-cli", "-u", "redis://"+s.Addr, "cluster", "info").Output()
			if strings.Contains(string(out), "cluster_state:ok") {
				ok++
			}
		}
		if ok == n {
			return c, nil
		}
		if time.Now().After(deadline) {
			c.Close()
			return nil, errors.New("redistest: cluster_state not ok within 20s")
		}
	}
}

// Close kills every node.
func (c *Cluster) Close() {
	for _, s := range c.Nodes {
		s.Close()
	}
}

// NewServer is StartServer for a test: it skips t when redis-server is not
// installed (failing it when CI=true) and closes the server when t ends.
func NewServer(t testing.TB, extra ...string) *Server {
	t.Helper()
	s, err := StartServer(extra...)
	if err != nil {
		unavailable(t, err)
	}
	t.Cleanup(s.Close)
	return s
}

// NewCluster is StartCluster for a test, like NewServer.
func NewCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	c, err := StartCluster(n)
	if err != nil {
		unavailable(t, err)
	}
	t.Cleanup(c.Close)
	return c
}

// ClusterClient connects to the Redis Cluster at REDIS_CLUSTER_ADDRS
// (comma-separated host:port, as .ci/run exports), skipping t when it is
// unset or unreachable (failing it when CI=true), and returns a prefix
// unique to t whose keys are deleted when t ends.
func ClusterClient(t testing.TB) (*redis.ClusterClient, string) {
	t.Helper()
	env := os.Getenv("REDIS_CLUSTER_ADDRS")
	if env == "" {
		unavailable(t, errors.New("REDIS_CLUSTER_ADDRS is not set: start a Cluster (bash .ci/run does) and set it, e.g. REDIS_CLUSTER_ADDRS=127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103"))
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(env, ",")})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return m.Ping(ctx).Err() }); err != nil {
		_ = c.Close()
		unavailable(t, fmt.Errorf("redis cluster at %s unreachable: %w", env, err))
	}
	prefix := "bulwark-test:" + randomHex() + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		_ = c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			iter := m.Scan(ctx, 0, prefix+"*", 100).Iterator()
			for iter.Next(ctx) {
				m.Del(ctx, iter.Val())
			}
			return nil
		})
		_ = c.Close()
	})
	return c, prefix
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(err)
	}
	t.Skip(err)
}
