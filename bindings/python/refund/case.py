"""Cases (include/refund/case.h): one application and its workflow.

Every action is one committed transition of the library's workflow table:
the case, the deposit's ledger and one audit event change together or not
at all.  On failure the handle, the ledger and the store are unchanged.

Each action takes ``act`` first: an :class:`~refund.actor.Act` or the text
"actor:role".
"""
import ctypes
import enum
from dataclasses import dataclass

from . import _lib, _registry, errors
from ._convert import (INT32, SIZE, UINT32, as_enum, cint, cstr, enum_value, flags_value,
                       from_c)
from ._handle import Handle
from .actor import Act
from .engine import Lang
from .policy import Evidence, Grade, Party, Reason, evidence_mask, evidence_set

__all__ = ["Case", "State", "Action", "PayoutMethod", "RejectReason", "PartStatus",
           "Account", "Quote", "Part", "list_ids", "state_name", "action_name",
           "state_label", "action_label"]


class State(enum.IntEnum):
    """refund_state."""
    DRAFT = 1
    SUBMITTED = 2
    UNDER_REVIEW = 3
    AWAITING_DOCUMENTS = 4
    DEVICE_RETURN = 5
    INSPECTION = 6
    AGREEMENT = 7
    PAYOUT = 8
    PAID = 9
    CLOSED = 10
    REJECTED = 11
    WITHDRAWN = 12
    EXPIRED = 13


class Action(enum.IntEnum):
    """refund_action."""
    OPEN = 1
    ATTACH = 2
    SUBMIT = 3
    START_REVIEW = 4
    REQUEST_DOCUMENTS = 5
    PROVIDE_DOCUMENTS = 6
    APPROVE = 7
    REJECT = 8
    APPEAL = 9
    RECEIVE_DEVICE = 10
    INSPECT = 11
    OFFER = 12
    ACCEPT = 13
    PAY = 14
    PAY_FAILED = 15
    CONFIRM = 16
    WITHDRAW = 17
    ESCALATE = 18
    REEVALUATE = 19
    REMIND = 20
    EXPIRE = 21
    AUTO_CLOSE = 22
    DEEMED_APPROVAL = 23
    SET_OFFSET = 24


class PayoutMethod(enum.IntEnum):
    """refund_payout_method."""
    BANK = 1
    ALIPAY = 2
    WECHAT = 3


class RejectReason(enum.IntEnum):
    """refund_reject_reason."""
    INCOMPLETE_EVIDENCE = 1
    OUTSIDE_WINDOW = 2
    NOT_ELIGIBLE = 3
    FRAUD_SUSPECTED = 4
    OTHER = 5


class PartStatus(enum.IntEnum):
    """refund_part_status."""
    PENDING = 1
    FAILED = 2
    PAID = 3


def state_name(state):
    """``refund_case_state_name``; None for an unknown state."""
    return from_c(_lib.lib.refund_case_state_name(enum_value(State, state, "state")))


def action_name(action):
    """``refund_case_action_name``; None for an unknown action."""
    return from_c(_lib.lib.refund_case_action_name(enum_value(Action, action, "action")))


def state_label(state, lang=Lang.EN):
    """``refund_case_state_label``: "审核中" for UNDER_REVIEW in zh-CN; None if unknown."""
    return from_c(_lib.lib.refund_case_state_label(enum_value(State, state, "state"),
                                                   int(Lang.of(lang))))


def action_label(action, lang=Lang.EN):
    """``refund_case_action_label``: "开始审核" for START_REVIEW in zh-CN; None if unknown."""
    return from_c(_lib.lib.refund_case_action_label(enum_value(Action, action, "action"),
                                                    int(Lang.of(lang))))


@dataclass(frozen=True)
class Account:
    """refund_account: where the refund is paid."""
    method: object
    name: str
    number: str
    bank: object = None

    def _struct(self):
        acc = _lib.refund_account()
        acc.version = _lib.ACCOUNT_VERSION
        acc.method = enum_value(PayoutMethod, self.method, "payout method")
        acc.name = cstr(self.name, "account name")
        acc.number = cstr(self.number, "account number")
        acc.bank = cstr(self.bank, "bank", optional=True)
        return acc


@dataclass(frozen=True)
class Quote:
    """refund_quote: what the case would refund and why (minor units)."""
    currency: str
    remaining: int
    tier_bp: int
    gross: int
    forfeited: int
    damage: int
    missing_parts: int
    fee: int
    offset: int
    net: int
    approved: object  # None before approval


