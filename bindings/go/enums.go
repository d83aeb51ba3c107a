package refund

/*
#include "glue.h"
*/
import "C"

import "fmt"

// Lang is the language of messages.
type Lang int

// Languages.
const (
	LangEN   Lang = C.REFUND_LANG_EN
	LangZhCN Lang = C.REFUND_LANG_ZH_CN
)

// Role is who acts.
type Role int

// Roles.
const (
	RoleApplicant Role = C.REFUND_ROLE_APPLICANT
	RoleAgent     Role = C.REFUND_ROLE_AGENT
	RoleReviewer  Role = C.REFUND_ROLE_REVIEWER
	RoleFinance   Role = C.REFUND_ROLE_FINANCE
	RoleAdmin     Role = C.REFUND_ROLE_ADMIN
	RoleSystem    Role = C.REFUND_ROLE_SYSTEM
)

func (r Role) String() string { return libName(C.refund_role_name(C.int(r)), "role", int(r)) }

// Label is the role's word for people in lang (refund_role_label): "审核员"
// for RoleReviewer in LangZhCN; String's form if the role is unknown.
func (r Role) Label(lang Lang) string {
	return libName(C.refund_role_label(C.int(r), C.refund_lang(lang)), "role", int(r))
}

// ParseRole gives the role of a name such as "reviewer".
func ParseRole(name string) (Role, error) {
	var m cmem
	defer m.free()
	out := (*C.int)(m.alloc(C.sizeof_int))
	if rc := C.refund_role_from_name(m.str(name), out); rc != 0 {
		return 0, &Error{Code: int(rc), Name: ErrorName(int(rc)),
			Message: fmt.Sprintf("unknown role %q", name)}
	}
	return Role(*out), nil
}

// State is a case's state.
type State int

// States.
const (
	StateDraft             State = C.REFUND_STATE_DRAFT
	StateSubmitted         State = C.REFUND_STATE_SUBMITTED
	StateUnderReview       State = C.REFUND_STATE_UNDER_REVIEW
	StateAwaitingDocuments State = C.REFUND_STATE_AWAITING_DOCUMENTS
	StateDeviceReturn      State = C.REFUND_STATE_DEVICE_RETURN
	StateInspection        State = C.REFUND_STATE_INSPECTION
	StateAgreement         State = C.REFUND_STATE_AGREEMENT
	StatePayout            State = C.REFUND_STATE_PAYOUT
	StatePaid              State = C.REFUND_STATE_PAID
	StateClosed            State = C.REFUND_STATE_CLOSED
	StateRejected          State = C.REFUND_STATE_REJECTED
	StateWithdrawn         State = C.REFUND_STATE_WITHDRAWN
	StateExpired           State = C.REFUND_STATE_EXPIRED
)

func (s State) String() string { return libName(C.refund_case_state_name(C.int(s)), "state", int(s)) }

// Label is the state's words for people in lang (refund_case_state_label):
// "审核中" for StateUnderReview in LangZhCN; String's form if unknown.
func (s State) Label(lang Lang) string {
	return libName(C.refund_case_state_label(C.int(s), C.refund_lang(lang)), "state", int(s))
}

// ParseState gives the state of a name such as "under_review".
func ParseState(name string) (State, error) {
	for s := State(1); s < C.REFUND_STATE_COUNT; s++ {
		if s.String() == name {
			return s, nil
		}
	}
	return 0, unknownName("state", name)
}

// Action is what a case's workflow step does.
type Action int

func (a Action) String() string {
	return libName(C.refund_case_action_name(C.int(a)), "action", int(a))
}

// Label is the action's words for people in lang (refund_case_action_label):
// "开始审核" for start_review in LangZhCN; String's form if unknown.
func (a Action) Label(lang Lang) string {
	return libName(C.refund_case_action_label(C.int(a), C.refund_lang(lang)), "action", int(a))
}

// EntryKind is the kind of a deposit's ledger entry.
type EntryKind int

// Ledger entry kinds.
const (
	EntryHold         EntryKind = C.REFUND_ENTRY_HOLD
	EntryRefund       EntryKind = C.REFUND_ENTRY_REFUND
	EntryDamage       EntryKind = C.REFUND_ENTRY_DAMAGE
	EntryMissingParts EntryKind = C.REFUND_ENTRY_MISSING_PARTS
	EntryHandlingFee  EntryKind = C.REFUND_ENTRY_HANDLING_FEE
	EntryFeeOffset    EntryKind = C.REFUND_ENTRY_FEE_OFFSET
	EntryForfeit      EntryKind = C.REFUND_ENTRY_FORFEIT
)

func (k EntryKind) String() string {
	return libName(C.refund_entry_kind_name(C.int(k)), "entry kind", int(k))
}

// Reason is why a refund is asked for.
type Reason int

