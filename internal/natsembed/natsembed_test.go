package natsembed

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"go.uber.org/goleak"
)

// writePEM writes a DER block of typ to dir/name and returns the path.
func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// testCA makes a CA and a certificate for 127.0.0.1 signed by it, and
// returns the files: the CA's certificate, the server's certificate and key.
func testCA(t *testing.T, dir string) (ca, cert, key string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srvTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "hub"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(srvKey)
	return writePEM(t, dir, "ca.pem", "CERTIFICATE", caDER), writePEM(t, dir, "hub.pem", "CERTIFICATE", srvDER),
		writePEM(t, dir, "hub-key.pem", "EC PRIVATE KEY", keyDER)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestLeafTLS: a spoke that trusts the hub's CA links over TLS; one that
// trusts another CA, or speaks plain TCP, never links.
func TestLeafTLS(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreTopFunction("github.com/nats-io/nats-server/v2/server.(*Server).trySetupSourceConsumer.func3"))
	dir := t.TempDir()
	ca, cert, key := testCA(t, dir)
	otherCA, _, _ := testCA(t, t.TempDir())
	// LeafAddr needs a fixed port: one found free here can be taken by
	// another package's test before Start binds it, which Start then
	// reports at once; another port is tried
	var leafAddr string
	var hub *server.Server
	var err error
	for range 3 {
		leafAddr = "127.0.0.1:" + strconv.Itoa(freePort(t))
		hub, err = Start(Options{Dir: filepath.Join(dir, "hub"), ServerName: "hub", Domain: "hub",
			LeafAddr: leafAddr, LeafUser: "leaf", LeafPassword: "pw", LeafTLSCert: cert, LeafTLSKey: key})
		if !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	defer Stop(hub)
	remote := &url.URL{Scheme: "nats-leaf", User: url.UserPassword("leaf", "pw"), Host: leafAddr}

	spoke := func(name, caFile string) func() {
		t.Helper()
		s, err := Start(Options{Dir: filepath.Join(dir, name), ServerName: name, Domain: name,
			LeafRemotes: []*url.URL{remote}, LeafTLSCA: caFile})
		if err != nil {
			t.Fatal(err)
		}
		return func() { Stop(s) }
	}
	stopWrong := spoke("wrong-ca", otherCA)
	stopPlain := spoke("plain", "")
	// both keep trying every 250 ms; neither gets in
	time.Sleep(1500 * time.Millisecond)
	if n := hub.NumLeafNodes(); n != 0 {
		t.Fatalf("%d spokes linked without trusting the hub's certificate", n)
	}
	stopWrong()
	stopPlain()
	stopGood := spoke("good", ca)
	defer stopGood()
	deadline := time.Now().Add(10 * time.Second)
	for hub.NumLeafNodes() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the spoke that trusts the hub's CA did not link over TLS")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLeafTLSConfigErrors: bad TLS settings fail Start with a message.
func TestLeafTLSConfigErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Start(Options{Dir: dir, LeafTLSCert: "x.pem", LeafTLSKey: "x-key.pem"}); err == nil {
		t.Error("leafnode TLS without a leafnode listener started")
	}
	if _, err := Start(Options{Dir: dir, LeafTLSCA: filepath.Join(dir, "missing.pem")}); err == nil {
		t.Error("a missing LeafTLSCA started")
	}
	bad := filepath.Join(dir, "bad.pem")
	_ = os.WriteFile(bad, []byte("not pem"), 0o600)
	if _, err := Start(Options{Dir: dir, LeafTLSCA: bad}); err == nil {
		t.Error("a LeafTLSCA without a certificate started")
	}
}

// TestLeafPortTaken: a leafnode port another process holds is reported by
// Start at once, as the address in use it is (TestLeafTLS retries on it),
// rather than by a server that never gets ready.
func TestLeafPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s, err := Start(Options{Dir: t.TempDir(), ServerName: "hub", Domain: "hub", LeafAddr: ln.Addr().String(),
		LeafUser: "leaf", LeafPassword: "pw"})
	if err == nil {
		Stop(s)
		t.Fatal("Start bound a leafnode port another listener holds")
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("Start: %v, want an error that is syscall.EADDRINUSE", err)
	}
}
