package refund

/*
#include "glue.h"

static void glue_policy_free(void *p) { refund_policy_free(p); }
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// Policy is a policy: a draft built with setters (or parsed from text),
// then published under its id with the next version, after which it never
// changes (setters then fail with ErrState).
type Policy struct {
	h   *handleCore
	eng *Engine
}

// PolicyInfo identifies a policy.
type PolicyInfo struct {
	ID       string
	Version  uint32 // 0 for a draft
	Currency string
}

func (e *Engine) policyCall(out **C.refund_policy, f func(*C.refund_engine) C.int) (*Policy, error) {
	h, err := e.core.adoptCall("policy", func() unsafe.Pointer { return unsafe.Pointer(*out) },
		func(p unsafe.Pointer) { C.glue_policy_free(p) }, f)
	if h == nil {
		return nil, err
	}
	p := &Policy{h: h, eng: e}
	runtime.SetFinalizer(p, (*Policy).Close)
	return p, err
}

// NewPolicy starts a draft whose fixed amounts are in currency.
func (e *Engine) NewPolicy(id, currency string) (*Policy, error) {
	var m cmem
	defer m.free()
	out := (**C.refund_policy)(m.alloc(unsafe.Sizeof(uintptr(0))))
	cid, cur := m.optStr(id), m.optStr(currency)
	return e.policyCall(out, func(p *C.refund_engine) C.int {
		return C.refund_policy_new(p, out, cid, cur)
	})
}

// ParsePolicy parses a policy's text form (docs/policies/README.md) into a
// new draft.  A parse error names the line and column.
func (e *Engine) ParsePolicy(text string) (*Policy, error) {
	var m cmem
	defer m.free()
	out := (**C.refund_policy)(m.alloc(unsafe.Sizeof(uintptr(0))))
	src := (*C.char)(m.bytes([]byte(text)))
	return e.policyCall(out, func(p *C.refund_engine) C.int {
		return C.refund_policy_parse(p, out, src, C.size_t(len(text)))
	})
}

// LoadPolicy loads a published policy; version 0 is the latest.
func (e *Engine) LoadPolicy(id string, version uint32) (*Policy, error) {
	var m cmem
	defer m.free()
	out := (**C.refund_policy)(m.alloc(unsafe.Sizeof(uintptr(0))))
	cid := m.str(id)
	return e.policyCall(out, func(p *C.refund_engine) C.int {
		return C.refund_policy_load(p, out, cid, C.uint32_t(version))
	})
}

// Close frees the handle (not the published policy); idempotent.
func (p *Policy) Close() error {
	runtime.SetFinalizer(p, nil)
	p.h.close()
	return nil
}

// Info is the policy's id, version and currency.
func (p *Policy) Info() (PolicyInfo, error) {
	var out PolicyInfo
	err := p.h.read(func(ptr unsafe.Pointer) {
		cp := (*C.refund_policy)(ptr)
		out = PolicyInfo{ID: goStr(C.refund_policy_id(cp)),
			Version:  uint32(C.refund_policy_version(cp)),
			Currency: goStr(C.refund_policy_currency(cp))}
	})
	return out, err
}

func (p *Policy) set(f func(*C.refund_policy) C.int) error {
	return p.h.do(func(_ *C.refund_engine, ptr unsafe.Pointer) C.int {
		return f((*C.refund_policy)(ptr))
	})
}

// SetWindow sets the application window: days after the anchor.
func (p *Policy) SetWindow(anchor WindowAnchor, days int32) error {
	return p.set(func(cp *C.refund_policy) C.int {
		return C.refund_policy_set_window(cp, C.int(anchor), C.int32_t(days))
	})
}

// AddTier adds a usage tier: at least minDays in service and minVolume of
// transactions get bp basis points of the remaining amount.
func (p *Policy) AddTier(minDays, minVolume int64, bp int32) error {
	return p.set(func(cp *C.refund_policy) C.int {
		return C.refund_policy_add_tier(cp, C.int64_t(minDays), C.int64_t(minVolume), C.int32_t(bp))
	})
}

// SetCommonEvidence sets the evidence every case needs (an EvidenceMask).
func (p *Policy) SetCommonEvidence(mask uint32) error {
	return p.set(func(cp *C.refund_policy) C.int {
		return C.refund_policy_set_common_evidence(cp, C.uint32_t(mask))
	})
}

// SetReasonEvidence sets the evidence a reason needs beyond the common.
func (p *Policy) SetReasonEvidence(r Reason, mask uint32) error {
	return p.set(func(cp *C.refund_policy) C.int {
		return C.refund_policy_set_reason_evidence(cp, C.int(r), C.uint32_t(mask))
	})
}

// SetReturnRequired says whether the terminal must come back.
func (p *Policy) SetReturnRequired(required bool) error {
	return p.set(func(cp *C.refund_policy) C.int {
		return C.refund_policy_set_return_required(cp, cbool(required))
	})
}

// SetGradeDeduction sets the deduction, in basis points of the amount held,
// for GradeDamaged or GradeNotReturned.
func (p *Policy) SetGradeDeduction(g Grade, bp int32) error {
	return p.set(func(cp *C.refund_policy) C.int {
		return C.refund_policy_set_grade_deduction(cp, C.int(g), C.int32_t(bp))
	})
}

// SetMissingPartDeduction sets the deduction per missing part.
func (p *Policy) SetMissingPartDeduction(amount int64) error {
	return p.set(func(cp *C.refund_policy) C.int {
		return C.refund_policy_set_missing_part_deduction(cp, C.int64_t(amount))
	})
}

// SetFee sets the handling fee: fixed plus bp of the refund, at least min,
// at most cap (-1: no cap).
func (p *Policy) SetFee(fixed int64, bp int32, min, cap int64) error {
	return p.set(func(cp *C.refund_policy) C.int {
		return C.refund_policy_set_fee(cp, C.int64_t(fixed), C.int32_t(bp), C.int64_t(min), C.int64_t(cap))
	})
}

// SetOffsets says whether outstanding fees may be offset.
func (p *Policy) SetOffsets(allowed bool) error {
	return p.set(func(cp *C.refund_policy) C.int {
		return C.refund_policy_set_offsets(cp, cbool(allowed))
	})
}

// SetInstallments allows up to maxParts payments, intervalMonths apart.
func (p *Policy) SetInstallments(maxParts, intervalMonths int) error {
	return p.set(func(cp *C.refund_policy) C.int {
		return C.refund_policy_set_installments(cp, C.int(maxParts), C.int(intervalMonths))
	})
}

// SetDeadline sets the deadline a state starts: due amount days (of unit,
// in the named calendar) after entering it, reminders seconds before, and
// the consequence when it passes.
func (p *Policy) SetDeadline(s State, amount int32, unit DayUnit, calendar string,
	then Consequence, reminders ...int64) error {
	var m cmem
	defer m.free()
	cal := m.optStr(calendar)
	var rem *C.int64_t
	if len(reminders) > 0 {
		rem = (*C.int64_t)(m.alloc(uintptr(len(reminders)) * C.sizeof_int64_t))
		copy(unsafe.Slice((*int64)(unsafe.Pointer(rem)), len(reminders)), reminders)
	}
	return p.set(func(cp *C.refund_policy) C.int {
		return C.refund_policy_set_deadline(cp, C.int(s), C.int32_t(amount), C.int(unit), cal,
			C.int(then), rem, C.size_t(len(reminders)))
	})
}

// SetFourEyes turns the four-eyes rule on above threshold (-1: off).
func (p *Policy) SetFourEyes(threshold int64) error {
	return p.set(func(cp *C.refund_policy) C.int {
		return C.refund_policy_set_four_eyes(cp, C.int64_t(threshold))
	})
}

// SetEscalation sets the parties cases are escalated to (a mask of Party).
func (p *Policy) SetEscalation(parties Party) error {
	return p.set(func(cp *C.refund_policy) C.int {
		return C.refund_policy_set_escalation(cp, C.uint32_t(parties))
	})
}

// Publish stores a draft as the next version of its id; the handle then
// is that published version.
func (p *Policy) Publish(a Act) error {
	var m cmem
	defer m.free()
	actor := m.optStr(a.Actor)
	return p.set(func(cp *C.refund_policy) C.int {
		return C.refund_policy_publish(cp, actor, C.int(a.Role))
	})
}

// Format writes the policy in its text form.
func (p *Policy) Format() (string, error) {
	var out string
	var m cmem
	defer m.free()
	needed := (*C.size_t)(m.alloc(C.sizeof_size_t))
	err := p.h.do(func(_ *C.refund_engine, ptr unsafe.Pointer) C.int {
		cp := (*C.refund_policy)(ptr)
		if rc := C.refund_policy_format(cp, nil, 0, needed); rc != 0 && rc != C.REFUND_ERANGE {
			return rc
		}
		buf := C.malloc(*needed)
		defer C.free(buf)
		if rc := C.refund_policy_format(cp, (*C.char)(buf), *needed, nil); rc != 0 {
			return rc
		}
		out = C.GoString((*C.char)(buf))
		return 0
	})
	return out, err
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
