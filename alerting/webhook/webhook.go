// Package webhook is an alerting sink that POSTs each alert as JSON,
// signed with HMAC-SHA256 over the timestamp and the body so the receiver
// can check origin and refuse replays.
//
//	hook, err := webhook.New(webhook.Config{URL: "https://ops.example/hooks/bulwark", Secret: secret})
//	d, err := alerting.New(alerting.Config{Sinks: []alerting.SinkConfig{{Name: "ops", Sink: hook}}})
//
// The receiver checks a request with Verify.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bulwarkhq/bulwark/alerting"
)

// Headers set on every request.
const (
	TimestampHeader = "X-Bulwark-Timestamp" // Unix seconds when the request was signed
	SignatureHeader = "X-Bulwark-Signature" // "v1=" + hex(HMAC-SHA256(secret, timestamp + "." + body))
)

// Config configures a webhook Sink.
type Config struct {
	// URL receives the POSTs (http or https).
	URL string
	// Secret keys the signature. Required.
	Secret []byte
	// Client sends the requests. Default: a new http.Client. A request is
	// bounded by the context Send gets (the dispatcher's
	// SinkConfig.Timeout, 5s by default) and the Client's own Timeout.
	Client *http.Client
	// Header is added to every request (e.g. an Authorization).
	Header http.Header
}

// Sink posts alerts to a webhook.
type Sink struct {
	cfg Config
}

var _ alerting.Sink = (*Sink)(nil)

// New validates cfg and returns a Sink.
func New(cfg Config) (*Sink, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("webhook: URL %q must be an absolute http(s) URL", cfg.URL)
	}
	if len(cfg.Secret) == 0 {
		return nil, errors.New("webhook: Secret is required")
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	return &Sink{cfg: cfg}, nil
}

// Send posts a as JSON. A 2xx answer is success; 408, 429 and 5xx are
// retried by the dispatcher; other statuses are permanent failures.
func (s *Sink) Send(ctx context.Context, a alerting.Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return alerting.Permanent(fmt.Errorf("webhook: encode: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return alerting.Permanent(fmt.Errorf("webhook: %w", err))
	}
	for k, vs := range s.cfg.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	ts := time.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(TimestampHeader, strconv.FormatInt(ts, 10))
	req.Header.Set(SignatureHeader, Sign(s.cfg.Secret, ts, body))
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return fmt.Errorf("webhook: %s", resp.Status)
	default:
		return alerting.Permanent(fmt.Errorf("webhook: %s", resp.Status))
	}
}

// Sign returns the signature header value for body signed at ts.
func Sign(secret []byte, ts int64, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// Verification errors.
var (
	ErrSignature = errors.New("webhook: bad signature")
	ErrStale     = errors.New("webhook: timestamp outside tolerance")
)

// Verify checks a received request's timestamp and signature headers
// against body: the signature must match and the timestamp be within
// tolerance of now (5 minutes if tolerance ≤ 0), which refuses replays of
// old requests. It never panics on malformed headers.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = 5 * time.Minute
	}
	ts, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q", ErrSignature, timestamp)
	}
	// Compare in seconds to stay clear of time.Duration overflow.
	if d := now.Unix() - ts; d > int64(tolerance/time.Second) || -d > int64(tolerance/time.Second) {
		return ErrStale
	}
	want := Sign(secret, ts, body)
	if !hmac.Equal([]byte(want), []byte(strings.TrimSpace(signature))) {
		return ErrSignature
	}
	return nil
}

// VerifyRequest reads r's body (at most maxBody bytes) and verifies it
// with Verify; it returns the body on success.
func VerifyRequest(secret []byte, r *http.Request, maxBody int64, now time.Time, tolerance time.Duration) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("webhook: read body: %w", err)
	}
	if int64(len(body)) > maxBody {
		return nil, fmt.Errorf("webhook: body over %d bytes", maxBody)
	}
	if err := Verify(secret, r.Header.Get(TimestampHeader), r.Header.Get(SignatureHeader), body, now, tolerance); err != nil {
		return nil, err
	}
	return body, nil
}
