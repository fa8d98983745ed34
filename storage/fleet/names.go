package fleet

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names shared by the SDK and the control plane.
const (
	// StreamName is the JetStream stream of events and reports.
	StreamName = "BULWARK_EVENTS"
	// SubjectPrefix starts every subject the exporter publishes on:
	// SubjectPrefix.<tenant>.batch.<instance> and .report.<instance>.
	SubjectPrefix = "bulwark.events"
	// DefaultTenant, DefaultRegion name the single-tenant, single-region
	// deployment.
	DefaultTenant = "default"
	DefaultRegion = "local"
)

// BatchSubject and ReportSubject are where an instance publishes.
func BatchSubject(tenant, instance string) string {
	return SubjectPrefix + "." + tenant + ".batch." + instance
}

// ReportSubject is where an instance publishes its reports.
func ReportSubject(tenant, instance string) string {
	return SubjectPrefix + "." + tenant + ".report." + instance
}

// DecisionBucket is the KV bucket of one region's decisions.
func DecisionBucket(region string) string { return "bulwark_decisions_" + region }

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

// Connect dials NATS for an SDK instance: it starts even when the server
// is down, and reconnects for ever, so that the request path never depends
// on the control plane. opts add credentials, TLS and so on.
func Connect(url string, opts ...nats.Option) (*nats.Conn, error) {
	base := []nats.Option{
		nats.Name("bulwark-sdk"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.RetryOnFailedConnect(true),
		nats.ReconnectBufSize(-1), // no publish buffering while down: the exporter's own queue is the bound
	}
	return nats.Connect(url, append(base, opts...)...)
}

// StreamConfig is the stream the control plane creates for the events:
// file storage, deduplication by message id over 10 minutes (the
// exporter's retries reuse ids), and limits that keep the hot tier bounded.
func StreamConfig(maxAge time.Duration, maxBytes int64) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:       StreamName,
		Subjects:   []string{SubjectPrefix + ".>"},
		Storage:    jetstream.FileStorage,
		Retention:  jetstream.LimitsPolicy,
		MaxAge:     maxAge,
		MaxBytes:   maxBytes,
		Duplicates: 10 * time.Minute,
		Discard:    jetstream.DiscardOld,
	}
}

// EnsureStream creates or updates the events stream (control plane side).
func EnsureStream(ctx context.Context, js jetstream.JetStream, maxAge time.Duration, maxBytes int64) (jetstream.Stream, error) {
	return js.CreateOrUpdateStream(ctx, StreamConfig(maxAge, maxBytes))
}

// EnsureDecisionBucket creates the region's decision bucket (control
// plane side), keeping 16 values of each key as history.
func EnsureDecisionBucket(ctx context.Context, js jetstream.JetStream, region string) (jetstream.KeyValue, error) {
	return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:  DecisionBucket(region),
		History: 16,
		Storage: jetstream.FileStorage,
	})
}
