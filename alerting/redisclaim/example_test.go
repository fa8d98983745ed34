package redisclaim_test

import (
	"log"
	"os"

	libredis "github.com/redis/go-redis/v9"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/alerting/redisclaim"
)

// Replicas that share a Redis notify once per incident: each claims the
// notification's key before sending, and only the first claim sends. The
// replicas share Secret, so that their pseudonyms and fingerprints agree.
func Example() {
	rdb := libredis.NewUniversalClient(&libredis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}})
	d, err := alerting.New(alerting.Config{
		Secret:  []byte(os.Getenv("ALERT_SECRET")), // the same on every replica
		Claimer: redisclaim.New(rdb, "myapp:alerts:"),
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = d // d.Publish from the request path; d.Close on shutdown
}
