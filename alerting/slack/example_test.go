package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/alerting/slack"
	"github.com/bulwarkhq/bulwark/threat"
)

// Incidents go to a Slack incoming webhook (here a stand-in server that
// prints the fallback text of what it receives).
func Example() {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ Text string }
		if err := json.NewDecoder(r.Body).Decode(&m); err == nil {
			fmt.Println(m.Text)
		}
	}))
	defer hook.Close()

	sink, err := slack.New(slack.Config{URL: hook.URL}) // your https://hooks.slack.com/services/… URL
	if err != nil {
		log.Fatal(err)
	}
	d, err := alerting.New(alerting.Config{
		RawClients: true, // documentation addresses only; the default pseudonymises
		Sinks:      []alerting.SinkConfig{{Name: "slack", Sink: sink}},
	})
	if err != nil {
		log.Fatal(err)
	}
	d.Publish(alerting.Event{Client: "203.0.113.7", Kind: alerting.KindThreat, Score: 0.97,
		Level: threat.LevelCritical, Reasons: []string{"cmdi.exec"}, Route: "/ping", Method: "POST"})
	if err := d.Close(context.Background()); err != nil {
		log.Fatal(err)
	}
	// Output: critical incident from client 203.0.113.7: 1 events (1 threat, 0 rate-limit, 0 penalty), max score 0.97 on /ping; top reasons: cmdi.exec (1)
}
