package threat

import (
	"net/http"
	"time"
)

// Source says where in a request a value was found.
type Source uint8

// Sources of request values.
const (
	SourcePath Source = iota
	SourceQuery
	SourceForm
	SourceJSON
	SourceCookie
	SourceHeader
	SourceBody // a raw body peek that was not parsed into values
)

// Param is one decoded name/value pair of a request.
type Param struct {
	Source Source
	Name   string
	Value  string // fully decoded (URL, double URL, HTML entities, \uXXXX, %uXXXX)
	Raw    string // as received, before decoding
}

// Request is the read-only view of an HTTP request that detectors inspect.
// It is built once per request by the Engine; detectors must not modify it.
type Request struct {
	Method     string
	Path       string // decoded path
	RawPath    string // path as received
	RawQuery   string
	Proto      string
	Host       string
	UserAgent  string
	RemoteAddr string
	Client     string // the client key chosen by the caller (address or KeyFunc result)
	Route      string // route pattern or group, if known before the handler runs
	Time       time.Time
	Header     http.Header // selected headers, canonical names
	Params     []Param
	BodyPeek   []byte // at most Config.MaxBodyPeek bytes of the body, unparsed
	Truncated  bool   // true when a limit cut the view short (params, depth, body)
}

// Signal is one finding of a Detector.
type Signal struct {
	Detector   string  // detector name, e.g. "sqli"
	Family     string  // "signature", "behavior", "anomaly"
	Rule       string  // stable rule id, e.g. "sqli.libinjection"
	Confidence float64 // in [0,1]: how sure the detector is that this request is hostile
	Location   string  // where: "query:id", "header:User-Agent", "client"
	Evidence   string  // a short, bounded excerpt or fingerprint, never the whole input
}

// Detector inspects a request and appends its findings to dst.
// Detect must be safe for concurrent use and must never panic.
type Detector interface {
	Name() string
	Detect(req *Request, dst []Signal) []Signal
}

// Grouped is implemented by a Detector that runs several named
// sub-detectors in one pass (threat/signature does, one per attack family).
// Their names appear in Signal.Detector, and Config.Disabled and
// Config.Weights accept them like detector names.
type Grouped interface {
	Detectors() []string
}

// Observer is implemented by detectors that learn from the outcome of a
// request (the response status) after the handler has run.
type Observer interface {
	Observe(client, route string, status int, at time.Time)
}

// Level is a coarse severity derived from the score.
type Level uint8

// Levels, in increasing severity.
const (
	LevelNone Level = iota
	LevelLow
	LevelMedium
	LevelHigh
	LevelCritical
)

func (l Level) String() string {
	switch l {
	case LevelLow:
		return "low"
	case LevelMedium:
		return "medium"
	case LevelHigh:
		return "high"
	case LevelCritical:
		return "critical"
	}
	return "none"
}

// Reason is one ranked explanation of an Assessment.
type Reason struct {
	Detector   string
	Family     string
	Rule       string
	Confidence float64
	Location   string
	Evidence   string
}

// Assessment is the Engine's verdict on one request.
type Assessment struct {
	Score   float64 // calibrated probability in [0,1] that the request is hostile
	Level   Level
	Block   bool     // the default verdict: true when the Engine's block threshold is reached
	Reasons []Reason // top reasons, most important first
}
