package fleet

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
)

// ErrConfig is wrapped by every configuration error of this package.
var ErrConfig = errors.New("fleet: invalid config")

// validName accepts what a NATS subject token and a KV bucket name both
// take: letters, digits, '-' and '_', 1 to 64 of them.
func validName(field, s string) error {
	if s == "" || len(s) > 64 {
		return fmt.Errorf("%w: %s must be 1 to 64 characters", ErrConfig, field)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("%w: %s %q: only letters, digits, '-' and '_'", ErrConfig, field, s)
		}
	}
	return nil
}

// reconnectWait is how often Connect's connection tries to reconnect, and
// the longest the exporter waits to publish again after a refused publish.
const reconnectWait = 250 * time.Millisecond

// Connect dials NATS for an SDK instance: it starts even when the server
// is down, and reconnects for ever, so that the request path never depends
// on the control plane. opts add credentials, TLS and so on.
func Connect(url string, opts ...nats.Option) (*nats.Conn, error) {
	base := []nats.Option{
		nats.Name("bulwark-sdk"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(reconnectWait),
		nats.RetryOnFailedConnect(true),
		nats.ReconnectBufSize(-1), // no publish buffering while down: the exporter's own queue is the bound
	}
	return nats.Connect(url, append(base, opts...)...)
}
