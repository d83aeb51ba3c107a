"""The engine (include/refund/engine.h): store, clock, notifier, language.

An engine ties the library to its host.  It is used by one thread at a
time, together with every handle made from it.  Its store must outlive it
(the engine keeps a reference to it); closing the engine first closes every
handle made from it.
"""
import ctypes
import enum
import functools
from dataclasses import dataclass

from . import _lib, _registry, errors
from ._convert import as_enum, cint, cstr, enum_value, from_c, time_or_none, time_value
from ._handle import Cell, Closable, Owner

__all__ = ["Engine", "Lang", "NoticeKind", "Notice"]


class Lang(enum.IntEnum):
    """refund_lang: the language of messages."""
    EN = 0
    ZH_CN = 1

    @classmethod
    def of(cls, value):
        if isinstance(value, str) and value.lower().replace("_", "-") == "zh-cn":
            return cls.ZH_CN
        return as_enum(cls, enum_value(cls, value, "language"))


class NoticeKind(enum.IntEnum):
    """refund_notice_kind: what a notice is about."""
    DEPOSIT_CREATED = 1
    LEDGER_ENTRY = 2
    USAGE_UPDATED = 3
    TRANSITION = 4
    REMINDER = 5
    DEADLINE = 6


@dataclass(frozen=True)
class Notice:
    """A copy of a refund_notice, passed to the engine's notifier."""
    kind: object
    record_kind: object
    id: str
    actor: object
    at: int
    amount: int
    currency: object
    entry_kind: object
    action: object
    from_state: object
    to_state: object
    deadline: object
    overdue: bool

    @classmethod
    def _from_c(cls, n):
        from .case import Action, State
        from .deposit import EntryKind
        from .store import RecordKind
        return cls(kind=as_enum(NoticeKind, n.kind),
                   record_kind=as_enum(RecordKind, n.record_kind),
                   id=from_c(n.id), actor=from_c(n.actor), at=n.at, amount=n.amount,
                   currency=from_c(n.currency),
                   entry_kind=as_enum(EntryKind, n.entry_kind) if n.entry_kind else None,
                   action=as_enum(Action, n.action) if n.action else None,
                   from_state=as_enum(State, n.from_state) if n.from_state else None,
                   to_state=as_enum(State, n.to_state) if n.to_state else None,
                   deadline=time_or_none(n.deadline) if n.deadline else None,
                   overdue=bool(n.overdue))


# ---- callbacks: static trampolines that find the Python callable by id ----

@_lib.CLOCK_FN
def _clock_trampoline(user):
    try:
        value = _registry.lookup(user)()
        return time_value(value, "the clock's time")
    except BaseException as exc:  # noqa: BLE001 - kept and re-raised after the call
        errors.keep(exc)
        return _lib.TIME_NONE


@_lib.NOTIFY_FN
def _notify_trampoline(user, notice):
    try:
        _registry.lookup(user)(Notice._from_c(notice.contents))
    except BaseException as exc:  # noqa: BLE001 - kept and re-raised after the call
        errors.keep(exc)


def _free_engine(handles, callback_ids, ptr):
    handles.close_all("closed (its engine was closed)")
    _lib.lib.refund_engine_free(ptr)
    for key in callback_ids:
        _registry.unregister(key)


