"""The audit trail (include/refund/event.h): events chained by SHA-256."""
import ctypes
from dataclasses import dataclass

from . import _lib, _registry, errors
from ._convert import as_enum, cstr, from_c, time_or_none

__all__ = ["Event", "events", "verify", "rebuild"]


@dataclass(frozen=True)
class Event:
    """refund_event: one transition of a case, read-only."""
    seq: int
    at: int
    actor: str
    role: object
    action: object
    from_state: object  # None for the opening event
    to_state: object
    amount: int
    reason: object
    note: object
    policy_id: str
    policy_version: int
    policy_version_before: int
    deadline: object  # None for REFUND_TIME_NONE
    prev_hash: str
    hash: str

    @classmethod
    def _from_c(cls, e):
        from .actor import Role
        from .case import Action, State
        return cls(seq=e.seq, at=e.at, actor=from_c(e.actor), role=as_enum(Role, e.role),
                   action=as_enum(Action, e.action),
                   from_state=as_enum(State, getattr(e, "from")) if getattr(e, "from") else None,
                   to_state=as_enum(State, e.to), amount=e.amount, reason=from_c(e.reason),
                   note=from_c(e.note), policy_id=from_c(e.policy_id),
                   policy_version=e.policy_version,
                   policy_version_before=e.policy_version_before,
                   deadline=time_or_none(e.deadline), prev_hash=from_c(e.prev_hash),
                   hash=from_c(e.hash))


@_lib.EVENT_CB
def _collect_event(ctx, event):
    try:
        _registry.lookup(ctx).append(Event._from_c(event.contents))
        return 0
    except BaseException as exc:  # noqa: BLE001 - kept and re-raised after the call
        errors.keep(exc)
        return errors.UserError.code


def events(case):
    """``refund_case_events``: the case's events in order, from the store."""
    found = []
    key = _registry.register(found)
    try:
        case._call(_lib.lib.refund_case_events, _collect_event, key)
    finally:
        _registry.unregister(key)
    return found


def verify(case):
    """``refund_case_verify``: returns None if the chain is intact; raises
    CorruptError with ``first_bad`` (the first event that does not verify)."""
    first_bad = ctypes.c_uint64()
    try:
        case._call(_lib.lib.refund_case_verify, ctypes.byref(first_bad))
    except errors.CorruptError as exc:
        exc.first_bad = first_bad.value
        raise


def rebuild(engine, case_id):
    """``refund_case_rebuild``: a Case rebuilt from its stored events alone."""
    from .case import Case
    out = _lib.case_p()
    engine._call(_lib.lib.refund_case_rebuild, cstr(case_id, "case id"), ctypes.byref(out))
    return Case(engine, out)
