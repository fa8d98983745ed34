// Package redisclaim lets several replicas of one application, sharing a
// Redis, send each alerting notification once: the first replica to SET
// the notification's key (NX, with a TTL) sends it, the others skip it.
//
//	d, err := alerting.New(alerting.Config{
//		Secret:  secret, // shared by the replicas, so fingerprints agree
//		Claimer: redisclaim.New(rdb, "myapp:alerts:"),
//	})
package redisclaim

import (
	"context"
	"fmt"
	"time"

	libredis "github.com/redis/go-redis/v9"

	"github.com/bulwarkhq/bulwark/alerting"
)

// Claimer claims notification keys in Redis with SET NX PX.
type Claimer struct {
	client libredis.UniversalClient
	prefix string
}

var _ alerting.Claimer = (*Claimer)(nil)

// New returns a Claimer whose keys start with prefix (give each
// application its own, e.g. "myapp:alerts:"). It works with a single
// Redis, Sentinel or Cluster client.
func New(client libredis.UniversalClient, prefix string) *Claimer {
	return &Claimer{client: client, prefix: prefix}
}

// Claim reports whether this caller is the first to claim key within ttl.
func (c *Claimer) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	ok, err := c.client.SetNX(ctx, c.prefix+key, 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redisclaim: %w", err)
	}
	return ok, nil
}
