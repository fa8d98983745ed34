// Package natstest starts an embedded NATS server with JetStream for a
// test (natsembed, the control plane's default) and connects to it: the
// server and the connection end with the test.
package natstest

import (
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/natsembed"
)

// JetStream starts a server with o (its store in a temporary directory of
// the test when o.Dir is empty), connects to it and returns the connection
// and its JetStream context. It fails the test when either cannot be had.
func JetStream(t testing.TB, o natsembed.Options) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	s, err := natsembed.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { natsembed.Stop(s) })
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}
