package server_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/decision"
)

// FuzzDecodeRequests feeds the API's request decoders: they never panic,
// and what they accept re-encodes to something they accept again and
// validates or fails with decision.ErrInvalid.
func FuzzDecodeRequests(f *testing.F) {
	f.Add([]byte(`{"target":{"type":"pseudonym","value":"0a1b"},"action":"ban","ttl":"1h","reason":"x"}`))
	f.Add([]byte(`{"target":{"type":"cidr","value":"10.0.0.0/24"},"ttl":"","reason":"office"}`))
	f.Add([]byte(`{"label":"attack"}`))
	f.Add([]byte(`{"target":{"type":"addr","value":"192.0.2.1"},"action":"throttle","ttl":"5m","factor":0.5} {}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var d server.DecideRequest
		if server.DecodeStrict(body, &d) == nil {
			again, _ := json.Marshal(d)
			var d2 server.DecideRequest
			if err := server.DecodeStrict(again, &d2); err != nil {
				t.Fatalf("re-decode %s: %v", again, err)
			}
			if tg, err := decision.ParseTarget(d.Target.Type, d.Target.Value); err == nil {
				v := decision.Value{Target: tg, Action: decision.Action(d.Action), Factor: d.Factor, Reason: d.Reason,
					Origin: "r", Stamp: decision.Stamp{Wall: 1}, Expires: time.Unix(1, 0)}
				_ = v.Validate()
			}
		}
		var a server.AllowRequest
		_ = server.DecodeStrict(body, &a)
		var l server.LabelRequest
		_ = server.DecodeStrict(body, &l)
	})
}
