package redistest

import (
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestStartReportsExit: a redis-server whose port is taken exits at once,
// and start says so at once (StartServer then tries another port), rather
// than waiting out its ten seconds for an answer.
func TestStartReportsExit(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	dir := t.TempDir()
	s := &Server{Addr: "127.0.0.1:" + port, dir: dir, args: []string{"--port", port, "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--logfile", filepath.Join(dir, "redis.log")}}
	start := time.Now()
	err = s.start()
	if !errors.Is(err, errExited) {
		t.Fatalf("start on a taken port: %v, want errExited", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("start took %v to see the exit", d)
	}
	t.Log(err)
	srv, err := StartServer()
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
}
