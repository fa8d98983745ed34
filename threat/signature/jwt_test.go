package signature_test

import "testing"

// Unsigned tokens (alg "none") as a forger sends them: the CRS's 934230
// tests (Apache-2.0) and the variants the algorithm-confusion write-ups
// list (any case, padded, standard base64, escaped, a repeated key).
var jwtAttacks = []familyCase{
	{"header:Authorization", "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ0ZXN0In0.", 0.99},
	{"header:Authorization", "Bearer eyJhbGciOiJOT05FIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ0ZXN0In0.", 0.99},
	{"header:Authorization", "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.", 0.99},
	{"header:Authorization", "Bearer eyJhbGciOiJOb25lIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.", 0.99},
	{"header:Authorization", "JWT eyJ0eXAiOiJKV1QiLCJhbGciOiJOT05FIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.", 0.99},
	{"header:Cookie", "token=eyJhbGciOiJuT25FIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.", 0.99},
	{"q", "eyJhbGciOiJub25lIn0=.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.", 0.99},
	{"q", "eyAiYWxnIiA6ICJub25lIiAsICJraWQiOiJrMSJ9.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.sig", 0.99},
	{"header:Authorization", "Bearer eyJhbGciOiJcdTAwNmVvbmUiLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.", 0.99},
	{"header:Authorization", "Bearer eyJhbGciOiJIUzI1NiIsImFsZyI6Im5vbmUifQ.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.", 0.99},
	{"body:application/json", "{\"token\": \"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.\"}", 0.99},
}

// Signed tokens, "none" elsewhere than the algorithm, and prose.
var jwtBenign = []familyCase{
	{"header:Authorization", "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", 0},
	{"header:Authorization", "Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vbmUiLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ1MSIsImFsZyI6Im5vbmUifQ.c2lnbmF0dXJl", 0},
	{"header:Authorization", "Bearer eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsIm5vdGUiOiJub25lIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.c2ln", 0},
	{"header:Authorization", "Bearer eyJhbGciOiJub25lc3VjaCJ9.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.", 0},
	{"header:Cookie", "token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.c2ln", 0},
	{"q", "eyJhbGciOiJub25lIn0 is the encoding of alg none, explained", 0},
	{"q", "eyes. They are closed", 0},
	{"q", "eyJ", 0},
}

func TestJWTNone(t *testing.T) { checkFamily(t, "code", jwtAttacks, jwtBenign, 0.5) }
