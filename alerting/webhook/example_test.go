package webhook_test

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/alerting/webhook"
)

// A receiver checks the signature and the timestamp before trusting the
// alert; a replay older than the tolerance is refused.
func ExampleVerifyRequest() {
	secret := []byte("shared with the sender")
	http.HandleFunc("POST /hooks/bulwark", func(w http.ResponseWriter, r *http.Request) {
		body, err := webhook.VerifyRequest(secret, r, 1<<20, time.Now(), 5*time.Minute)
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var a alerting.Alert
		if err := json.Unmarshal(body, &a); err != nil {
			http.Error(w, "bad alert", http.StatusBadRequest)
			return
		}
		// Handle a: page on a.Level, dedup on a.Fingerprint and a.Sequence…
		w.WriteHeader(http.StatusNoContent)
	})
}
