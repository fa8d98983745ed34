package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/bulwarkhq/bulwark/middleware"
)

type item struct {
	ID    int     `json:"id"`
	Name  string  `json:"name"`
	Price float64 `json:"price"`
}

var catalogue = []item{
	{1, "walking boots", 89.90},
	{2, "rain jacket", 120.00},
	{3, "trail shoes", 74.50},
	{4, "wool socks", 12.00},
}

// routes mounts the example's API on r.
func routes(r chi.Router, logger *slog.Logger) {
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	r.Get("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("bulwark demo: GET /search?q=boots, GET /api/items, GET /api/items/{id}, POST /login, GET /api/whoami\n"))
	})
	r.Get("/search", func(w http.ResponseWriter, r *http.Request) {
		q := strings.ToLower(r.URL.Query().Get("q"))
		out := []item{}
		for _, it := range catalogue {
			if q != "" && strings.Contains(it.Name, q) {
				out = append(out, it)
			}
		}
		writeJSON(w, http.StatusOK, out)
	})
	r.Post("/login", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad form"})
			return
		}
		if r.PostForm.Get("user") == "demo" && r.PostForm.Get("password") == "demo" {
			writeJSON(w, http.StatusOK, map[string]string{"token": "demo-token"})
			return
		}
		logger.Info("login failed", "client", middleware.ClientKey(r.Context()))
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid credentials"})
	})
	r.Route("/api", func(r chi.Router) {
		r.Get("/items", func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusOK, catalogue)
		})
		r.Get("/items/{id}", func(w http.ResponseWriter, r *http.Request) {
			id, err := strconv.Atoi(chi.URLParam(r, "id"))
			if err != nil || id < 1 || id > len(catalogue) {
				writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such item"})
				return
			}
			writeJSON(w, http.StatusOK, catalogue[id-1])
		})
		r.Get("/whoami", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]string{"client": middleware.ClientKey(r.Context())})
		})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
