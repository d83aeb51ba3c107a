package refund

/*
#include "glue.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// Store keeps records for engines: a MemoryStore (the library's own) or a
// GoStore (a Backend written in Go).
type Store interface {
	core() *storeCore
	Close() error
}

type storeCore struct {
	mu      sync.Mutex
	ptr     *C.refund_store
	engines int // open engines using it

	// A Go store only:
	backend Backend
	handle  cgo.Handle
	callMu  sync.Mutex // one engine call at a time, see engineCore.run
	pending error      // the first Go failure of the current call
}

func (s *storeCore) attach() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ptr == nil {
		return closedError("store")
	}
	s.engines++
	return nil
}

func (s *storeCore) detach() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.engines--
}

func (s *storeCore) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ptr == nil {
		return nil
	}
	if s.engines > 0 {
		return &Error{Code: CodeBusy, Name: ErrorName(CodeBusy),
			Message: fmt.Sprintf("the store is used by %d open engine(s): close them first", s.engines)}
	}
	if s.backend != nil {
		C.glue_store_free(s.ptr)
		s.handle.Delete()
	} else {
		C.refund_store_free(s.ptr)
	}
	s.ptr = nil
	return nil
}

// MemoryStore is the library's in-memory store.
type MemoryStore struct {
	c *storeCore
}

// NewMemoryStore creates an empty in-memory store.
func NewMemoryStore() (*MemoryStore, error) {
	var m cmem
	defer m.free()
	out := (**C.refund_store)(m.alloc(unsafe.Sizeof(uintptr(0))))
	if rc := C.refund_store_memory_new(out, nil); rc != 0 {
		return nil, codeError(rc)
	}
	s := &MemoryStore{c: &storeCore{ptr: *out}}
	runtime.SetFinalizer(s, (*MemoryStore).Close)
	return s, nil
}

func (s *MemoryStore) core() *storeCore { return s.c }

// Close frees the store and its data.  It fails with ErrBusy while an open
// engine uses the store; closing again does nothing.
func (s *MemoryStore) Close() error { return closeStore(s.c, s) }

// Record is a stored record: the library's bytes and their version.
type Record struct {
	Kind    RecordKind
	ID      string
	Version uint64
	Data    []byte
}

// Index holds the fields stored beside a record's bytes, for columns and
// indexes.  Empty strings are absent fields.
type Index struct {
	DepositID    string
	Holder       string
	Agent        string
	State        string
	NextDeadline int64 // NoDeadline if none
}

// Put is one record to write: it must currently have ExpectedVersion (0:
// must not exist) and gets ExpectedVersion+1.
type Put struct {
	Kind            RecordKind
	ID              string
	ExpectedVersion uint64
	Data            []byte
	Index           Index
}

// StoredEvent is one audit event of a record's history.
type StoredEvent struct {
	Kind RecordKind
	ID   string
	Seq  uint64
	At   int64
	Data []byte
}

// Batch is what Commit applies atomically.
type Batch struct {
	Puts   []Put
	Events []StoredEvent
}

// DueRecord is a record whose next deadline has come.
type DueRecord struct {
	Kind         RecordKind
	ID           string
	NextDeadline int64
}

// ScanFilter selects records for Scan; empty fields match anything.
type ScanFilter struct {
	DepositID, Holder, Agent, State string
	AfterID                         string // only ids greater than this (bytewise)
	Limit                           int    // 0: no limit
}

// Backend is a store written in Go (the contract of refund/sys/store.h).
// Errors: return ErrNotFound (Load), ErrConflict (Commit), ErrBusy,
// ErrNoMem or ErrInvalid, possibly wrapped; any other error is reported to
// the library as REFUND_ESTORE and returned, wrapped, by the engine call.
// Byte slices passed in are the backend's to keep.
type Backend interface {
	// Load returns the record (kind, id) or ErrNotFound.
	Load(kind RecordKind, id string) (Record, error)
	// Commit applies the batch all together or not at all: every put's
	// expected version must match, and every event must continue its
	// record's history (seq 1, 2, 3, ... without gaps), else ErrConflict
	// and nothing is written.
	Commit(batch *Batch) error
	// Events returns the events of (kind, id) with seq >= fromSeq, in
	// order.
	Events(kind RecordKind, id string, fromSeq uint64) ([]StoredEvent, error)
	// Due returns records whose next deadline is <= before, earliest
	// first, ties by kind then id; at most limit (0: all).
	Due(before int64, limit int) ([]DueRecord, error)
}

// Scanner is a Backend that can also list records, for listings.  Without
// it listings fail with ErrNotSup.
type Scanner interface {
	// Scan returns the records of kind matching filter in increasing id
	// order.
	Scan(kind RecordKind, filter ScanFilter) ([]Record, error)
}

// GoStore lets engines keep their records in a Backend written in Go.
type GoStore struct {
	c *storeCore
}

// NewGoStore wraps a backend as a store.
func NewGoStore(b Backend) (*GoStore, error) {
	if b == nil {
		return nil, &Error{Code: CodeInval, Name: ErrorName(CodeInval), Message: "no backend"}
	}
	c := &storeCore{backend: b}
	c.handle = cgo.NewHandle(c)
	_, scans := b.(Scanner)
	withScan := C.int(0)
	if scans {
		withScan = 1
	}
	c.ptr = C.glue_store_new(C.uintptr_t(c.handle), withScan)
	if c.ptr == nil {
		c.handle.Delete()
		return nil, codeError(C.REFUND_ENOMEM)
	}
	s := &GoStore{c: c}
	runtime.SetFinalizer(s, (*GoStore).Close)
	return s, nil
}

func (s *GoStore) core() *storeCore { return s.c }

// Close releases the store (not the backend's data).  It fails with
// ErrBusy while an open engine uses it; closing again does nothing.
func (s *GoStore) Close() error { return closeStore(s.c, s) }

// closeStore closes c for the Go value s that owns it; once closed, s
// needs no finalizer.
func closeStore(c *storeCore, s interface{}) error {
	err := c.close()
	if err == nil {
		runtime.SetFinalizer(s, nil)
	}
	return err
}

// The codes a store may return to the library.
var storeCodes = map[int]bool{CodeNotFound: true, CodeConflict: true, CodeBusy: true,
	CodeStore: true, CodeNoMem: true, CodeInval: true, CodeNotSup: true}

var sentinels = map[*Error]bool{ErrNotFound: true, ErrConflict: true, ErrBusy: true,
	ErrStore: true, ErrNoMem: true, ErrInvalid: true, ErrNotSup: true}

// code turns a backend error into a store return code, keeping any error
// that is more than a bare sentinel for the engine call to return.
func (s *storeCore) code(op string, err error) C.int {
	if err == nil {
		return 0
	}
	code := CodeStore
	var e *Error
	if errors.As(err, &e) && storeCodes[e.Code] {
		code = e.Code
	}
	if bare, ok := err.(*Error); (!ok || !sentinels[bare]) && s.pending == nil {
		s.pending = &CallbackError{Callback: "store." + op, Err: err}
	}
	return C.int(code)
}

func (s *storeCore) recover(op string, rc *C.int) {
	if r := recover(); r != nil {
		if s.pending == nil {
			s.pending = &CallbackError{Callback: "store." + op, Err: recovered(r)}
		}
		*rc = C.REFUND_ESTORE
	}
}

func storeOf(h C.uintptr_t) *storeCore {
	return cgo.Handle(h).Value().(*storeCore)
}

// callRecord hands one record to the library's callback, in C memory.
func callRecord(cb C.refund_store_record_cb, ctx unsafe.Pointer, r Record) C.int {
	var m cmem
	defer m.free()
	return C.glue_call_record(cb, ctx, C.int(r.Kind), m.str(r.ID), C.uint64_t(r.Version),
		(*C.uchar)(m.bytes(r.Data)), C.size_t(len(r.Data)))
}

//export goStoreLoad
func goStoreLoad(h C.uintptr_t, kind C.int, id *C.char, cb C.refund_store_record_cb,
	ctx unsafe.Pointer) (rc C.int) {
	s := storeOf(h)
	defer s.recover("load", &rc)
	r, err := s.backend.Load(RecordKind(kind), C.GoString(id))
	if err != nil {
		return s.code("load", err)
	}
	return callRecord(cb, ctx, r)
}

//export goStoreCommit
func goStoreCommit(h C.uintptr_t, batch *C.refund_store_batch) (rc C.int) {
	s := storeOf(h)
	defer s.recover("commit", &rc)
	return s.code("commit", s.backend.Commit(batchOf(batch)))
}

func batchOf(b *C.refund_store_batch) *Batch {
	var out Batch
	for _, p := range unsafe.Slice(b.puts, b.nputs) {
		out.Puts = append(out.Puts, Put{
			Kind:            RecordKind(p.kind),
			ID:              goStr(p.id),
			ExpectedVersion: uint64(p.expected_version),
			Data:            C.GoBytes(unsafe.Pointer(p.data), C.int(p.size)),
			Index: Index{
				DepositID:    goStr(p.index.deposit_id),
				Holder:       goStr(p.index.holder),
				Agent:        goStr(p.index.agent),
				State:        goStr(p.index.state),
				NextDeadline: int64(p.index.next_deadline),
			},
		})
	}
	for _, e := range unsafe.Slice(b.events, b.nevents) {
		out.Events = append(out.Events, StoredEvent{
			Kind: RecordKind(e.kind),
			ID:   goStr(e.id),
			Seq:  uint64(e.seq),
			At:   int64(e.at),
			Data: C.GoBytes(unsafe.Pointer(e.data), C.int(e.size)),
		})
	}
	return &out
}

//export goStoreEvents
func goStoreEvents(h C.uintptr_t, kind C.int, id *C.char, fromSeq C.uint64_t,
	cb C.refund_store_event_cb, ctx unsafe.Pointer) (rc C.int) {
	s := storeOf(h)
	defer s.recover("events", &rc)
	events, err := s.backend.Events(RecordKind(kind), C.GoString(id), uint64(fromSeq))
	if err != nil {
		return s.code("events", err)
	}
	for _, e := range events {
		if rc := callEvent(cb, ctx, e); rc != 0 {
			return rc
		}
	}
	return 0
}

func callEvent(cb C.refund_store_event_cb, ctx unsafe.Pointer, e StoredEvent) C.int {
	var m cmem
	defer m.free()
	return C.glue_call_event(cb, ctx, C.int(e.Kind), m.str(e.ID), C.uint64_t(e.Seq),
		C.refund_time(e.At), (*C.uchar)(m.bytes(e.Data)), C.size_t(len(e.Data)))
}

//export goStoreDue
func goStoreDue(h C.uintptr_t, before C.refund_time, limit C.size_t,
	cb C.refund_store_due_cb, ctx unsafe.Pointer) (rc C.int) {
	s := storeOf(h)
	defer s.recover("due", &rc)
	due, err := s.backend.Due(int64(before), int(limit))
	if err != nil {
		return s.code("due", err)
	}
	for _, d := range due {
		if rc := callDue(cb, ctx, d); rc != 0 {
			return rc
		}
	}
	return 0
}

func callDue(cb C.refund_store_due_cb, ctx unsafe.Pointer, d DueRecord) C.int {
	var m cmem
	defer m.free()
	return C.glue_call_due(cb, ctx, C.int(d.Kind), m.str(d.ID), C.refund_time(d.NextDeadline))
}

//export goStoreScan
func goStoreScan(h C.uintptr_t, kind C.int, filter *C.refund_store_filter,
	cb C.refund_store_record_cb, ctx unsafe.Pointer) (rc C.int) {
	s := storeOf(h)
	defer s.recover("scan", &rc)
	var f ScanFilter
	if filter != nil {
		f = ScanFilter{DepositID: goStr(filter.deposit_id), Holder: goStr(filter.holder),
			Agent: goStr(filter.agent), State: goStr(filter.state),
			AfterID: goStr(filter.after_id), Limit: int(filter.limit)}
	}
	records, err := s.backend.(Scanner).Scan(RecordKind(kind), f)
	if err != nil {
		return s.code("scan", err)
	}
	for _, r := range records {
		if rc := callRecord(cb, ctx, r); rc != 0 {
			return rc
		}
	}
	return 0
}
