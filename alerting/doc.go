// Package alerting turns threat and rate-limit events into correlated
// incidents and delivers them to pluggable sinks without blocking the
// request path.
package alerting
