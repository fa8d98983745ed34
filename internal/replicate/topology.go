package replicate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/stream"
)

// AggregateBucket is the KV bucket, one in every region, that sources
// every region's decision bucket. Only a Direct writes it directly, and
// only copies of other regions' values. Its name cannot be a
// RegionBucket name.
const AggregateBucket = "bulwark_merged_decisions"

// ErrConfig is wrapped by every configuration error of this package.
var ErrConfig = errors.New("replicate: invalid configuration")

// RegionBucket is the decision bucket region writes (and only region).
func RegionBucket(region string) string { return stream.DecisionBucket(region) }

// APIPrefix is the JetStream API prefix of region's domain.
func APIPrefix(region string) string { return "$JS." + region + ".API" }

func kvStream(bucket string) string { return "KV_" + bucket }

// ValidRegion checks that region can name a JetStream domain, a bucket and
// a subject token: 1 to 64 letters, digits, '-' or '_'.
func ValidRegion(region string) error {
	if region == "" || len(region) > 64 {
		return fmt.Errorf("%w: region must be 1 to 64 characters", ErrConfig)
	}
	for i := 0; i < len(region); i++ {
		c := region[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("%w: region %q: only letters, digits, '-' and '_'", ErrConfig, region)
		}
	}
	return nil
}

func validRegions(local string, regions []string) error {
	if err := ValidRegion(local); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, r := range regions {
		if err := ValidRegion(r); err != nil {
			return err
		}
		if seen[r] {
			return fmt.Errorf("%w: region %q listed twice", ErrConfig, r)
		}
		seen[r] = true
	}
	if !seen[local] {
		return fmt.Errorf("%w: region %q is not in the region list %v", ErrConfig, local, regions)
	}
	return nil
}

// AggregateConfig is the configuration of local's aggregate: a KV bucket
// keeping the latest value of each key, sourcing every region's bucket
// with its keys moved under "<region>.".
func AggregateConfig(local string, regions []string) (jetstream.KeyValueConfig, error) {
	if err := validRegions(local, regions); err != nil {
		return jetstream.KeyValueConfig{}, err
	}
	return aggregateConfig(local, regions), nil
}

func aggregateConfig(local string, regions []string) jetstream.KeyValueConfig {
	cfg := jetstream.KeyValueConfig{
		Bucket:      AggregateBucket,
		Description: "bulwark: every region's decisions, merged on read",
		History:     1,
		Storage:     jetstream.FileStorage,
	}
	for _, r := range regions {
		src := &jetstream.StreamSource{
			Name: kvStream(RegionBucket(r)),
			SubjectTransforms: []jetstream.SubjectTransformConfig{{
				Source:      "$KV." + RegionBucket(r) + ".>",
				Destination: "$KV." + AggregateBucket + "." + r + ".>",
			}},
		}
		if r != local {
			src.External = &jetstream.ExternalStream{APIPrefix: APIPrefix(r)}
		}
		cfg.Sources = append(cfg.Sources, src)
	}
	return cfg
}

// Configure creates or updates, on local's JetStream, local's decision
// bucket and its aggregate of regions (which must include local). It is
// idempotent, and adding a region to the list adds its source. A remote
// region's bucket need not exist yet, but the server retries a failed
// source with a backoff of up to two minutes: a Monitor with Resync set
// restarts it sooner.
func Configure(ctx context.Context, js jetstream.JetStream, local string, regions []string) (jetstream.KeyValue, error) {
	cfg, err := AggregateConfig(local, regions)
	if err != nil {
		return nil, err
	}
	if _, err := stream.EnsureDecisionBucket(ctx, js, local); err != nil {
		return nil, fmt.Errorf("replicate: region %s: bucket %s: %w", local, RegionBucket(local), err)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("replicate: region %s: aggregate %s: %w", local, AggregateBucket, err)
	}
	return kv, nil
}

// Resync restarts local's source of region: it removes the source from
// the aggregate and adds it back, so that the server sets it up afresh
// from the last origin sequence the aggregate holds, instead of waiting
// out its retry backoff or a consumer that stopped delivering. Nothing is
// lost or applied twice (the merge is idempotent anyway). The source is
// put back even when the remove fails or ctx ends in between (with a
// last attempt of its own); should that fail too, the aggregate lacks the
// source until the next Resync or Configure (a Monitor with Resync set
// puts it back).
func Resync(ctx context.Context, js jetstream.JetStream, local string, regions []string, region string) error {
	if err := validRegions(local, regions); err != nil {
		return err
	}
	if !slices.Contains(regions, region) {
		return fmt.Errorf("%w: region %q is not in the region list %v", ErrConfig, region, regions)
	}
	without := slices.DeleteFunc(slices.Clone(regions), func(r string) bool { return r == region })
	_, rmErr := js.UpdateKeyValue(ctx, aggregateConfig(local, without))
	// The source goes back whatever became of the remove: a remove whose
	// answer was lost (a timeout under load, a connection lost) may have
	// been applied, and an aggregate left without the source takes nothing
	// more from region, while a stalled source at least shows as stalled.
	if err := addSourcesBack(ctx, js, aggregateConfig(local, regions)); err != nil {
		return fmt.Errorf("replicate: region %s: resync %s: add source back: %w", local, region, errors.Join(rmErr, err))
	}
	if rmErr != nil {
		return fmt.Errorf("replicate: region %s: resync %s: remove source: %w", local, region, rmErr)
	}
	return nil
}

// addBackTimeout bounds Resync's last attempt to put a source back, made
// on a context of its own when the one on ctx failed: a Resync cut short
// between its two updates would leave the aggregate without the source.
const addBackTimeout = 2 * time.Second

// addSourcesBack updates the aggregate to cfg, once more on a context of
// its own when the attempt on ctx fails (ctx may have ended between the
// remove and the add back).
func addSourcesBack(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig) error {
	_, err := js.UpdateKeyValue(ctx, cfg)
	if err == nil {
		return nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), addBackTimeout)
	defer cancel()
	if _, err2 := js.UpdateKeyValue(rctx, cfg); err2 != nil {
		return errors.Join(err, err2)
	}
	return nil
}
