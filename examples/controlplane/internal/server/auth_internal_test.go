package server

import (
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestParseTokenRefusesUnsigned: the API's own token check refuses an
// unsigned token (alg "none"), a token signed by another key and an
// expired one, whatever refuses them first in front of it (bulwark's
// middleware refuses the unsigned one as auth.jwt_none).
func TestParseTokenRefusesUnsigned(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Now()
	good, err := Mint(key, "tester", "", []string{ScopeAdmin}, time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseToken(key, good, time.Now); err != nil {
		t.Fatalf("a token the server minted: %v", err)
	}
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "x", "scope": "admin", "iss": issuer,
		"aud": audience, "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()})
	noneTok, err := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := Mint([]byte("not the server's key, but 32 byt"), "tester", "", []string{ScopeAdmin}, time.Hour, now)
	expired, _ := Mint(key, "tester", "", []string{ScopeAdmin}, time.Minute, now.Add(-time.Hour))
	for name, tok := range map[string]string{"alg none": noneTok, "forged": forged, "expired": expired} {
		if _, err := parseToken(key, tok, time.Now); !errors.Is(err, errToken) {
			t.Errorf("%s: parseToken = %v, want errToken", name, err)
		}
	}
}
