package refund

/*
#include "glue.h"
*/
import "C"

import (
	"runtime"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// Options say how to create an engine.
type Options struct {
	// Store keeps the records; required.  It must stay open while the
	// engine is (Close refuses to close a store in use).
	Store Store
	// Clock returns the current time in seconds UTC; nil: the system's.
	// A panic in it fails the call with REFUND_EUSER.
	Clock func() int64
	// Notify receives a notice after each committed change; nil: none.
	// It must not call back into the same engine.  A panic in it is
	// returned (REFUND_EUSER) by the call that committed the change: the
	// change itself stands.
	Notify func(Notice)
	// Lang is the language of messages.
	Lang Lang
}

// Notice tells the host about a committed change.
type Notice struct {
	Kind       NoticeKind
	RecordKind RecordKind
	ID         string
	Actor      string // "" if none
	At         int64
	Amount     int64 // minor units, or 0
	Currency   string
	EntryKind  EntryKind // ledger entries
	Action     Action    // cases
	From, To   State     // cases
	Deadline   int64     // deadlines and reminders
	Overdue    bool      // reminders: the deadline has passed
}

// Engine ties the library to a store, a clock and a notifier.  Its methods
// (and those of the handles made from it) may be called from any
// goroutine: calls are serialized on the engine.
type Engine struct {
	core  *engineCore
	store Store // keeps the store reachable while the engine is
}

// engineCore is the state the C callbacks reach through a cgo.Handle.  It
// holds no reference to the Engine, so that the Engine can be finalized.
type engineCore struct {
	mu       sync.Mutex
	ptr      *C.refund_engine
	store    *storeCore
	self     cgo.Handle
	clock    func() int64
	notify   func(Notice)
	pending  error // the first Go callback failure of the current call
	children map[*handleCore]struct{}
}

// handleCore is a C handle made from an engine (deposit, policy, case).
type handleCore struct {
	eng  *engineCore
	what string
	ptr  unsafe.Pointer
	free func(unsafe.Pointer)
}

// NewEngine creates an engine on a store.
func NewEngine(opts Options) (*Engine, error) {
	if opts.Store == nil {
		return nil, &Error{Code: CodeInval, Name: ErrorName(CodeInval), Message: "no store"}
	}
	sc := opts.Store.core()
	core := &engineCore{store: sc, clock: opts.Clock, notify: opts.Notify,
		children: map[*handleCore]struct{}{}}
	if err := sc.attach(); err != nil {
		return nil, err
	}
	core.self = cgo.NewHandle(core)
	var clockH, notifyH C.uintptr_t
	if opts.Clock != nil {
		clockH = C.uintptr_t(core.self)
	}
	if opts.Notify != nil {
		notifyH = C.uintptr_t(core.self)
	}
	var m cmem
	defer m.free()
	out := (**C.refund_engine)(m.alloc(unsafe.Sizeof(uintptr(0))))
	rc := C.glue_engine_new(out, sc.ptr, clockH, notifyH, C.int(opts.Lang))
	if rc != 0 {
		core.self.Delete()
		sc.detach()
		return nil, codeError(rc)
	}
	core.ptr = *out
	e := &Engine{core: core, store: opts.Store}
	runtime.SetFinalizer(e, (*Engine).Close)
	return e, nil
}

// Close frees the engine and every deposit, policy and case handle made
// from it.  Closing again does nothing.
func (e *Engine) Close() error {
	runtime.SetFinalizer(e, nil)
	c := e.core
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ptr == nil {
		return nil
	}
	for h := range c.children {
		h.release()
	}
	C.refund_engine_free(c.ptr)
	c.ptr = nil
	c.self.Delete()
	c.store.detach()
	return nil
}

// do runs one library call on the engine, serialized, and turns its return
// code and any Go callback failure into an error.
func (c *engineCore) do(f func(e *C.refund_engine) C.int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ptr == nil {
		return closedError("engine")
	}
	return c.run(f)
}

// run is do with the engine lock held.
func (c *engineCore) run(f func(e *C.refund_engine) C.int) error {
	sc := c.store
	if sc.backend != nil {
		// One call at a time per Go store, so that its failure is
		// reported to the call that caused it.
		sc.callMu.Lock()
		defer sc.callMu.Unlock()
		sc.pending = nil
	}
	c.pending = nil
	rc := f(c.ptr)
	var storeErr error
	if sc.backend != nil {
		storeErr, sc.pending = sc.pending, nil
	}
	cbErr := c.pending
	c.pending = nil
	switch {
	case cbErr != nil:
		msg := ""
		if rc != 0 {
			msg = C.GoString(C.refund_engine_errmsg(c.ptr))
		} else {
			msg = Strerror(CodeUser, Lang(C.refund_engine_lang(c.ptr)))
		}
		return &Error{Code: CodeUser, Name: ErrorName(CodeUser), Message: msg, Err: cbErr}
	case rc == 0:
		return nil
	default:
		err := &Error{Code: int(rc), Name: ErrorName(int(rc)),
			Message: C.GoString(C.refund_engine_errmsg(c.ptr))}
		err.Err = storeErr
		return err
	}
}

// fail records the first Go callback failure of the current call.
func (c *engineCore) fail(err error) {
	if c.pending == nil {
		c.pending = err
	}
}

// adopt registers a C handle made from the engine, to be freed with it.
// Called with the engine lock held.
func (c *engineCore) adopt(what string, p unsafe.Pointer, free func(unsafe.Pointer)) *handleCore {
	h := &handleCore{eng: c, what: what, ptr: p, free: free}
	c.children[h] = struct{}{}
	return h
}

// adoptCall runs a call that may make a handle and adopts what made()
// gives under the same lock (a handle made is kept even if a Go callback
// failed: the change was committed).  The handle is nil if none was made.
func (c *engineCore) adoptCall(what string, made func() unsafe.Pointer, free func(unsafe.Pointer),
	f func(*C.refund_engine) C.int) (*handleCore, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ptr == nil {
		return nil, closedError("engine")
	}
	err := c.run(f)
	p := made()
	if p == nil {
		return nil, err
	}
	return c.adopt(what, p, free), err
}

// list runs a listing call, giving each C object it lists to each.
func (c *engineCore) list(each func(unsafe.Pointer) error,
	call func(e *C.refund_engine, h C.uintptr_t) C.int) error {
	return c.do(func(p *C.refund_engine) C.int {
		return c.visit(each, func(h C.uintptr_t) C.int { return call(p, h) })
	})
}

// collect gathers what a Visit method gives into a slice.
func collect[T any](visit func(fn func(T) error) error) ([]T, error) {
	var out []T
	err := visit(func(v T) error {
		out = append(out, v)
		return nil
	})
	return out, err
}

// do runs a library call on the handle; a closed handle (or engine) is an
// error.
func (h *handleCore) do(f func(e *C.refund_engine, p unsafe.Pointer) C.int) error {
	c := h.eng
	c.mu.Lock()
	defer c.mu.Unlock()
	if h.ptr == nil || c.ptr == nil {
		return closedError(h.what)
	}
	return c.run(func(e *C.refund_engine) C.int { return f(e, h.ptr) })
}

// read runs f on the handle without a library call that can fail.
func (h *handleCore) read(f func(p unsafe.Pointer)) error {
	c := h.eng
	c.mu.Lock()
	defer c.mu.Unlock()
	if h.ptr == nil || c.ptr == nil {
		return closedError(h.what)
	}
	f(h.ptr)
	return nil
}

// close frees the handle; idempotent.
func (h *handleCore) close() {
	c := h.eng
	c.mu.Lock()
	defer c.mu.Unlock()
	h.release()
}

func (h *handleCore) release() {
	if h.ptr == nil {
		return
	}
	h.free(h.ptr)
	h.ptr = nil
	delete(h.eng.children, h)
}

// Lang is the engine's message language.
func (e *Engine) Lang() (Lang, error) {
	var l Lang
	err := e.core.do(func(p *C.refund_engine) C.int {
		l = Lang(C.refund_engine_lang(p))
		return 0
	})
	return l, err
}

// SetLang changes the engine's message language.
func (e *Engine) SetLang(l Lang) error {
	return e.core.do(func(p *C.refund_engine) C.int {
		return C.refund_engine_set_lang(p, C.refund_lang(l))
	})
}

// Now is the current time by the engine's clock.
func (e *Engine) Now() (int64, error) {
	var m cmem
	defer m.free()
	out := (*C.refund_time)(m.alloc(C.sizeof_refund_time))
	err := e.core.do(func(p *C.refund_engine) C.int { return C.refund_engine_now(p, out) })
	if err != nil {
		return 0, err
	}
	return int64(*out), nil
}

// SetCurrency adds a currency or overrides a built-in's minor-unit
// exponent (0 to 4) for this engine.
func (e *Engine) SetCurrency(code string, exponent int) error {
	var m cmem
	defer m.free()
	return e.core.do(func(p *C.refund_engine) C.int {
		return C.refund_engine_set_currency(p, m.str(code), C.int(exponent))
	})
}

// CurrencyExponent is the minor-unit exponent of a currency, with the
// engine's overrides.
func (e *Engine) CurrencyExponent(code string) (int, error) {
	var m cmem
	defer m.free()
	out := (*C.int)(m.alloc(C.sizeof_int))
	err := e.core.do(func(p *C.refund_engine) C.int {
		return C.refund_currency_exponent(p, m.str(code), out)
	})
	if err != nil {
		return 0, err
	}
	return int(*out), nil
}

// ParseMoney is the package's ParseMoney with the engine's currencies and
// its message language.
func (e *Engine) ParseMoney(currency, text string) (Money, error) {
	var out Money
	err := e.core.do(func(p *C.refund_engine) C.int {
		var err error
		out, err = parseMoney(p, currency, text, 0)
		return codeOf(err)
	})
	return out, err
}

// FormatMoney is the package's FormatMoney with the engine's currencies.
func (e *Engine) FormatMoney(m Money) (string, error) {
	var out string
	err := e.core.do(func(p *C.refund_engine) C.int {
		var err error
		out, err = formatMoney(p, m.Currency, m.Amount)
		return codeOf(err)
	})
	return out, err
}

func codeOf(err error) C.int {
	if e, ok := err.(*Error); ok {
		return C.int(e.Code)
	}
	if err != nil {
		return C.REFUND_EUSER
	}
	return 0
}

// AddCalendar parses a calendar in its text form (see refund/calendar.h)
// and gives it to the engine, replacing one of the same name, so that
// policies parsed afterwards can name it.
func (e *Engine) AddCalendar(text string) error {
	var m cmem
	defer m.free()
	out := (**C.refund_calendar)(m.alloc(unsafe.Sizeof(uintptr(0))))
	src := m.str(text)
	return e.core.do(func(p *C.refund_engine) C.int {
		if rc := C.refund_calendar_parse(p, out, src, C.size_t(len(text))); rc != 0 {
			return rc
		}
		rc := C.refund_engine_add_calendar(p, *out)
		if rc != 0 {
			C.refund_calendar_free(*out)
		}
		return rc
	})
}

// TickResult says what a tick did.
type TickResult struct {
	Due          int // cases the deadline index returned
	Reminders    int // reminders sent
	Consequences int // consequences applied
	Conflicts    int // cases another engine changed first
}

// Tick fires every deadline due at or before now (at most limit cases; 0:
// all), each as a committed transition by the system actor.
func (e *Engine) Tick(now int64, limit int) (TickResult, error) {
	var m cmem
	defer m.free()
	r := (*C.refund_tick_result)(m.alloc(C.sizeof_refund_tick_result))
	r.version = C.REFUND_TICK_RESULT_VERSION
	err := e.core.do(func(p *C.refund_engine) C.int {
		return C.refund_engine_tick(p, C.refund_time(now), C.size_t(limit), r)
	})
	return TickResult{Due: int(r.due), Reminders: int(r.reminders),
		Consequences: int(r.consequences), Conflicts: int(r.conflicts)}, err
}
