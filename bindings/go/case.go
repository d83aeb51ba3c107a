package refund

/*
#include "glue.h"

static void glue_case_free(void *p) { refund_case_free(p); }
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// Case is a handle on a refund case (one application and its workflow).
// Each action is one committed transition; on failure the handle, the
// ledger and the store are unchanged.
type Case struct {
	h   *handleCore
	eng *Engine
}

// Account is the account a refund is paid to.
type Account struct {
	Method PayoutMethod
	Name   string
	Number string // account number, phone, e-mail or WeChat id
	Bank   string // required for bank transfers
}

// CaseInfo is a snapshot of a case.
type CaseInfo struct {
	ID              string
	DepositID       string
	State           State
	Reason          Reason
	PolicyID        string
	PolicyVersion   uint32
	Version         uint64
	Escalations     Party  // mask
	Evidence        uint32 // mask of Evidence.Bit
	MissingEvidence uint32
	Parts           int
}

// Quote is what the case would refund and why; amounts in minor units of
// Currency.  Approved is -1 before approval.
type Quote struct {
	Currency     string
	Remaining    int64
	TierBP       int32
	Gross        int64
	Forfeited    int64
	Damage       int64
	MissingParts int64
	Fee          int64
	Offset       int64
	Net          int64
	Approved     int64
}

// Part is one payout part of the agreement.
type Part struct {
	Amount    int64
	Due       int64
	Status    PartStatus
	Attempts  int
	Reference string
	Failure   string
}

// Event is one event of a case's audit trail.
type Event struct {
	Seq                 uint64
	At                  int64
	Actor               string
	Role                Role
	Action              Action
	From, To            State
	Amount              int64
	Reason              string
	Note                string
	PolicyID            string
	PolicyVersion       uint32
	PolicyVersionBefore uint32
	Deadline            int64 // TimeNone if none
	PrevHash, Hash      string
}

// Deadline is what a case waits for and by when.
type Deadline struct {
	State       State
	Started     int64
	Due         int64
	Next        int64
	Consequence Consequence
	Overdue     bool
}

func (e *Engine) caseCall(out **C.refund_case, f func(*C.refund_engine) C.int) (*Case, error) {
	h, err := e.core.adoptCall("case", func() unsafe.Pointer { return unsafe.Pointer(*out) },
		func(p unsafe.Pointer) { C.glue_case_free(p) }, f)
	if h == nil {
		return nil, err
	}
	k := &Case{h: h, eng: e}
	runtime.SetFinalizer(k, (*Case).Close)
	return k, err
}

// OpenCase opens a case for a deposit under a published policy (version
// 0: the latest).
func (e *Engine) OpenCase(caseID, depositID, policyID string, policyVersion uint32,
	reason Reason, a Act) (*Case, error) {
	var m cmem
	defer m.free()
	out := (**C.refund_case)(m.alloc(unsafe.Sizeof(uintptr(0))))
	cid, did, pid, act := m.optStr(caseID), m.optStr(depositID), m.optStr(policyID), m.act(a)
	return e.caseCall(out, func(p *C.refund_engine) C.int {
		return C.refund_case_open(p, out, cid, did, pid, C.uint32_t(policyVersion), C.int(reason), act)
	})
}

// LoadCase loads a case by id.
func (e *Engine) LoadCase(id string) (*Case, error) {
	var m cmem
	defer m.free()
	out := (**C.refund_case)(m.alloc(unsafe.Sizeof(uintptr(0))))
	cid := m.str(id)
	return e.caseCall(out, func(p *C.refund_engine) C.int {
		return C.refund_case_load(p, out, cid)
	})
}

// RebuildCase rebuilds a case from its stored events alone.
func (e *Engine) RebuildCase(id string) (*Case, error) {
	var m cmem
	defer m.free()
	out := (**C.refund_case)(m.alloc(unsafe.Sizeof(uintptr(0))))
	cid := m.str(id)
	return e.caseCall(out, func(p *C.refund_engine) C.int {
		return C.refund_case_rebuild(p, cid, out)
	})
}

// CaseFilter selects cases; empty fields match all.
type CaseFilter struct {
	DepositID, Holder, Agent string
	State                    State
	AfterID                  string
	Limit                    int
}

// Cases lists cases in increasing id order (the store must scan).
func (e *Engine) Cases(f CaseFilter) ([]CaseInfo, error) {
	return collect(func(fn func(CaseInfo) error) error { return e.VisitCases(f, fn) })
}

// VisitCases calls fn for each case, stopping at its first error (which
// is returned, wrapped with REFUND_EUSER).  fn must not call the engine.
func (e *Engine) VisitCases(f CaseFilter, fn func(CaseInfo) error) error {
	var m cmem
	defer m.free()
	cf := (*C.refund_case_filter)(m.alloc(C.sizeof_refund_case_filter))
	cf.version = C.REFUND_CASE_FILTER_VERSION
	cf.deposit_id = m.optStr(f.DepositID)
	cf.holder = m.optStr(f.Holder)
	cf.agent = m.optStr(f.Agent)
	cf.state = C.int(f.State)
	cf.after_id = m.optStr(f.AfterID)
	cf.limit = C.size_t(f.Limit)
	return e.core.list(func(c unsafe.Pointer) error {
		return fn(caseInfo((*C.refund_case)(c)))
	}, func(p *C.refund_engine, h C.uintptr_t) C.int { return C.glue_case_list(p, cf, h) })
}

func caseInfo(c *C.refund_case) CaseInfo {
	var m cmem
	defer m.free()
	ver := (*C.uint32_t)(m.alloc(C.sizeof_uint32_t))
	pid := goStr(C.refund_case_policy(c, ver))
	return CaseInfo{
		ID:              goStr(C.refund_case_id(c)),
		DepositID:       goStr(C.refund_case_deposit_id(c)),
		State:           State(C.refund_case_state(c)),
		Reason:          Reason(C.refund_case_reason(c)),
		PolicyID:        pid,
		PolicyVersion:   uint32(*ver),
		Version:         uint64(C.refund_case_version(c)),
		Escalations:     Party(C.refund_case_escalations(c)),
		Evidence:        uint32(C.refund_case_evidence(c)),
		MissingEvidence: uint32(C.refund_case_missing_evidence(c)),
		Parts:           int(C.refund_case_part_count(c)),
	}
}

// Close frees the handle (not the stored case); idempotent.
func (c *Case) Close() error {
	runtime.SetFinalizer(c, nil)
	c.h.close()
	return nil
}

// Info is a snapshot of the case.
func (c *Case) Info() (CaseInfo, error) {
	var out CaseInfo
	err := c.h.read(func(p unsafe.Pointer) { out = caseInfo((*C.refund_case)(p)) })
	return out, err
}

// State is the case's state.
func (c *Case) State() (State, error) {
	info, err := c.Info()
	return info.State, err
}

// do runs an action with the act in C memory.
func (c *Case) do(a Act, m *cmem, f func(*C.refund_case, *C.refund_act) C.int) error {
	act := m.act(a)
	return c.h.do(func(_ *C.refund_engine, p unsafe.Pointer) C.int {
		return f((*C.refund_case)(p), act)
	})
}

func (c *Case) simple(a Act, f func(*C.refund_case, *C.refund_act) C.int) error {
	var m cmem
	defer m.free()
	return c.do(a, &m, f)
}

// Attach attaches a piece of evidence.
func (c *Case) Attach(a Act, kind Evidence, reference string) error {
	var m cmem
	defer m.free()
	ref := m.optStr(reference)
	return c.do(a, &m, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_attach(p, act, C.int(kind), ref)
	})
}

// Submit submits the application with the payout account.
func (c *Case) Submit(a Act, acct Account) error {
	var m cmem
	defer m.free()
	ca := (*C.refund_account)(m.alloc(C.sizeof_refund_account))
	ca.version = C.REFUND_ACCOUNT_VERSION
	ca.method = C.int(acct.Method)
	ca.name = m.optStr(acct.Name)
	ca.number = m.optStr(acct.Number)
	ca.bank = m.optStr(acct.Bank)
	return c.do(a, &m, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_submit(p, act, ca)
	})
}

// StartReview: a reviewer takes the submitted case.
func (c *Case) StartReview(a Act) error {
	return c.simple(a, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_start_review(p, act)
	})
}

// RequestDocuments asks the applicant for documents (an EvidenceMask).
func (c *Case) RequestDocuments(a Act, mask uint32) error {
	return c.simple(a, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_request_documents(p, act, C.uint32_t(mask))
	})
}

// ProvideDocuments: the applicant attached what was asked for.
func (c *Case) ProvideDocuments(a Act) error {
	return c.simple(a, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_provide_documents(p, act)
	})
}

// Approve approves a refund of amount minor units.
func (c *Case) Approve(a Act, amount int64) error {
	return c.simple(a, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_approve(p, act, C.int64_t(amount))
	})
}

// Reject rejects the application with a reason and an explanation.
func (c *Case) Reject(a Act, reason RejectReason, text string) error {
	var m cmem
	defer m.free()
	t := m.optStr(text)
	return c.do(a, &m, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_reject(p, act, C.int(reason), t)
	})
}

// Appeal appeals a rejection.
func (c *Case) Appeal(a Act) error {
	return c.simple(a, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_appeal(p, act)
	})
}

// ReceiveDevice records that the terminal came back ("" : no tracking).
func (c *Case) ReceiveDevice(a Act, tracking string) error {
	var m cmem
	defer m.free()
	t := m.optStr(tracking)
	return c.do(a, &m, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_receive_device(p, act, t)
	})
}

// Inspect records the inspection grade and missing parts.
func (c *Case) Inspect(a Act, g Grade, missingParts int) error {
	return c.simple(a, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_inspect(p, act, C.int(g), C.int(missingParts))
	})
}

// SetOffset records outstanding service fees to offset.
func (c *Case) SetOffset(a Act, owed int64) error {
	return c.simple(a, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_set_offset(p, act, C.int64_t(owed))
	})
}

// Offer offers the agreement's terms in parts installments.
func (c *Case) Offer(a Act, parts int) error {
	return c.simple(a, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_offer(p, act, C.int(parts))
	})
}

// Accept: the applicant accepts the offered terms.
func (c *Case) Accept(a Act) error {
	return c.simple(a, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_accept(p, act)
	})
}

// Pay records that payout part (1-based) reached the applicant.
func (c *Case) Pay(a Act, part int, reference string) error {
	var m cmem
	defer m.free()
	ref := m.optStr(reference)
	return c.do(a, &m, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_pay(p, act, C.int(part), ref)
	})
}

// PayFailed records that payout part failed, and why.
func (c *Case) PayFailed(a Act, part int, reason string) error {
	var m cmem
	defer m.free()
	r := m.optStr(reason)
	return c.do(a, &m, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_pay_failed(p, act, C.int(part), r)
	})
}

// Confirm: the applicant confirms receipt; the case closes.
func (c *Case) Confirm(a Act) error {
	return c.simple(a, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_confirm(p, act)
	})
}

// Withdraw: the applicant withdraws the application.
func (c *Case) Withdraw(a Act) error {
	return c.simple(a, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_withdraw(p, act)
	})
}

// Escalate escalates the case to one party.
func (c *Case) Escalate(a Act, party Party) error {
	return c.simple(a, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_escalate(p, act, C.int(party))
	})
}

// Reevaluate re-evaluates the case under a newer policy version (0: the
// latest).
func (c *Case) Reevaluate(a Act, policyVersion uint32) error {
	return c.simple(a, func(p *C.refund_case, act *C.refund_act) C.int {
		return C.refund_case_reevaluate(p, act, C.uint32_t(policyVersion))
	})
}

// Quote is the refund breakdown now.
func (c *Case) Quote() (Quote, error) {
	var m cmem
	defer m.free()
	q := (*C.refund_quote)(m.alloc(C.sizeof_refund_quote))
	q.version = C.REFUND_QUOTE_VERSION
	err := c.h.do(func(_ *C.refund_engine, p unsafe.Pointer) C.int {
		return C.refund_case_quote((*C.refund_case)(p), q)
	})
	if err != nil {
		return Quote{}, err
	}
	return Quote{Currency: C.GoString(C.glue_quote_currency(q)), Remaining: int64(q.remaining),
		TierBP: int32(q.tier_bp), Gross: int64(q.gross), Forfeited: int64(q.forfeited),
		Damage: int64(q.damage), MissingParts: int64(q.missing_parts), Fee: int64(q.fee),
		Offset: int64(q.offset), Net: int64(q.net), Approved: int64(q.approved)}, nil
}

// Explain is the quote, the conditions and the time frame in words.
func (c *Case) Explain(lang Lang) (string, error) {
	const size = 4096
	var m cmem
	defer m.free()
	buf := (*C.char)(m.alloc(size))
	err := c.h.do(func(_ *C.refund_engine, p unsafe.Pointer) C.int {
		return C.refund_case_explain((*C.refund_case)(p), C.refund_lang(lang), buf, size)
	})
	if err != nil {
		return "", err
	}
	return C.GoString(buf), nil
}

// Parts is the agreement's payout parts (none until terms are offered).
func (c *Case) Parts() ([]Part, error) {
	var out []Part
	var m cmem
	defer m.free()
	cp := (*C.refund_part)(m.alloc(C.sizeof_refund_part))
	err := c.h.do(func(_ *C.refund_engine, p unsafe.Pointer) C.int {
		k := (*C.refund_case)(p)
		n := C.refund_case_part_count(k)
		for i := C.int(1); i <= n; i++ {
			cp.version = C.REFUND_PART_VERSION
			if rc := C.refund_case_part(k, i, cp); rc != 0 {
				return rc
			}
			out = append(out, Part{Amount: int64(cp.amount), Due: int64(cp.due),
				Status: PartStatus(cp.status), Attempts: int(cp.attempts),
				Reference: goStr(cp.reference), Failure: goStr(cp.failure)})
		}
		return 0
	})
	return out, err
}

// VisitEvents calls fn for each event of the case's audit trail, in order,
// stopping at its first error (returned, wrapped with REFUND_EUSER).  fn
// must not call the engine.
func (c *Case) VisitEvents(fn func(Event) error) error {
	return c.h.do(func(_ *C.refund_engine, p unsafe.Pointer) C.int {
		return c.h.eng.visit(func(ev unsafe.Pointer) error {
			return fn(eventOf((*C.refund_event)(ev)))
		}, func(h C.uintptr_t) C.int { return C.glue_case_events((*C.refund_case)(p), h) })
	})
}

// Events is the case's whole audit trail.
func (c *Case) Events() ([]Event, error) {
	var out []Event
	err := c.VisitEvents(func(e Event) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

func eventOf(e *C.refund_event) Event {
	return Event{Seq: uint64(e.seq), At: int64(e.at), Actor: goStr(e.actor), Role: Role(e.role),
		Action: Action(e.action), From: State(e.from), To: State(e.to), Amount: int64(e.amount),
		Reason: goStr(e.reason), Note: goStr(e.note), PolicyID: goStr(e.policy_id),
		PolicyVersion: uint32(e.policy_version), PolicyVersionBefore: uint32(e.policy_version_before),
		Deadline: int64(e.deadline), PrevHash: goStr(e.prev_hash), Hash: goStr(e.hash)}
}

// Verify recomputes the hash chain of the stored events.  On ErrCorrupt,
// firstBad is the seq of the first event that does not verify.
func (c *Case) Verify() (firstBad uint64, err error) {
	var m cmem
	defer m.free()
	out := (*C.uint64_t)(m.alloc(C.sizeof_uint64_t))
	err = c.h.do(func(_ *C.refund_engine, p unsafe.Pointer) C.int {
		return C.refund_case_verify((*C.refund_case)(p), out)
	})
	return uint64(*out), err
}

// NextDeadline is what the case waits for and by when; ErrNotFound if no
// clock runs.
func (c *Case) NextDeadline() (Deadline, error) {
	var m cmem
	defer m.free()
	d := (*C.refund_deadline)(m.alloc(C.sizeof_refund_deadline))
	d.version = C.REFUND_DEADLINE_VERSION
	err := c.h.do(func(_ *C.refund_engine, p unsafe.Pointer) C.int {
		return C.refund_case_next_deadline((*C.refund_case)(p), d)
	})
	if err != nil {
		return Deadline{}, err
	}
	return Deadline{State: State(d.state), Started: int64(d.started), Due: int64(d.due),
		Next: int64(d.next), Consequence: Consequence(d.consequence), Overdue: d.overdue != 0}, nil
}
