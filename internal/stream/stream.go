// Package stream names what the SDK's exporter and watcher
// (storage/fleet) and the control plane share on NATS JetStream: the
// events stream and its subjects, and the decision buckets.
package stream

import (
	"context"
	"time"

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

// BatchSubject is where an instance publishes its event batches.
func BatchSubject(tenant, instance string) string {
	return SubjectPrefix + "." + tenant + ".batch." + instance
}

// ReportSubject is where an instance publishes its reports.
func ReportSubject(tenant, instance string) string {
	return SubjectPrefix + "." + tenant + ".report." + instance
}

// DecisionBucket is the KV bucket of one region's decisions.
func DecisionBucket(region string) string { return "bulwark_decisions_" + region }

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
