package slogsink_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/alerting/slogsink"
	"github.com/bulwarkhq/bulwark/threat"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var incident = alerting.Alert{
	Fingerprint: "fp1",
	Labels:      map[string]string{alerting.LabelClient: "c_42"},
	Level:       threat.LevelHigh,
	Priority:    70,
	Sequence:    2,
	Trigger:     "update",
	Count:       30, Threat: 20, RateLimit: 10,
	MaxScore:  0.9,
	FirstSeen: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
	LastSeen:  time.Date(2026, 11, 23, 12, 1, 0, 0, time.UTC),
	Reasons:   []alerting.ReasonCount{{Reason: "sqli", Count: 20}},
	Routes:    []string{"/login"},
	Samples:   []alerting.Event{{Kind: alerting.KindThreat, Score: 0.9, Route: "/login", Method: "POST"}},
	Summary:   "high incident from client c_42",
}

func TestSendWritesOneStructuredRecord(t *testing.T) {
	cases := []struct {
		name      string
		cfg       func(*slog.Logger) slogsink.Config
		sev       threat.Level
		wantLevel string
		samples   bool
	}{
		{"high is an error", func(l *slog.Logger) slogsink.Config { return slogsink.Config{Logger: l} }, threat.LevelHigh, "ERROR", false},
		{"medium is a warning", func(l *slog.Logger) slogsink.Config { return slogsink.Config{Logger: l} }, threat.LevelMedium, "WARN", false},
		{"low is info", func(l *slog.Logger) slogsink.Config { return slogsink.Config{Logger: l} }, threat.LevelLow, "INFO", false},
		{"custom level and samples", func(l *slog.Logger) slogsink.Config {
			return slogsink.Config{Logger: l, Samples: true, Level: func(threat.Level) slog.Level { return slog.LevelDebug }}
		}, threat.LevelCritical, "DEBUG", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			a := incident
			a.Level = tc.sev
			if err := slogsink.New(tc.cfg(l)).Send(context.Background(), a); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(buf.String(), "\n"); n != 1 {
				t.Fatalf("%d records: %s", n, buf.String())
			}
			var rec map[string]any
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatal(err)
			}
			labels, _ := rec["labels"].(map[string]any)
			reasons, _ := rec["reasons"].(map[string]any)
			if rec["level"] != tc.wantLevel || rec["msg"] != a.Summary || rec["fingerprint"] != "fp1" ||
				rec["alert_level"] != tc.sev.String() || rec["count"] != 30.0 || labels["client"] != "c_42" || reasons["sqli"] != 20.0 {
				t.Fatalf("record %v", rec)
			}
			if _, ok := rec["samples"]; ok != tc.samples {
				t.Fatalf("samples present %v, want %v: %v", ok, tc.samples, rec)
			}
		})
	}
}

func TestSendSkipsDisabledLevels(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelError}))
	a := incident
	a.Level = threat.LevelLow
	if err := slogsink.New(slogsink.Config{Logger: l}).Send(context.Background(), a); err != nil || buf.Len() != 0 {
		t.Fatalf("err %v, wrote %q", err, buf.String())
	}
}

func TestZeroConfigUsesDefaultLogger(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(old)
	if err := slogsink.New(slogsink.Config{}).Send(context.Background(), incident); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "fingerprint=fp1") {
		t.Fatalf("default logger got %q", buf.String())
	}
}
