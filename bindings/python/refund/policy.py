"""Policies (include/refund/policy.h): the rules a case is judged by.

A policy is a draft built through setters or parsed from its text form
(docs/policies/README.md), then published under the next version of its
id; a published policy never changes (setters raise StateError).
"""
import ctypes
import enum

from . import _lib, errors
from ._convert import (INT32, UINT32, cbool, cint, cstr, enum_value, flags_value,
                       from_c, text_bytes)
from ._handle import Handle
from .actor import Act

__all__ = ["Policy", "Reason", "Evidence", "WindowAnchor", "Grade", "DayUnit",
           "Consequence", "Party", "evidence_mask", "evidence_set"]


class Reason(enum.IntEnum):
    """refund_reason: why a refund is asked for."""
    DEVICE_FAULT = 1
    TRANSACTION_DISPUTE = 2
    SERVICE = 3
    POLICY_CHANGE = 4
    NEEDS_CHANGED = 5
    FRAUD = 6


class Evidence(enum.IntEnum):
    """refund_evidence: kinds of evidence (证明材料)."""
    RECEIPT = 1
    CONTRACT = 2
    PAYMENT_RECORD = 3
    FAULT_REPORT = 4
    TRANSACTION_RECORDS = 5
    SERVICE_EVALUATION = 6
    GOVERNMENT_DOCUMENT = 7
    POLICE_REPORT = 8
    OTHER = 9

    @property
    def bit(self):
        """REFUND_EVIDENCE_BIT(kind)."""
        return 1 << int(self)


def evidence_mask(kinds):
    """A mask of REFUND_EVIDENCE_BIT from an iterable of Evidence (or names)."""
    if isinstance(kinds, (str, Evidence, int)):
        kinds = [kinds]
    mask = 0
    for kind in kinds:
        mask |= 1 << enum_value(Evidence, kind, "evidence kind")
    return mask


def evidence_set(mask):
    """The frozenset of Evidence in a mask."""
    return frozenset(e for e in Evidence if mask & e.bit)


class WindowAnchor(enum.IntEnum):
    """refund_window_anchor."""
    NONE = 0
    CONTRACT_END = 1
    PAYMENT = 2


class Grade(enum.IntEnum):
    """refund_grade: inspection grades."""
    FINE = 1
    NORMAL_WEAR = 2
    DAMAGED = 3
    NOT_RETURNED = 4


class DayUnit(enum.IntEnum):
    """refund_day_unit (REFUND_CALENDAR_DAYS, REFUND_BUSINESS_DAYS)."""
    CALENDAR_DAYS = 1
    BUSINESS_DAYS = 2


class Consequence(enum.IntEnum):
    """refund_consequence (REFUND_ON_DUE_*)."""
    REMIND = 1
    ESCALATE = 2
    EXPIRE = 3
    APPROVE = 4
    CLOSE = 5


class Party(enum.IntFlag):
    """refund_party: third parties a case may be escalated to (a mask)."""
    REGULATOR = 1
    CONSUMER_ASSOCIATION = 2
    LEGAL = 4


MAX_TIERS = 16
MAX_REMINDERS = 4
MAX_PARTS = 24