@dataclass(frozen=True)
class Part:
    """refund_part: one payout part of the agreement."""
    amount: int
    due: int
    status: object
    attempts: int
    reference: object
    failure: object


def _act(act):
    return ctypes.byref(Act.of(act)._struct())


class Case(Handle):
    """A case handle (refund_case)."""

    _free = staticmethod(_lib.lib.refund_case_free)

    @classmethod
    def open(cls, engine, case_id, deposit_id, policy_id, reason, act, policy_version=0):
        """``refund_case_open`` (applicant, agent, admin): a new case in draft.

        DuplicateError if the deposit has an open case already.
        """
        out = _lib.case_p()
        engine._call(_lib.lib.refund_case_open, ctypes.byref(out), cstr(case_id, "case id"),
                     cstr(deposit_id, "deposit id"), cstr(policy_id, "policy id"),
                     cint(policy_version, "policy_version", UINT32),
                     enum_value(Reason, reason, "reason"), _act(act))
        return cls(engine, out)

    @classmethod
    def load(cls, engine, case_id):
        """``refund_case_load``; NotFoundError if there is none."""
        out = _lib.case_p()
        engine._call(_lib.lib.refund_case_load, ctypes.byref(out), cstr(case_id, "case id"))
        return cls(engine, out)

    def reload(self):
        """A fresh handle on the stored case (this one is left as it is)."""
        return type(self).load(self._engine, self.id)

    def __repr__(self):
        if self.closed:
            return "<Case (closed)>"
        return f"<Case {self.id} {self.state.name.lower()} version {self.version}>"

    # ---- actions -------------------------------------------------------------------

    def attach(self, act, kind, reference):
        self._call(_lib.lib.refund_case_attach, _act(act),
                   enum_value(Evidence, kind, "evidence kind"), cstr(reference, "reference"))

    def submit(self, act, account):
        if not isinstance(account, Account):
            raise TypeError(f"account must be an Account, not {type(account).__name__}")
        self._call(_lib.lib.refund_case_submit, _act(act), ctypes.byref(account._struct()))

    def start_review(self, act):
        self._call(_lib.lib.refund_case_start_review, _act(act))

    def request_documents(self, act, kinds):
        self._call(_lib.lib.refund_case_request_documents, _act(act), evidence_mask(kinds))

    def provide_documents(self, act):
        self._call(_lib.lib.refund_case_provide_documents, _act(act))

    def approve(self, act, amount):
        self._call(_lib.lib.refund_case_approve, _act(act), cint(amount, "amount"))

    def reject(self, act, reason, text):
        self._call(_lib.lib.refund_case_reject, _act(act),
                   enum_value(RejectReason, reason, "reject reason"), cstr(text, "text"))

    def appeal(self, act):
        self._call(_lib.lib.refund_case_appeal, _act(act))

    def receive_device(self, act, tracking=None):
        self._call(_lib.lib.refund_case_receive_device, _act(act),
                   cstr(tracking, "tracking", optional=True))

    def inspect(self, act, grade, missing_parts=0):
        self._call(_lib.lib.refund_case_inspect, _act(act), enum_value(Grade, grade, "grade"),
                   cint(missing_parts, "missing_parts", INT32))

    def set_offset(self, act, owed):
        self._call(_lib.lib.refund_case_set_offset, _act(act), cint(owed, "owed"))

    def offer(self, act, parts=1):
        self._call(_lib.lib.refund_case_offer, _act(act), cint(parts, "parts", INT32))

    def accept(self, act):
        self._call(_lib.lib.refund_case_accept, _act(act))

    def pay(self, act, part, reference):
        self._call(_lib.lib.refund_case_pay, _act(act), cint(part, "part", INT32),
                   cstr(reference, "reference"))

    def pay_failed(self, act, part, reason):
        self._call(_lib.lib.refund_case_pay_failed, _act(act), cint(part, "part", INT32),
                   cstr(reason, "reason"))

    def confirm(self, act):
        self._call(_lib.lib.refund_case_confirm, _act(act))

    def withdraw(self, act):
        self._call(_lib.lib.refund_case_withdraw, _act(act))

    def escalate(self, act, party):
        self._call(_lib.lib.refund_case_escalate, _act(act), flags_value(Party, party, "party"))

    def reevaluate(self, act, policy_version=0):
        self._call(_lib.lib.refund_case_reevaluate, _act(act),
                   cint(policy_version, "policy_version", UINT32))

    # ---- reading ----------------------------------------------------------------------

    id = property(lambda self: from_c(self._get(_lib.lib.refund_case_id)), doc="The id.")
    deposit_id = property(lambda self: from_c(self._get(_lib.lib.refund_case_deposit_id)),
                          doc="The deposit's id.")
    state = property(lambda self: as_enum(State, self._get(_lib.lib.refund_case_state)),
                     doc="The State.")
    reason = property(lambda self: as_enum(Reason, self._get(_lib.lib.refund_case_reason)),
                      doc="The Reason given at opening.")
    version = property(lambda self: self._get(_lib.lib.refund_case_version),
                       doc="The stored version this handle reflects.")
    escalations = property(lambda self: Party(self._get(_lib.lib.refund_case_escalations)),
                           doc="The Party mask it was escalated to.")
    evidence = property(lambda self: evidence_set(self._get(_lib.lib.refund_case_evidence)),
                        doc="The Evidence attached, as a frozenset.")
    missing_evidence = property(
        lambda self: evidence_set(self._get(_lib.lib.refund_case_missing_evidence)),
        doc="The Evidence still missing, as a frozenset.")

    @property
    def policy(self):
        """(policy id, policy version) the case is judged by."""
        version = ctypes.c_uint32()
        name = self._get(_lib.lib.refund_case_policy, ctypes.byref(version))
        return from_c(name), version.value

    def quote(self):
        """``refund_case_quote``: the refund breakdown now."""
        q = _lib.refund_quote()
        q.version = _lib.QUOTE_VERSION
        self._call(_lib.lib.refund_case_quote, ctypes.byref(q))
        return Quote(q.currency.decode("ascii"), q.remaining, q.tier_bp, q.gross, q.forfeited,
                     q.damage, q.missing_parts, q.fee, q.offset, q.net,
                     None if q.approved == -1 else q.approved)

    def explain(self, lang=None):
        """``refund_case_explain``: the quote and what comes next, in words
        (default: the engine's language)."""
        lang = self._engine.lang if lang is None else Lang.of(lang)
        size = 2048
        while True:
            buf = ctypes.create_string_buffer(size)
            rc = errors.call(_lib.lib.refund_case_explain, self._ptr(), int(lang), buf, size,
                             engine=self._engine._ptr(), check=False)
            if rc == errors.RangeError.code and size < 1 << 20:
                size *= 4
                continue
            if rc:
                raise errors.make_error(rc, self._engine._ptr())
            return buf.value.decode("utf-8")

    def parts(self):
        """Every payout part (empty until terms are offered)."""
        count = self._get(_lib.lib.refund_case_part_count)
        return [self.part(i) for i in range(1, count + 1)]

    def part(self, number):
        """``refund_case_part``: part ``number`` (1-based)."""
        p = _lib.refund_part()
        p.version = _lib.PART_VERSION
        self._call(_lib.lib.refund_case_part, cint(number, "part", INT32), ctypes.byref(p))
        return Part(p.amount, p.due, as_enum(PartStatus, p.status), p.attempts,
                    from_c(p.reference), from_c(p.failure))

    def next_deadline(self):
        """``refund_case_next_deadline``: a Deadline, or None if no clock runs."""
        from .deadline import next_deadline
        return next_deadline(self)

    def events(self):
        """``refund_case_events``: the audit trail as a list of Event."""
        from .event import events
        return events(self)

    def verify(self):
        """``refund_case_verify``: None if the hash chain is intact, else
        raises CorruptError with ``first_bad`` (the first bad seq) set."""
        from .event import verify
        return verify(self)


@_lib.CASE_CB
def _collect_case(ctx, c):
    try:
        _registry.lookup(ctx).append(from_c(_lib.lib.refund_case_id(c)))
        return 0
    except BaseException as exc:  # noqa: BLE001 - kept and re-raised after the call
        errors.keep(exc)
        return errors.UserError.code


def list_ids(engine, deposit_id=None, holder=None, agent=None, state=None, after_id=None,
             limit=0):
    """``refund_case_list``: the ids of matching cases, in id order."""
    flt = _lib.refund_case_filter()
    flt.version = _lib.CASE_FILTER_VERSION
    flt.deposit_id = cstr(deposit_id, "deposit_id", optional=True)
    flt.holder = cstr(holder, "holder", optional=True)
    flt.agent = cstr(agent, "agent", optional=True)
    flt.state = 0 if state is None else enum_value(State, state, "state")
    flt.after_id = cstr(after_id, "after_id", optional=True)
    flt.limit = cint(limit, "limit", SIZE)
    ids = []
    key = _registry.register(ids)
    try:
        engine._call(_lib.lib.refund_case_list, ctypes.byref(flt), _collect_case, key)
    finally:
        _registry.unregister(key)
    return ids
