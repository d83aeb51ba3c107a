"""Deposits (include/refund/deposit.h): the money held and its ledger.

A :class:`Deposit` is a snapshot of the stored deposit at a version; each
change is committed with that version expected and changes the handle only
after the commit succeeded (ConflictError: load it again).
"""
import ctypes
import enum
from dataclasses import dataclass

from . import _lib, _registry, errors
from ._convert import (SIZE, as_enum, cint, cstr, enum_value, from_c,
                       time_or_none, time_value)
from ._handle import Handle
from .actor import Act, Role

__all__ = ["Deposit", "EntryKind", "Balance", "Entry", "list_ids", "entry_kind_name"]


class EntryKind(enum.IntEnum):
    """refund_entry_kind."""
    HOLD = 1
    REFUND = 2
    DAMAGE = 3
    MISSING_PARTS = 4
    HANDLING_FEE = 5
    FEE_OFFSET = 6
    FORFEIT = 7


def entry_kind_name(kind):
    """``refund_entry_kind_name``; None for an unknown kind."""
    return from_c(_lib.lib.refund_entry_kind_name(enum_value(EntryKind, kind, "entry kind")))


@dataclass(frozen=True)
class Balance:
    """refund_balance: held = refunded + deducted + remaining."""
    held: int
    refunded: int
    deducted: int
    remaining: int


@dataclass(frozen=True)
class Entry:
    """refund_entry: one ledger entry."""
    seq: int
    kind: object
    amount: int
    at: int
    actor: str
    role: object
    reference: object
    case_id: object