// Reasons.
const (
	ReasonDeviceFault        Reason = C.REFUND_REASON_DEVICE_FAULT
	ReasonTransactionDispute Reason = C.REFUND_REASON_TRANSACTION_DISPUTE
	ReasonService            Reason = C.REFUND_REASON_SERVICE
	ReasonPolicyChange       Reason = C.REFUND_REASON_POLICY_CHANGE
	ReasonNeedsChanged       Reason = C.REFUND_REASON_NEEDS_CHANGED
	ReasonFraud              Reason = C.REFUND_REASON_FRAUD
)

var reasonNames = []string{"", "device_fault", "transaction_dispute", "service",
	"policy_change", "needs_changed", "fraud"}

func (r Reason) String() string { return tableName(reasonNames, "reason", int(r)) }

// ParseReason gives the reason of a name such as "device_fault".
func ParseReason(name string) (Reason, error) {
	i, err := tableIndex(reasonNames, "reason", name)
	return Reason(i), err
}

// Evidence is a kind of supporting document.
type Evidence int

// Evidence kinds.
const (
	EvidenceReceipt            Evidence = C.REFUND_EVIDENCE_RECEIPT
	EvidenceContract           Evidence = C.REFUND_EVIDENCE_CONTRACT
	EvidencePaymentRecord      Evidence = C.REFUND_EVIDENCE_PAYMENT_RECORD
	EvidenceFaultReport        Evidence = C.REFUND_EVIDENCE_FAULT_REPORT
	EvidenceTransactionRecords Evidence = C.REFUND_EVIDENCE_TRANSACTION_RECORDS
	EvidenceServiceEvaluation  Evidence = C.REFUND_EVIDENCE_SERVICE_EVALUATION
	EvidenceGovernmentDocument Evidence = C.REFUND_EVIDENCE_GOVERNMENT_DOCUMENT
	EvidencePoliceReport       Evidence = C.REFUND_EVIDENCE_POLICE_REPORT
	EvidenceOther              Evidence = C.REFUND_EVIDENCE_OTHER
)

var evidenceNames = []string{"", "receipt", "contract", "payment_record", "fault_report",
	"transaction_records", "service_evaluation", "government_document", "police_report",
	"other"}

func (e Evidence) String() string { return tableName(evidenceNames, "evidence", int(e)) }

// Bit is the evidence kind's bit in an evidence mask.
func (e Evidence) Bit() uint32 { return uint32(C.glue_evidence_bit(C.int(e))) }

// ParseEvidence gives the evidence kind of a name such as "fault_report".
func ParseEvidence(name string) (Evidence, error) {
	i, err := tableIndex(evidenceNames, "evidence kind", name)
	return Evidence(i), err
}

// EvidenceMask is the mask of the given kinds.
func EvidenceMask(kinds ...Evidence) uint32 {
	var mask uint32
	for _, k := range kinds {
		mask |= k.Bit()
	}
	return mask
}

// Grade is the inspection grade of a returned terminal.
type Grade int

// Grades.
const (
	GradeFine        Grade = C.REFUND_GRADE_FINE
	GradeNormalWear  Grade = C.REFUND_GRADE_NORMAL_WEAR
	GradeDamaged     Grade = C.REFUND_GRADE_DAMAGED
	GradeNotReturned Grade = C.REFUND_GRADE_NOT_RETURNED
)

var gradeNames = []string{"", "fine", "normal_wear", "damaged", "not_returned"}

func (g Grade) String() string { return tableName(gradeNames, "grade", int(g)) }

// ParseGrade gives the grade of a name such as "normal_wear".
func ParseGrade(name string) (Grade, error) {
	i, err := tableIndex(gradeNames, "grade", name)
	return Grade(i), err
}

// Party is a third party a case may be escalated to; parties form a mask.
type Party uint32

// Parties.
const (
	PartyRegulator           Party = C.REFUND_PARTY_REGULATOR
	PartyConsumerAssociation Party = C.REFUND_PARTY_CONSUMER_ASSOCIATION
	PartyLegal               Party = C.REFUND_PARTY_LEGAL
)

var partyNames = map[Party]string{PartyRegulator: "regulator",
	PartyConsumerAssociation: "consumer_association", PartyLegal: "legal"}

func (p Party) String() string {
	if n, ok := partyNames[p]; ok {
		return n
	}
	return fmt.Sprintf("party(%d)", uint32(p))
}

// ParseParty gives the party of a name such as "regulator".
func ParseParty(name string) (Party, error) {
	for p, n := range partyNames {
		if n == name {
			return p, nil
		}
	}
	return 0, unknownName("party", name)
}

// PayoutMethod is how money is paid back.
type PayoutMethod int

// Payout methods.
const (
	PayoutBank   PayoutMethod = C.REFUND_PAYOUT_BANK
	PayoutAlipay PayoutMethod = C.REFUND_PAYOUT_ALIPAY
	PayoutWechat PayoutMethod = C.REFUND_PAYOUT_WECHAT
)

