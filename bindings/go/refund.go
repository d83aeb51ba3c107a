// Package refund is the Go binding of librefund, the C library for
// refunding POS-terminal deposits (POS机押金退还).
//
// Every type that owns a C handle (Engine, MemoryStore, GoStore, Deposit,
// Policy, Case) has a Close method, which may be called any number of
// times, plus a finalizer as a safety net.  A method on a closed handle
// returns an error wrapping ErrClosed; it never crashes.  Closing an engine
// closes the deposits, policies and cases made from it.  A store can only
// be closed once no open engine uses it.
//
// No Go pointer is ever handed to C: arguments are copied into C memory,
// and the state of Go callbacks (clock, notifier, a store written in Go,
// listing visitors) is reached from C through runtime/cgo.Handle values.
// An error or a panic in a Go callback is caught: the callback returns
// REFUND_EUSER (or the store's code) to the library and the Go error is
// returned, wrapped, by the call that caused it.
//
// Amounts are int64 minor units (fen for CNY) beside a currency code;
// times are int64 seconds since 1970-01-01T00:00:00Z (see Time and Unix).
//
// Build: cgo needs the headers in include/ and the library built by meson:
//
//	CGO_CFLAGS=-I/path/to/librefund/include
//	CGO_LDFLAGS="-L/path/to/build -lrefund"
//	LD_LIBRARY_PATH=/path/to/build
//
// In the source tree the include directory is found without CGO_CFLAGS.
package refund

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: -lrefund
#include "glue.h"
*/
import "C"

import "unsafe"

// Version is the version of the linked library, such as "1.0.0".
func Version() string {
	return C.GoString(C.refund_version())
}

// VersionNumber is the linked version as major*10000 + minor*100 + patch.
func VersionNumber() int {
	return int(C.refund_version_number())
}

// cmem holds the C memory of one call: strings, structs and out-cells are
// allocated here rather than in Go memory, so that no Go pointer is ever
// handed to C, and all of it is freed together after the call.
type cmem struct {
	ptrs []unsafe.Pointer
}

// alloc returns n zeroed bytes of C memory (C.malloc aborts rather than
// return NULL).
func (m *cmem) alloc(n uintptr) unsafe.Pointer {
	p := C.malloc(C.size_t(n))
	C.memset(p, 0, C.size_t(n))
	m.ptrs = append(m.ptrs, p)
	return p
}

// str copies s into C memory.
func (m *cmem) str(s string) *C.char {
	p := C.CString(s)
	m.ptrs = append(m.ptrs, unsafe.Pointer(p))
	return p
}

// optStr is str, or NULL for "".
func (m *cmem) optStr(s string) *C.char {
	if s == "" {
		return nil
	}
	return m.str(s)
}

// bytes copies b into C memory (never NULL, even for an empty b).
func (m *cmem) bytes(b []byte) unsafe.Pointer {
	p := m.alloc(uintptr(len(b)) + 1)
	if len(b) > 0 {
		copy(unsafe.Slice((*byte)(p), len(b)), b)
	}
	return p
}

func (m *cmem) free() {
	for _, p := range m.ptrs {
		C.free(p)
	}
	m.ptrs = nil
}

// goStr copies a C string, or gives "" for NULL.
func goStr(s *C.char) string {
	if s == nil {
		return ""
	}
	return C.GoString(s)
}