class Engine(Closable):
    """``refund_engine_new`` on a store.

    ``store``: a MemoryStore or a Store written in Python (kept alive by the
    engine).  ``clock``: a callable returning the current time (int seconds
    UTC or an aware datetime); default the system clock.  ``notify``: a
    callable receiving a :class:`Notice` after each committed change.
    ``lang``: Lang.EN or Lang.ZH_CN ("en", "zh-CN") for messages.

    An exception raised by ``clock`` or ``notify`` is raised again by the
    call that invoked it; a notifier's exception comes after the change was
    committed.
    """

    def __init__(self, store, *, clock=None, notify=None, lang=Lang.EN):
        from .store import _StoreBase
        if not isinstance(store, _StoreBase):
            raise TypeError(f"store must be a MemoryStore or a Store, not "
                            f"{type(store).__name__}")
        if clock is not None and not callable(clock):
            raise TypeError("clock must be callable")
        if notify is not None and not callable(notify):
            raise TypeError("notify must be callable")
        lang = Lang.of(lang)
        options = _lib.refund_engine_options()
        errors.call(_lib.lib.refund_engine_options_init, ctypes.byref(options),
                    _lib.ENGINE_OPTIONS_VERSION)
        callback_ids = []
        if clock is not None:
            callback_ids.append(_registry.register(clock))
            options.clock = _clock_trampoline
            options.clock_user = callback_ids[-1]
        if notify is not None:
            callback_ids.append(_registry.register(notify))
            options.notify = _notify_trampoline
            options.notify_user = callback_ids[-1]
        options.store = store._store_ptr()
        options.lang = int(lang)
        out = _lib.engine_p()
        try:
            errors.call(_lib.lib.refund_engine_new, ctypes.byref(out), ctypes.byref(options))
        except BaseException:
            for key in callback_ids:
                _registry.unregister(key)
            raise
        self._store = store
        self._handles = Owner()
        self._cell = Cell(out, functools.partial(_free_engine, self._handles, callback_ids))
        store._engines.cells.add(self._cell)

    # ---- the handle ------------------------------------------------------

    _ptr = Closable._open_ptr

    def _owner(self):
        self._ptr()
        return self._handles

    def _owner_or_none(self):
        return self._handles if self._cell.ptr else None

    def _call(self, fn, *args):
        ptr = self._ptr()
        return errors.call(fn, ptr, *args, engine=ptr)

    @property
    def store(self):
        return self._store

    def close(self):
        """Close every handle made from this engine, then the engine."""
        cell = self._cell
        cell.close()
        self._store._engines.cells.discard(cell)

    # ---- engine.h ----------------------------------------------------------

    @property
    def errmsg(self):
        """``refund_engine_errmsg``: the last failure's message ("" if none)."""
        return _lib.lib.refund_engine_errmsg(self._ptr()).decode("utf-8", "replace")

    def now(self):
        """``refund_engine_now``: the time by the engine's clock."""
        out = ctypes.c_int64()
        self._call(_lib.lib.refund_engine_now, ctypes.byref(out))
        return out.value

    @property
    def lang(self):
        """The message language (settable)."""
        return Lang(_lib.lib.refund_engine_lang(self._ptr()))

    @lang.setter
    def lang(self, value):
        self._call(_lib.lib.refund_engine_set_lang, int(Lang.of(value)))

    def set_currency(self, code, exponent):
        """``refund_engine_set_currency``: add or override a currency's exponent."""
        self._call(_lib.lib.refund_engine_set_currency, cstr(code, "currency"),
                   cint(exponent, "exponent", (-(2 ** 31), 2 ** 31 - 1)))

    def currency_exponent(self, code):
        """``refund_currency_exponent`` with this engine's overrides."""
        from . import money
        return money.exponent(code, self)

    def parse_money(self, text, currency, allow_negative=False):
        """``refund_money_parse`` with this engine's currencies and messages."""
        from . import money
        return money.parse(text, currency, self, allow_negative)

    def format_money(self, amount, currency):
        """``refund_money_format`` with this engine's currencies."""
        from . import money
        return money.format(amount, currency, self)

    # ---- deadline.h ----------------------------------------------------------

    def tick(self, now=None, limit=0):
        """``refund_engine_tick``: fire what is due at ``now`` (default: the
        engine clock); returns a TickResult."""
        from .deadline import tick
        return tick(self, self.now() if now is None else now, limit)

    # ---- calendar.h ------------------------------------------------------------

    def builtin_calendar(self, name):
        """A copy of a built-in calendar ("CN", "WEEKEND")."""
        from .calendar import Calendar
        return Calendar.builtin(self, name)

    def new_calendar(self, name, utc_offset=0, weekend=("sat", "sun")):
        from .calendar import Calendar
        return Calendar.new(self, name, utc_offset, weekend)

    def parse_calendar(self, text):
        from .calendar import Calendar
        return Calendar.parse(self, text)

    def add_calendar(self, calendar):
        """``refund_engine_add_calendar``: the engine takes the calendar over."""
        calendar._give_to(self)

    # ---- policies, deposits, cases ------------------------------------------------

    def new_policy(self, policy_id, currency):
        from .policy import Policy
        return Policy.new(self, policy_id, currency)

    def parse_policy(self, text):
        from .policy import Policy
        return Policy.parse(self, text)

    def load_policy(self, policy_id, version=0):
        from .policy import Policy
        return Policy.load(self, policy_id, version)

    def create_deposit(self, deposit_id, **fields):
        """See :meth:`refund.Deposit.create`."""
        from .deposit import Deposit
        return Deposit.create(self, deposit_id, **fields)

    def load_deposit(self, deposit_id):
        from .deposit import Deposit
        return Deposit.load(self, deposit_id)

    def deposit_ids(self, **filter_fields):
        """See :func:`refund.deposit.list_ids`."""
        from .deposit import list_ids
        return list_ids(self, **filter_fields)

    def open_case(self, case_id, deposit_id, policy_id, reason, act, policy_version=0):
        """See :meth:`refund.Case.open`."""
        from .case import Case
        return Case.open(self, case_id, deposit_id, policy_id, reason, act, policy_version)

    def load_case(self, case_id):
        from .case import Case
        return Case.load(self, case_id)

    def case_ids(self, **filter_fields):
        """See :func:`refund.case.list_ids`."""
        from .case import list_ids
        return list_ids(self, **filter_fields)

    def rebuild_case(self, case_id):
        """``refund_case_rebuild``: the case rebuilt from its events alone."""
        from .event import rebuild
        return rebuild(self, case_id)
