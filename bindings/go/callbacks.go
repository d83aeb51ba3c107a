package refund

// The //export'ed functions the C trampolines in glue.c call.  Each finds
// its Go state through a cgo.Handle and never lets a panic unwind into C.

/*
#include "glue.h"
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

//export goClock
func goClock(h C.uintptr_t) (t C.refund_time) {
	c := cgo.Handle(h).Value().(*engineCore)
	defer func() {
		if r := recover(); r != nil {
			c.fail(&CallbackError{Callback: "clock", Err: recovered(r)})
			t = -1 // out of range: the library refuses it and acts on nothing
		}
	}()
	return C.refund_time(c.clock())
}

//export goNotify
func goNotify(h C.uintptr_t, n *C.refund_notice) {
	c := cgo.Handle(h).Value().(*engineCore)
	defer func() {
		if r := recover(); r != nil {
			c.fail(&CallbackError{Callback: "notify", Err: recovered(r)})
		}
	}()
	c.notify(noticeOf(n))
}

func noticeOf(n *C.refund_notice) Notice {
	return Notice{
		Kind:       NoticeKind(n.kind),
		RecordKind: RecordKind(n.record_kind),
		ID:         goStr(n.id),
		Actor:      goStr(n.actor),
		At:         int64(n.at),
		Amount:     int64(n.amount),
		Currency:   goStr(n.currency),
		EntryKind:  EntryKind(n.entry_kind),
		Action:     Action(n.action),
		From:       State(n.from_state),
		To:         State(n.to_state),
		Deadline:   int64(n.deadline),
		Overdue:    n.overdue != 0,
	}
}

// visitor is the Go side of a listing: fn sees each item while the C
// handle is valid.
type visitor struct {
	eng *engineCore
	fn  func(p unsafe.Pointer) error
}

// visit runs a listing whose C callback calls fn, with the engine lock held.
func (c *engineCore) visit(fn func(p unsafe.Pointer) error, call func(h C.uintptr_t) C.int) C.int {
	h := cgo.NewHandle(&visitor{eng: c, fn: fn})
	defer h.Delete()
	return call(C.uintptr_t(h))
}

func runVisitor(h C.uintptr_t, p unsafe.Pointer) (rc C.int) {
	v := cgo.Handle(h).Value().(*visitor)
	defer func() {
		if r := recover(); r != nil {
			v.eng.fail(&CallbackError{Callback: "visit", Err: recovered(r)})
			rc = C.REFUND_EUSER
		}
	}()
	if err := v.fn(p); err != nil {
		v.eng.fail(&CallbackError{Callback: "visit", Err: err})
		return C.REFUND_EUSER
	}
	return 0
}

//export goVisitDeposit
func goVisitDeposit(h C.uintptr_t, d *C.refund_deposit) C.int {
	return runVisitor(h, unsafe.Pointer(d))
}

//export goVisitCase
func goVisitCase(h C.uintptr_t, c *C.refund_case) C.int {
	return runVisitor(h, unsafe.Pointer(c))
}

//export goVisitEvent
func goVisitEvent(h C.uintptr_t, e *C.refund_event) C.int {
	return runVisitor(h, unsafe.Pointer(e))
}
