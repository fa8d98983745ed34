package otelsink_test

import (
	"context"
	"fmt"
	"log"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/alerting/otelsink"
	"github.com/bulwarkhq/bulwark/threat"
)

// Each notification becomes a span in the tracing backend the application
// already exports to (here an in-memory recorder stands in for it).
func Example() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	sink, err := otelsink.New(otelsink.Config{TracerProvider: tp})
	if err != nil {
		log.Fatal(err)
	}
	d, err := alerting.New(alerting.Config{Sinks: []alerting.SinkConfig{{Name: "otel", Sink: sink}}})
	if err != nil {
		log.Fatal(err)
	}
	d.Publish(alerting.Event{Client: "203.0.113.7", Kind: alerting.KindThreat, Score: 0.91,
		Level: threat.LevelHigh, Reasons: []string{"xss.script"}, Route: "/comments", Method: "POST"})
	if err := d.Close(context.Background()); err != nil {
		log.Fatal(err)
	}
	for _, s := range rec.Ended() {
		for _, kv := range s.Attributes() {
			if kv.Key == "alert.level" {
				fmt.Println(s.Name(), kv.Key, kv.Value.AsString())
			}
		}
	}
	// Output: bulwark.alert alert.level high
}