class Deposit(Handle):
    """A deposit handle (refund_deposit)."""

    _free = staticmethod(_lib.lib.refund_deposit_free)

    @classmethod
    def create(cls, engine, deposit_id, *, holder, agent, terminal_serial, amount,
               currency, paid_at, actor, contract_id=None, receipt=None,
               contract_end=None):
        """``refund_deposit_create``: record a new deposit with its hold entry.

        ``amount`` in minor units; times as int seconds UTC, aware datetimes
        or ISO text; ``actor`` an Act or "actor:role" (agent, finance, admin).
        """
        actor, role = Act.of(actor)._actor_role()
        info = _lib.refund_deposit_info()
        errors.call(_lib.lib.refund_deposit_info_init, ctypes.byref(info),
                    _lib.DEPOSIT_INFO_VERSION)
        info.id = cstr(deposit_id, "deposit id")
        info.holder = cstr(holder, "holder")
        info.agent = cstr(agent, "agent")
        info.terminal_serial = cstr(terminal_serial, "terminal_serial")
        info.contract_id = cstr(contract_id, "contract_id", optional=True)
        info.receipt = cstr(receipt, "receipt", optional=True)
        info.amount = cint(amount, "amount")
        info.currency = cstr(currency, "currency")
        info.paid_at = time_value(paid_at, "paid_at")
        info.contract_end = time_value(contract_end, "contract_end", optional=True)
        out = _lib.deposit_p()
        engine._call(_lib.lib.refund_deposit_create, ctypes.byref(out), ctypes.byref(info),
                     actor, role)
        return cls(engine, out)

    @classmethod
    def load(cls, engine, deposit_id):
        """``refund_deposit_load``; NotFoundError if there is none."""
        out = _lib.deposit_p()
        engine._call(_lib.lib.refund_deposit_load, ctypes.byref(out),
                     cstr(deposit_id, "deposit id"))
        return cls(engine, out)

    def reload(self):
        """A fresh handle on the stored deposit (this one is left as it is)."""
        return type(self).load(self._engine, self.id)

    def __repr__(self):
        if self.closed:
            return "<Deposit (closed)>"
        return f"<Deposit {self.id} {self.currency} version {self.version}>"

    # ---- fields ----------------------------------------------------------------

    def _str(self, fn):
        return from_c(self._get(fn))

    id = property(lambda self: self._str(_lib.lib.refund_deposit_id), doc="The id.")
    holder = property(lambda self: self._str(_lib.lib.refund_deposit_holder),
                      doc="The holder (merchant) id.")
    agent = property(lambda self: self._str(_lib.lib.refund_deposit_agent),
                     doc="The agent id.")
    terminal_serial = property(lambda self: self._str(_lib.lib.refund_deposit_terminal_serial),
                               doc="The terminal's serial number.")
    contract_id = property(lambda self: self._str(_lib.lib.refund_deposit_contract_id),
                           doc="The contract id, or None.")
    receipt = property(lambda self: self._str(_lib.lib.refund_deposit_receipt),
                       doc="The receipt, or None.")
    currency = property(lambda self: self._str(_lib.lib.refund_deposit_currency),
                        doc="The currency code.")
    open_case = property(lambda self: self._str(_lib.lib.refund_deposit_open_case),
                         doc="The id of the case under way, or None.")
    paid_at = property(lambda self: self._get(_lib.lib.refund_deposit_paid_at),
                       doc="When it was paid (seconds UTC).")
    contract_end = property(
        lambda self: time_or_none(self._get(_lib.lib.refund_deposit_contract_end)),
        doc="When the contract ends, or None if open-ended.")
    days_in_service = property(lambda self: self._get(_lib.lib.refund_deposit_days_in_service),
                               doc="Days in service as last reported.")
    transaction_volume = property(
        lambda self: self._get(_lib.lib.refund_deposit_transaction_volume),
        doc="Transaction volume (minor units) as last reported.")
    version = property(lambda self: self._get(_lib.lib.refund_deposit_version),
                       doc="The stored version this handle reflects.")

    def balance(self):
        """``refund_deposit_balance``."""
        out = _lib.refund_balance()
        out.version = _lib.BALANCE_VERSION
        self._call(_lib.lib.refund_deposit_balance, ctypes.byref(out))
        return Balance(out.held, out.refunded, out.deducted, out.remaining)

    def entries(self):
        """Every ledger entry, oldest first."""
        count = self._get(_lib.lib.refund_deposit_entry_count)
        return [self.entry(i) for i in range(count)]

    def entry(self, index):
        """``refund_deposit_entry``: entry ``index`` (0-based)."""
        out = _lib.refund_entry()
        out.version = _lib.ENTRY_VERSION
        self._call(_lib.lib.refund_deposit_entry, cint(index, "index", SIZE), ctypes.byref(out))
        return Entry(out.seq, as_enum(EntryKind, out.kind), out.amount, out.at,
                     from_c(out.actor), as_enum(Role, out.role), from_c(out.reference),
                     from_c(out.case_id))

    # ---- changes ------------------------------------------------------------------

    def post(self, kind, amount, actor, reference=None):
        """``refund_deposit_post``: money leaving outside a case (finance, admin)."""
        name, role = Act.of(actor)._actor_role()
        self._call(_lib.lib.refund_deposit_post, enum_value(EntryKind, kind, "entry kind"),
                   cint(amount, "amount"), name, role,
                   cstr(reference, "reference", optional=True))

    def set_usage(self, days_in_service, transaction_volume, actor):
        """``refund_deposit_set_usage``: the figures usage tiers are judged on."""
        name, role = Act.of(actor)._actor_role()
        self._call(_lib.lib.refund_deposit_set_usage, cint(days_in_service, "days_in_service"),
                   cint(transaction_volume, "transaction_volume"), name, role)


@_lib.DEPOSIT_CB
def _collect_deposit(ctx, deposit):
    try:
        _registry.lookup(ctx).append(from_c(_lib.lib.refund_deposit_id(deposit)))
        return 0
    except BaseException as exc:  # noqa: BLE001 - kept and re-raised after the call
        errors.keep(exc)
        return errors.UserError.code


def list_ids(engine, holder=None, agent=None, after_id=None, limit=0):
    """``refund_deposit_list``: the ids of matching deposits, in id order.

    NotSupportedError if the store has no scan.
    """
    flt = _lib.refund_deposit_filter()
    flt.version = _lib.DEPOSIT_FILTER_VERSION
    flt.holder = cstr(holder, "holder", optional=True)
    flt.agent = cstr(agent, "agent", optional=True)
    flt.after_id = cstr(after_id, "after_id", optional=True)
    flt.limit = cint(limit, "limit", SIZE)
    ids = []
    key = _registry.register(ids)
    try:
        engine._call(_lib.lib.refund_deposit_list, ctypes.byref(flt), _collect_deposit, key)
    finally:
        _registry.unregister(key)
    return ids

