package refund

/*
#include "glue.h"
*/
import "C"

import (
	"errors"
	"fmt"
)

// Error is a failure reported by librefund.  Code is the REFUND_E* value
// (negative), Name its symbolic name ("REFUND_EDENIED") and Message the
// detailed text the engine kept (in the engine's language), or the static
// description of the code.  Err, if not nil, is the Go error behind it: the
// failure of a Go callback (see CallbackError) or ErrClosed.
//
// errors.Is(err, ErrDenied) holds for every *Error whose Code is that of
// ErrDenied, whatever its message.
type Error struct {
	Code    int
	Name    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = Strerror(e.Code, LangEN)
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s (%v)", e.Name, msg, e.Err)
	}
	return e.Name + ": " + msg
}

// Unwrap returns the Go error behind the failure, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, ErrDenied) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Error codes, fixed forever by the library.
const (
	CodeOK        = int(C.REFUND_OK)
	CodeInval     = int(C.REFUND_EINVAL)
	CodeNoMem     = int(C.REFUND_ENOMEM)
	CodeNotFound  = int(C.REFUND_ENOTFOUND)
	CodeExists    = int(C.REFUND_EEXISTS)
	CodeState     = int(C.REFUND_ESTATE)
	CodeDenied    = int(C.REFUND_EDENIED)
	CodeConflict  = int(C.REFUND_ECONFLICT)
	CodeDeadline  = int(C.REFUND_EDEADLINE)
	CodeDuplicate = int(C.REFUND_EDUPLICATE)
	CodeStore     = int(C.REFUND_ESTORE)
	CodeUser      = int(C.REFUND_EUSER)
	CodeCorrupt   = int(C.REFUND_ECORRUPT)
	CodeOverflow  = int(C.REFUND_EOVERFLOW)
	CodeCurrency  = int(C.REFUND_ECURRENCY)
	CodeCalendar  = int(C.REFUND_ECALENDAR)
	CodeNotSup    = int(C.REFUND_ENOTSUP)
	CodeVersion   = int(C.REFUND_EVERSION)
	CodeBusy      = int(C.REFUND_EBUSY)
	CodeBalance   = int(C.REFUND_EBALANCE)
	CodeParse     = int(C.REFUND_EPARSE)
	CodeRange     = int(C.REFUND_ERANGE)
	CodeEvidence  = int(C.REFUND_EEVIDENCE)
)

// Sentinel errors, one per code, for errors.Is.
var (
	ErrInvalid   = sentinel(CodeInval)
	ErrNoMem     = sentinel(CodeNoMem)
	ErrNotFound  = sentinel(CodeNotFound)
	ErrExists    = sentinel(CodeExists)
	ErrState     = sentinel(CodeState)
	ErrDenied    = sentinel(CodeDenied)
	ErrConflict  = sentinel(CodeConflict)
	ErrDeadline  = sentinel(CodeDeadline)
	ErrDuplicate = sentinel(CodeDuplicate)
	ErrStore     = sentinel(CodeStore)
	ErrUser      = sentinel(CodeUser)
	ErrCorrupt   = sentinel(CodeCorrupt)
	ErrOverflow  = sentinel(CodeOverflow)
	ErrCurrency  = sentinel(CodeCurrency)
	ErrCalendar  = sentinel(CodeCalendar)
	ErrNotSup    = sentinel(CodeNotSup)
	ErrVersion   = sentinel(CodeVersion)
	ErrBusy      = sentinel(CodeBusy)
	ErrBalance   = sentinel(CodeBalance)
	ErrParse     = sentinel(CodeParse)
	ErrRange     = sentinel(CodeRange)
	ErrEvidence  = sentinel(CodeEvidence)
)

// ErrClosed is wrapped (in an *Error with code REFUND_EINVAL) by every
// method called on a closed handle.
var ErrClosed = errors.New("refund: handle is closed")

// ErrorName is the symbolic name of a code, such as "REFUND_EINVAL";
// "REFUND_E?" for an unknown code.
func ErrorName(code int) string {
	return C.GoString(C.refund_error_name(C.int(code)))
}

// Strerror is the short static description of a code in a language.
func Strerror(code int, lang Lang) string {
	return C.GoString(C.refund_strerror(C.int(code), C.refund_lang(lang)))
}

func sentinel(code int) *Error {
	return &Error{Code: code, Name: ErrorName(code), Message: Strerror(code, LangEN)}
}

// codeError makes the error for a library return code, with its static
// description (for calls made without an engine).
func codeError(rc C.int) error {
	if rc == 0 {
		return nil
	}
	return &Error{Code: int(rc), Name: ErrorName(int(rc)), Message: Strerror(int(rc), LangEN)}
}

func closedError(what string) error {
	return &Error{Code: CodeInval, Name: ErrorName(CodeInval),
		Message: what + " is closed", Err: ErrClosed}
}

// CallbackError is the failure of a Go callback during a library call:
// Callback names it ("clock", "notify", "store.commit", "visit", ...) and
// Err is what it returned, or a *PanicError if it panicked.
type CallbackError struct {
	Callback string
	Err      error
}

func (e *CallbackError) Error() string { return e.Callback + ": " + e.Err.Error() }

// Unwrap returns the callback's own error.
func (e *CallbackError) Unwrap() error { return e.Err }

// PanicError is a panic caught in a Go callback; Value is what was passed
// to panic.
type PanicError struct {
	Value any
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value if it was an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// recovered turns a recovered panic value into an error.
func recovered(r any) error {
	return &PanicError{Value: r}
}
