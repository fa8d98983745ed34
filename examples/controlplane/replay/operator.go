package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// operator calls the control plane's HTTP API with an admin token, as
// an operator's script would.
type operator struct {
	base, token string
	http        *http.Client
}

// call sends body (JSON) and decodes the answer into out; a status of
// 400 or more is an error carrying the problem's detail.
func (o *operator) call(ctx context.Context, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, o.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+o.token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := o.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 400 {
		var p struct {
			Detail string `json:"detail"`
		}
		_ = json.Unmarshal(raw, &p)
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, p.Detail)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// apiEvent is the part of an event of the API the operator reads.
type apiEvent struct {
	ID      string   `json:"id"`
	Outcome string   `json:"outcome"`
	Route   string   `json:"route"`
	Param   string   `json:"param"`
	Reasons []string `json:"reasons"`
	Label   string   `json:"label"`
}

// event finds the event of the one request pseudonym ps sent, through the
// client's timeline, waiting up to d for the ingest to store it.
func (o *operator) event(ctx context.Context, ps string, d time.Duration) (*apiEvent, error) {
	deadline := time.Now().Add(d)
	for {
		var tl struct {
			Items []apiEvent `json:"items"`
		}
		if _, err := o.call(ctx, "GET", "/api/v1/clients/"+ps+"/timeline?range=1h", nil, &tl); err != nil {
			return nil, err
		}
		if len(tl.Items) > 0 {
			return &tl.Items[0], nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("no event of client %s in its timeline within %v", ps, d)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// suppression is what a benign label muted, as the API answered it.
type suppression struct {
	Key   string `json:"key"`
	Rule  string `json:"rule"`
	Route string `json:"route"`
	Param string `json:"param"`
	Event string `json:"event"`
	Row   string `json:"row"`
	None  string `json:"none,omitempty"`
	Cost  int    `json:"reviewed_attacks_let_through,omitempty"`
}

// label labels event id; suppress is "rule" or "none" for a benign label,
// "" otherwise. It returns the suppression made, if any.
func (o *operator) label(ctx context.Context, id, label, suppress string) (*suppression, error) {
	body := map[string]string{"label": label}
	if suppress != "" {
		body["suppress"] = suppress
	}
	var out struct {
		Suppression *suppression `json:"suppression"`
	}
	if _, err := o.call(ctx, "POST", "/api/v1/events/"+id+"/label", body, &out); err != nil {
		return nil, err
	}
	return out.Suppression, nil
}
