"""Deadlines (include/refund/deadline.h): what a case waits for, and the tick."""
import ctypes
from dataclasses import dataclass

from . import _lib, errors
from ._convert import SIZE, as_enum, cint, time_value

__all__ = ["Deadline", "TickResult", "next_deadline", "tick"]


@dataclass(frozen=True)
class Deadline:
    """refund_deadline: a case's current deadline."""
    state: object
    started: int
    due: int
    next: int
    consequence: object
    overdue: bool


@dataclass(frozen=True)
class TickResult:
    """refund_tick_result: what a tick did."""
    due: int
    reminders: int
    consequences: int
    conflicts: int


def next_deadline(case):
    """The case's Deadline, or None when no clock runs (a final state, a
    paused clock, or a state without a deadline)."""
    from .case import State
    from .policy import Consequence
    out = _lib.refund_deadline()
    out.version = _lib.DEADLINE_VERSION
    try:
        case._call(_lib.lib.refund_case_next_deadline, ctypes.byref(out))
    except errors.NotFoundError:
        return None
    return Deadline(as_enum(State, out.state), out.started, out.due, out.next,
                    as_enum(Consequence, out.consequence), bool(out.overdue))


def tick(engine, now, limit=0):
    """``refund_engine_tick``: fire every deadline due at ``now``."""
    result = _lib.refund_tick_result()
    result.version = _lib.TICK_RESULT_VERSION
    engine._call(_lib.lib.refund_engine_tick, time_value(now, "now"),
                 cint(limit, "limit", SIZE), ctypes.byref(result))
    return TickResult(result.due, result.reminders, result.consequences, result.conflicts)
