package slogsink_test

import (
	"context"
	"log"
	"log/slog"
	"os"
	"slices"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/alerting/slogsink"
	"github.com/bulwarkhq/bulwark/threat"
)

// Each notification of an incident is one record, its summary the
// message; here the handler keeps a few of its attributes.
func Example() {
	keep := []string{slog.LevelKey, slog.MessageKey, "alert_level", "trigger"}
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) > 0 || !slices.Contains(keep, a.Key) {
				return slog.Attr{}
			}
			return a
		},
	}))
	d, err := alerting.New(alerting.Config{
		RawClients: true, // documentation addresses only; the default pseudonymises
		Sinks:      []alerting.SinkConfig{{Name: "log", Sink: slogsink.New(slogsink.Config{Logger: logger})}},
	})
	if err != nil {
		log.Fatal(err)
	}
	d.Publish(alerting.Event{Client: "203.0.113.7", Kind: alerting.KindThreat, Score: 0.93,
		Level: threat.LevelHigh, Reasons: []string{"sqli.union"}, Route: "/search", Method: "GET"})
	if err := d.Close(context.Background()); err != nil {
		log.Fatal(err)
	}
	// Output: level=ERROR msg="high incident from client 203.0.113.7: 1 events (1 threat, 0 rate-limit, 0 penalty), max score 0.93 on /search; top reasons: sqli.union (1)" alert_level=high trigger=new
}