var payoutNames = []string{"", "bank", "alipay", "wechat"}

func (p PayoutMethod) String() string { return tableName(payoutNames, "payout method", int(p)) }

// ParsePayoutMethod gives the method of "bank", "alipay" or "wechat".
func ParsePayoutMethod(name string) (PayoutMethod, error) {
	i, err := tableIndex(payoutNames, "payout method", name)
	return PayoutMethod(i), err
}

// RejectReason is why an application is rejected.
type RejectReason int

// Reject reasons.
const (
	RejectIncompleteEvidence RejectReason = C.REFUND_REJECT_INCOMPLETE_EVIDENCE
	RejectOutsideWindow      RejectReason = C.REFUND_REJECT_OUTSIDE_WINDOW
	RejectNotEligible        RejectReason = C.REFUND_REJECT_NOT_ELIGIBLE
	RejectFraudSuspected     RejectReason = C.REFUND_REJECT_FRAUD_SUSPECTED
	RejectOther              RejectReason = C.REFUND_REJECT_OTHER
)

var rejectNames = []string{"", "incomplete_evidence", "outside_window", "not_eligible",
	"fraud_suspected", "other"}

func (r RejectReason) String() string { return tableName(rejectNames, "reject reason", int(r)) }

// ParseRejectReason gives the reject reason of a name such as "not_eligible".
func ParseRejectReason(name string) (RejectReason, error) {
	i, err := tableIndex(rejectNames, "reject reason", name)
	return RejectReason(i), err
}

// WindowAnchor is what an application window is counted from.
type WindowAnchor int

// Window anchors.
const (
	WindowNone        WindowAnchor = C.REFUND_WINDOW_NONE
	WindowContractEnd WindowAnchor = C.REFUND_WINDOW_CONTRACT_END
	WindowPayment     WindowAnchor = C.REFUND_WINDOW_PAYMENT
)

// DayUnit is how a deadline is counted.
type DayUnit int

// Day units.
const (
	CalendarDays DayUnit = C.REFUND_CALENDAR_DAYS
	BusinessDays DayUnit = C.REFUND_BUSINESS_DAYS
)

// Consequence is what happens when a deadline passes.
type Consequence int

// Consequences.
const (
	OnDueRemind   Consequence = C.REFUND_ON_DUE_REMIND
	OnDueEscalate Consequence = C.REFUND_ON_DUE_ESCALATE
	OnDueExpire   Consequence = C.REFUND_ON_DUE_EXPIRE
	OnDueApprove  Consequence = C.REFUND_ON_DUE_APPROVE
	OnDueClose    Consequence = C.REFUND_ON_DUE_CLOSE
)

// PartStatus is the status of one payout part.
type PartStatus int

// Part statuses.
const (
	PartPending PartStatus = C.REFUND_PART_PENDING
	PartFailed  PartStatus = C.REFUND_PART_FAILED
	PartPaid    PartStatus = C.REFUND_PART_PAID
)

var partStatusNames = []string{"", "pending", "failed", "paid"}

func (s PartStatus) String() string { return tableName(partStatusNames, "part status", int(s)) }

// RecordKind is the kind of a stored record.
type RecordKind int

// Record kinds.
const (
	RecordDeposit RecordKind = C.REFUND_RECORD_DEPOSIT
	RecordCase    RecordKind = C.REFUND_RECORD_CASE
	RecordPolicy  RecordKind = C.REFUND_RECORD_POLICY
	RecordMeta    RecordKind = C.REFUND_RECORD_META
)

// NoticeKind is what a notice is about.
type NoticeKind int

// Notice kinds.
const (
	NoticeDepositCreated NoticeKind = C.REFUND_NOTICE_DEPOSIT_CREATED
	NoticeLedgerEntry    NoticeKind = C.REFUND_NOTICE_LEDGER_ENTRY
	NoticeUsageUpdated   NoticeKind = C.REFUND_NOTICE_USAGE_UPDATED
	NoticeTransition     NoticeKind = C.REFUND_NOTICE_TRANSITION
	NoticeReminder       NoticeKind = C.REFUND_NOTICE_REMINDER
	NoticeDeadline       NoticeKind = C.REFUND_NOTICE_DEADLINE
)

func libName(s *C.char, what string, v int) string {
	if s == nil {
		return fmt.Sprintf("%s(%d)", what, v)
	}
	return C.GoString(s)
}

func tableName(names []string, what string, v int) string {
	if v > 0 && v < len(names) {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", what, v)
}

func tableIndex(names []string, what, name string) (int, error) {
	for i := 1; i < len(names); i++ {
		if names[i] == name {
			return i, nil
		}
	}
	return 0, unknownName(what, name)
}

func unknownName(what, name string) error {
	return &Error{Code: CodeNotFound, Name: ErrorName(CodeNotFound),
		Message: fmt.Sprintf("unknown %s %q", what, name)}
}
