//go:build tools

package deps

import (
	_ "github.com/corazawaf/libinjection-go"
	_ "github.com/go-chi/chi/v5"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/sony/gobreaker/v2"
	_ "github.com/ulule/limiter/v3"
	_ "go.opentelemetry.io/otel"
	_ "go.opentelemetry.io/otel/metric"
	_ "go.uber.org/goleak"
	_ "gonum.org/v1/gonum/stat"
)