class Policy(Handle):
    """A policy handle (refund_policy): a draft or a published version."""

    _free = staticmethod(_lib.lib.refund_policy_free)

    @classmethod
    def new(cls, engine, policy_id, currency):
        """``refund_policy_new``: a draft with every default."""
        out = _lib.policy_p()
        engine._call(_lib.lib.refund_policy_new, ctypes.byref(out),
                     cstr(policy_id, "policy id"), cstr(currency, "currency"))
        return cls(engine, out)

    @classmethod
    def parse(cls, engine, text):
        """``refund_policy_parse``: a draft from the text form (str or bytes).

        ParseError's message names the line and column.
        """
        data = text_bytes(text, "policy text")
        out = _lib.policy_p()
        engine._call(_lib.lib.refund_policy_parse, ctypes.byref(out), data, len(data))
        return cls(engine, out)

    @classmethod
    def load(cls, engine, policy_id, version=0):
        """``refund_policy_load``: a published version (0: the latest)."""
        out = _lib.policy_p()
        engine._call(_lib.lib.refund_policy_load, ctypes.byref(out),
                     cstr(policy_id, "policy id"), cint(version, "version", UINT32))
        return cls(engine, out)

    def __repr__(self):
        if self.closed:
            return "<Policy (closed)>"
        return f"<Policy {self.id} version {self.version} {self.currency}>"

    id = property(lambda self: from_c(self._get(_lib.lib.refund_policy_id)),
                  doc="The policy's id.")
    version = property(lambda self: self._get(_lib.lib.refund_policy_version),
                       doc="The published version, or 0 for a draft.")
    currency = property(lambda self: from_c(self._get(_lib.lib.refund_policy_currency)),
                        doc="The currency of its fixed amounts.")

    @property
    def published(self):
        return self.version != 0

    # ---- setters (drafts only) ------------------------------------------------------

    def set_window(self, anchor, days=0):
        self._call(_lib.lib.refund_policy_set_window,
                   enum_value(WindowAnchor, anchor, "window anchor"), cint(days, "days", INT32))

    def add_tier(self, min_days, min_volume, bp):
        self._call(_lib.lib.refund_policy_add_tier, cint(min_days, "min_days"),
                   cint(min_volume, "min_volume"), cint(bp, "bp", INT32))

    def set_common_evidence(self, kinds):
        self._call(_lib.lib.refund_policy_set_common_evidence, evidence_mask(kinds))

    def set_reason_evidence(self, reason, kinds):
        self._call(_lib.lib.refund_policy_set_reason_evidence,
                   enum_value(Reason, reason, "reason"), evidence_mask(kinds))

    def set_return_required(self, required):
        self._call(_lib.lib.refund_policy_set_return_required, cbool(required, "required"))

    def set_grade_deduction(self, grade, bp):
        self._call(_lib.lib.refund_policy_set_grade_deduction, enum_value(Grade, grade, "grade"),
                   cint(bp, "bp", INT32))

    def set_missing_part_deduction(self, amount):
        self._call(_lib.lib.refund_policy_set_missing_part_deduction, cint(amount, "amount"))

    def set_fee(self, fixed=0, bp=0, min=0, cap=-1):  # noqa: A002 - the C names
        self._call(_lib.lib.refund_policy_set_fee, cint(fixed, "fixed"), cint(bp, "bp", INT32),
                   cint(min, "min"), cint(cap, "cap"))

    def set_offsets(self, allowed):
        self._call(_lib.lib.refund_policy_set_offsets, cbool(allowed, "allowed"))

    def set_installments(self, max_parts, interval_months=1):
        self._call(_lib.lib.refund_policy_set_installments, cint(max_parts, "max_parts", INT32),
                   cint(interval_months, "interval_months", INT32))

    def set_deadline(self, state, amount, unit, calendar, consequence, reminders=()):
        """``refund_policy_set_deadline``; reminders in seconds before due."""
        from .case import State
        reminders = [cint(r, "reminder") for r in reminders]
        buf = (ctypes.c_int64 * len(reminders))(*reminders) if reminders else None
        self._call(_lib.lib.refund_policy_set_deadline, enum_value(State, state, "state"),
                   cint(amount, "amount", INT32), enum_value(DayUnit, unit, "day unit"),
                   cstr(calendar, "calendar"),
                   enum_value(Consequence, consequence, "consequence"), buf, len(reminders))

    def set_four_eyes(self, threshold):
        """Above ``threshold`` the approver may not pay out; -1 turns it off."""
        self._call(_lib.lib.refund_policy_set_four_eyes, cint(threshold, "threshold"))

    def set_escalation(self, parties):
        self._call(_lib.lib.refund_policy_set_escalation, flags_value(Party, parties, "party"))

    # ---- publishing and text -------------------------------------------------------------

    def publish(self, actor):
        """``refund_policy_publish`` (admin): the draft becomes the next version."""
        name, role = Act.of(actor)._actor_role()
        self._call(_lib.lib.refund_policy_publish, name, role)
        return self.version

    def format(self):
        """``refund_policy_format``: the canonical text form."""
        needed = ctypes.c_size_t()
        ptr = self._ptr()
        rc = errors.call(_lib.lib.refund_policy_format, ptr, None, 0, ctypes.byref(needed),
                         engine=self._engine._ptr(), check=False)
        if rc not in (0, errors.RangeError.code):
            raise errors.make_error(rc, self._engine._ptr())
        buf = ctypes.create_string_buffer(needed.value)
        self._call(_lib.lib.refund_policy_format, buf, needed.value, None)
        return buf.value.decode("utf-8")
