package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
)

// childCP is a control plane run as a child process of the controlplane
// command (built once a test), so that a test can kill it with SIGKILL:
// no deferred close, no flush, no goodbye to its links, as a crashed host
// or an OOM kill leaves it.
type childCP struct {
	bin, dir    string
	env         []string
	addr        string
	key         []byte
	mu          sync.Mutex
	cmd         *exec.Cmd
	out         *syncBuffer
	sdkURL      string
	exited      chan struct{}
	exitedState error
}

// syncBuffer is a bytes.Buffer that a child process's pipes and the test
// may use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// controlPlaneBinary builds examples/controlplane once per test binary
// (CI's "build examples" step has compiled its packages already).
func controlPlaneBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bulwark-cp-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "controlplane")
		out, err := exec.Command("go", "build", "-o", builtBin, "github.com/bulwarkhq/bulwark/examples/controlplane").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// startChild runs a control plane with c's settings (the ones a region
// needs: Region, Regions, RegionStall, DataDir, Addr, NATSAddr, LeafAddr,
// LeafRemote, ModelKey, RegionModelKeys) as a child process, on SQLite whatever the suite's store:
// its environment is built from scratch, so that CI's DATABASE_URL or
// REDIS_URL do not reach it. It is killed by the test's cleanup.
func startChild(t *testing.T, c server.Config) *childCP {
	t.Helper()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"REGION=" + c.Region, "REGIONS=" + strings.Join(c.Regions, ","), "DATA_DIR=" + c.DataDir,
		"ADDR=" + c.Addr, "NATS_ADDR=" + c.NATSAddr}
	if c.RegionStall > 0 {
		env = append(env, "REGION_STALL="+c.RegionStall.String())
	}
	if c.LeafAddr != "" {
		env = append(env, "LEAF_ADDR="+c.LeafAddr)
	}
	if c.LeafRemote != "" {
		env = append(env, "LEAF_REMOTE="+c.LeafRemote)
	}
	if c.ModelKey != "" {
		env = append(env, "MODEL_SIGNING_KEY="+c.ModelKey)
	}
	if c.RegionModelKeys != "" {
		env = append(env, "REGION_MODEL_KEYS="+c.RegionModelKeys)
	}
	key, err := server.LoadOrCreateKey(c.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	ch := &childCP{bin: controlPlaneBinary(t), dir: c.DataDir, env: env, addr: c.Addr, key: key}
	ch.start(t)
	t.Cleanup(func() {
		ch.kill(t)
		if t.Failed() {
			t.Logf("child control plane %s's output:\n%s", c.Region, ch.out.String())
		}
	})
	return ch
}

var sdkLine = regexp.MustCompile(`SDK instances: NATS_URL='([^']+)'`)

// start runs the process and waits until it serves its API.
func (ch *childCP) start(t *testing.T) {
	t.Helper()
	cmd := exec.Command(ch.bin, "serve", "-print-login=false")
	cmd.Env = ch.env
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	ch.mu.Lock()
	ch.cmd, ch.out, ch.exited = cmd, out, exited
	ch.mu.Unlock()
	go func() {
		err := cmd.Wait()
		ch.mu.Lock()
		ch.exitedState = err
		ch.mu.Unlock()
		close(exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("child control plane exited: %v\n%s", ch.exitedState, out.String())
		default:
		}
		if m := sdkLine.FindStringSubmatch(out.String()); m != nil {
			if resp, err := http.Get(ch.URL() + "/healthz"); err == nil {
				_ = resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					ch.mu.Lock()
					ch.sdkURL = m[1]
					ch.mu.Unlock()
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("child control plane not serving after 60 s:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (ch *childCP) kill(t *testing.T) {
	t.Helper()
	ch.mu.Lock()
	cmd, exited := ch.cmd, ch.exited
	ch.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Errorf("child control plane still running 10 s after SIGKILL")
	}
}

// restart starts the process again on the same data and addresses.
func (ch *childCP) restart(t *testing.T) {
	t.Helper()
	ch.start(t)
}

func (ch *childCP) URL() string { return "http://" + ch.addr }
func (ch *childCP) Key() []byte { return ch.key }
func (ch *childCP) SDKURL() string {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return ch.sdkURL
}
