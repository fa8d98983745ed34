package middleware

import "net/http"

// ServeMuxPattern returns a Config.Pattern function that finds the
// http.ServeMux pattern of a request ("POST /login", "/api/") before the
// handler runs. Unmatched requests get "". For chi, see package chiroute.
func ServeMuxPattern(mux *http.ServeMux) func(*http.Request) string {
	return func(r *http.Request) string {
		_, pattern := mux.Handler(r)
		return pattern
	}
}
