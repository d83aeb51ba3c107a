package refund

/*
#include "glue.h"

static void glue_deposit_free(void *p) { refund_deposit_free(p); }
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// Act says who acts, with the options every case action shares.  Deposit
// and policy calls use Actor and Role only.
type Act struct {
	Actor string
	Role  Role
	// Key is an optional idempotency key: repeating an action with the
	// same key and arguments does nothing more and succeeds.
	Key string
	// Note is optional free text kept in the audit trail.
	Note string
}

// NewDeposit describes a deposit to record.
type NewDeposit struct {
	ID             string
	Holder         string // the merchant
	Agent          string
	TerminalSerial string
	ContractID     string // optional
	Receipt        string // optional
	Amount         Money
	PaidAt         int64
	ContractEnd    int64 // TimeNone (or 0) if open-ended
}

// DepositInfo is a snapshot of a deposit.
type DepositInfo struct {
	ID                string
	Holder            string
	Agent             string
	TerminalSerial    string
	ContractID        string
	Receipt           string
	Currency          string
	PaidAt            int64
	ContractEnd       int64 // TimeNone if open-ended
	DaysInService     int64
	TransactionVolume int64
	Version           uint64
	OpenCase          string // "" if none
	Balance           Balance
}

// Balance is where a deposit's money stands: Held = Refunded + Deducted +
// Remaining.
type Balance struct {
	Held, Refunded, Deducted, Remaining int64
}

// Entry is one ledger entry.
type Entry struct {
	Seq       uint32
	Kind      EntryKind
	Amount    int64
	At        int64
	Actor     string
	Role      Role
	Reference string
	CaseID    string
}

// Deposit is a handle on a stored deposit: a snapshot at a version that
// changes only after its own commits succeed.
type Deposit struct {
	h   *handleCore
	eng *Engine // keeps the engine reachable while the handle is
}

// Close frees the handle (not the stored deposit); idempotent.
func (d *Deposit) Close() error {
	runtime.SetFinalizer(d, nil)
	d.h.close()
	return nil
}

func (m *cmem) act(a Act) *C.refund_act {
	p := (*C.refund_act)(m.alloc(C.sizeof_refund_act))
	p.version = C.REFUND_ACT_VERSION
	p.actor = m.optStr(a.Actor)
	p.role = C.int(a.Role)
	p.idempotency_key = m.optStr(a.Key)
	p.note = m.optStr(a.Note)
	return p
}

// CreateDeposit records a new deposit with its hold entry.
func (e *Engine) CreateDeposit(nd NewDeposit, a Act) (*Deposit, error) {
	var m cmem
	defer m.free()
	info := (*C.refund_deposit_info)(m.alloc(C.sizeof_refund_deposit_info))
	C.refund_deposit_info_init(info, C.REFUND_DEPOSIT_INFO_VERSION)
	info.id = m.optStr(nd.ID)
	info.holder = m.optStr(nd.Holder)
	info.agent = m.optStr(nd.Agent)
	info.terminal_serial = m.optStr(nd.TerminalSerial)
	info.contract_id = m.optStr(nd.ContractID)
	info.receipt = m.optStr(nd.Receipt)
	info.amount = C.int64_t(nd.Amount.Amount)
	info.currency = m.optStr(nd.Amount.Currency)
	info.paid_at = C.refund_time(nd.PaidAt)
	if nd.ContractEnd != 0 {
		info.contract_end = C.refund_time(nd.ContractEnd)
	}
	actor := m.optStr(a.Actor)
	out := (**C.refund_deposit)(m.alloc(unsafe.Sizeof(uintptr(0))))
	return e.depositCall(out, func(p *C.refund_engine) C.int {
		return C.refund_deposit_create(p, out, info, actor, C.int(a.Role))
	})
}

// LoadDeposit loads a deposit by id.
func (e *Engine) LoadDeposit(id string) (*Deposit, error) {
	var m cmem
	defer m.free()
	out := (**C.refund_deposit)(m.alloc(unsafe.Sizeof(uintptr(0))))
	cid := m.str(id)
	return e.depositCall(out, func(p *C.refund_engine) C.int {
		return C.refund_deposit_load(p, out, cid)
	})
}

// depositCall runs a call that makes a deposit handle.
func (e *Engine) depositCall(out **C.refund_deposit, f func(*C.refund_engine) C.int) (*Deposit, error) {
	h, err := e.core.adoptCall("deposit", func() unsafe.Pointer { return unsafe.Pointer(*out) },
		func(p unsafe.Pointer) { C.glue_deposit_free(p) }, f)
	if h == nil {
		return nil, err
	}
	d := &Deposit{h: h, eng: e}
	runtime.SetFinalizer(d, (*Deposit).Close)
	return d, err
}

// DepositFilter selects deposits for Deposits; empty fields match all.
type DepositFilter struct {
	Holder, Agent, AfterID string
	Limit                  int
}

// Deposits lists deposits in increasing id order (the store must scan).
func (e *Engine) Deposits(f DepositFilter) ([]DepositInfo, error) {
	return collect(func(fn func(DepositInfo) error) error { return e.VisitDeposits(f, fn) })
}

// VisitDeposits calls fn for each deposit, stopping at its first error
// (which is returned, wrapped with REFUND_EUSER).  fn runs while the
// engine is busy: it must not call the engine.
func (e *Engine) VisitDeposits(f DepositFilter, fn func(DepositInfo) error) error {
	var m cmem
	defer m.free()
	cf := (*C.refund_deposit_filter)(m.alloc(C.sizeof_refund_deposit_filter))
	cf.version = C.REFUND_DEPOSIT_FILTER_VERSION
	cf.holder = m.optStr(f.Holder)
	cf.agent = m.optStr(f.Agent)
	cf.after_id = m.optStr(f.AfterID)
	cf.limit = C.size_t(f.Limit)
	return e.core.list(func(d unsafe.Pointer) error {
		return fn(depositInfo((*C.refund_deposit)(d)))
	}, func(p *C.refund_engine, h C.uintptr_t) C.int { return C.glue_deposit_list(p, cf, h) })
}

func depositInfo(d *C.refund_deposit) DepositInfo {
	var m cmem
	defer m.free()
	b := (*C.refund_balance)(m.alloc(C.sizeof_refund_balance))
	b.version = C.REFUND_BALANCE_VERSION
	C.refund_deposit_balance(d, b)
	return DepositInfo{
		ID:                goStr(C.refund_deposit_id(d)),
		Holder:            goStr(C.refund_deposit_holder(d)),
		Agent:             goStr(C.refund_deposit_agent(d)),
		TerminalSerial:    goStr(C.refund_deposit_terminal_serial(d)),
		ContractID:        goStr(C.refund_deposit_contract_id(d)),
		Receipt:           goStr(C.refund_deposit_receipt(d)),
		Currency:          goStr(C.refund_deposit_currency(d)),
		PaidAt:            int64(C.refund_deposit_paid_at(d)),
		ContractEnd:       int64(C.refund_deposit_contract_end(d)),
		DaysInService:     int64(C.refund_deposit_days_in_service(d)),
		TransactionVolume: int64(C.refund_deposit_transaction_volume(d)),
		Version:           uint64(C.refund_deposit_version(d)),
		OpenCase:          goStr(C.refund_deposit_open_case(d)),
		Balance: Balance{Held: int64(b.held), Refunded: int64(b.refunded),
			Deducted: int64(b.deducted), Remaining: int64(b.remaining)},
	}
}

// Info is a snapshot of the deposit's fields and balance.
func (d *Deposit) Info() (DepositInfo, error) {
	var out DepositInfo
	err := d.h.read(func(p unsafe.Pointer) { out = depositInfo((*C.refund_deposit)(p)) })
	return out, err
}

// Balance is the deposit's balance.
func (d *Deposit) Balance() (Balance, error) {
	info, err := d.Info()
	return info.Balance, err
}

// Entries is the ledger, oldest first.
func (d *Deposit) Entries() ([]Entry, error) {
	var out []Entry
	var m cmem
	defer m.free()
	ce := (*C.refund_entry)(m.alloc(C.sizeof_refund_entry))
	err := d.h.do(func(_ *C.refund_engine, p unsafe.Pointer) C.int {
		dp := (*C.refund_deposit)(p)
		n := C.refund_deposit_entry_count(dp)
		for i := C.size_t(0); i < n; i++ {
			ce.version = C.REFUND_ENTRY_VERSION
			if rc := C.refund_deposit_entry(dp, i, ce); rc != 0 {
				return rc
			}
			out = append(out, Entry{Seq: uint32(ce.seq), Kind: EntryKind(ce.kind),
				Amount: int64(ce.amount), At: int64(ce.at), Actor: goStr(ce.actor),
				Role: Role(ce.role), Reference: goStr(ce.reference), CaseID: goStr(ce.case_id)})
		}
		return 0
	})
	return out, err
}

// Post records money leaving the deposit outside a refund case.
func (d *Deposit) Post(kind EntryKind, amount int64, a Act, reference string) error {
	var m cmem
	defer m.free()
	actor, ref := m.optStr(a.Actor), m.optStr(reference)
	return d.h.do(func(_ *C.refund_engine, p unsafe.Pointer) C.int {
		return C.refund_deposit_post((*C.refund_deposit)(p), C.int(kind), C.int64_t(amount),
			actor, C.int(a.Role), ref)
	})
}

// SetUsage records the usage figures that usage tiers are judged on.
func (d *Deposit) SetUsage(daysInService, transactionVolume int64, a Act) error {
	var m cmem
	defer m.free()
	actor := m.optStr(a.Actor)
	return d.h.do(func(_ *C.refund_engine, p unsafe.Pointer) C.int {
		return C.refund_deposit_set_usage((*C.refund_deposit)(p), C.int64_t(daysInService),
			C.int64_t(transactionVolume), actor, C.int(a.Role))
	})
}
