package body

import (
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// TestJSONStringGuardPage: jsonString and quoteRun read no byte past the
// end of their input. Each input ends at the end of a page whose next page
// may not be read, so a read past it faults.
func TestJSONStringGuardPage(t *testing.T) {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip(err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Skip(err)
	}
	x := strings.Repeat("x", 300)
	for n := 0; n < 300; n++ {
		for _, tail := range []string{"", `"`, `\`, `\"`, `'`} {
			d := `"` + x[:n] + tail
			copy(mem[page-len(d):page], d)
			s := unsafe.String(&mem[page-len(d)], len(d))
			checkJSONString(t, s[1:])
			for i := range len(s) {
				if got, want := quoteRun(s[i:], '"'), quoteRunPlain(s[i:], '"'); got != want {
					t.Fatalf("quoteRun(%q) = %d, plain %d", s[i:], got, want)
				}
			}
		}
	}
}
