package server

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Scopes a token can carry.
const (
	ScopeRead      = "read"            // every GET
	ScopeDecisions = "decisions:write" // bans, throttles, allow-list, labels
	ScopeAdmin     = "admin"           // erasure, the audit log; implies the others
)

// MaxTokenTTL bounds a minted token's life.
const MaxTokenTTL = 24 * time.Hour

const (
	issuer   = "bulwark-controlplane"
	audience = "bulwark-api"
)

// Claims are a token's claims.
type Claims struct {
	Scope  string `json:"scope"`
	Tenant string `json:"tenant"`
	jwt.RegisteredClaims
}

// Has reports whether the claims grant scope.
func (c *Claims) Has(scope string) bool {
	s := strings.Fields(c.Scope)
	return slices.Contains(s, scope) || slices.Contains(s, ScopeAdmin)
}

// LoadOrCreateKey reads the token signing key from dir/token.key, making a
// random 32-byte one (mode 0600) the first time.
func LoadOrCreateKey(dir string) ([]byte, error) {
	p := filepath.Join(dir, "token.key")
	if b, err := os.ReadFile(p); err == nil {
		if len(b) < 32 {
			return nil, fmt.Errorf("%s: key shorter than 32 bytes", p)
		}
		return b, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		return nil, err
	}
	return b, nil
}

// Mint signs a token for subject with scopes, valid for ttl.
func Mint(key []byte, subject, tenant string, scopes []string, ttl time.Duration, now time.Time) (string, error) {
	if ttl <= 0 || ttl > MaxTokenTTL {
		return "", fmt.Errorf("token lifetime %v: want (0, %v]", ttl, MaxTokenTTL)
	}
	for _, s := range scopes {
		if s != ScopeRead && s != ScopeDecisions && s != ScopeAdmin {
			return "", fmt.Errorf("unknown scope %q (want read, decisions:write, admin)", s)
		}
	}
	if subject == "" {
		return "", errors.New("token subject is required")
	}
	c := Claims{Scope: strings.Join(scopes, " "), Tenant: tenant, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: issuer, Subject: subject, Audience: jwt.ClaimStrings{audience},
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-5 * time.Second)),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
}

// errToken is every token failure, told apart only in the server log.
var errToken = errors.New("invalid token")

// parseToken verifies a token: HS256 only, our issuer and audience, an
// expiry no further than MaxTokenTTL from its issue.
func parseToken(key []byte, s string, now func() time.Time) (*Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(s, &c, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithIssuer(issuer), jwt.WithAudience(audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(now), jwt.WithLeeway(5*time.Second))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errToken, err)
	}
	if c.IssuedAt == nil || c.ExpiresAt.Sub(c.IssuedAt.Time) > MaxTokenTTL || c.Subject == "" {
		return nil, fmt.Errorf("%w: lifetime or subject", errToken)
	}
	return &c, nil
}

// sessionCookie carries the dashboard's token (set by /login).
const sessionCookie = "bulwark_session"

// csrfHeader must accompany a cookie-authenticated mutating call: a
// cross-site form cannot set it.
const csrfHeader = "X-Bulwark-Request"

// tokenFrom returns the request's token and whether it came from the cookie.
func tokenFrom(r *http.Request) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t), false
		}
		return "", false
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value, true
	}
	return "", false
}
