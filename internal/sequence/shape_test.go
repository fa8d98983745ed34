package sequence

import "testing"

func TestShape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/", "/"},
		{"", "/"},
		{"/tienda1/publico/anadir.jsp", "/tienda1/publico/anadir.jsp"},
		{"/Users/42/Orders/7", "/users/{n}/orders/{n}"},
		{"/api/v1/items/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "/api/v1/items/{id}"},
		{"//a///b/", "/a/b"},
		{"/a/b/c/d/e/f/g/h", "/a/b/c/d/e/f"},
		{"/search?q=1/2", "/search"},
	}
	for _, tc := range tests {
		if got := Shape(tc.in); got != tc.want {
			t.Errorf("Shape(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if ShapeHash(tc.in) != fnv64([]byte(tc.want)) {
			t.Errorf("ShapeHash(%q) differs from the hash of its shape", tc.in)
		}
	}
}

func FuzzShape(f *testing.F) {
	for _, s := range []string{"/tienda1/publico/anadir.jsp", "/api/v1/users/42", "/a//b?c=/d", "/%2e%2e/etc/passwd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sh := Shape(s)
		if len(sh) == 0 || len(sh) > maxShape || sh[0] != '/' {
			t.Fatalf("Shape(%q) = %q", s, sh)
		}
		if ShapeHash(s) != fnv64([]byte(sh)) {
			t.Fatal("hash mismatch")
		}
	})
}
