package redisstream_test

import (
	"log"

	libredis "github.com/redis/go-redis/v9"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/alerting/redisstream"
)

// Incidents are appended to a capped stream that a SIEM shipper or a
// consumer group reads (XREADGROUP); the stream keeps the last 10,000.
func Example() {
	rdb := libredis.NewUniversalClient(&libredis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}})
	sink, err := redisstream.New(redisstream.Config{Client: rdb, Stream: "myapp:alerts"})
	if err != nil {
		log.Fatal(err)
	}
	d, err := alerting.New(alerting.Config{Sinks: []alerting.SinkConfig{{Name: "stream", Sink: sink}}})
	if err != nil {
		log.Fatal(err)
	}
	_ = d // d.Publish from the request path; d.Close on shutdown
}
