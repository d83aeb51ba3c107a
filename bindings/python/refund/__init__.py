"""librefund for Python: refunds of POS terminal deposits, on ctypes.

The package mirrors the C headers: :mod:`refund.engine`,
:mod:`refund.store`, :mod:`refund.deposit`, :mod:`refund.policy`,
:mod:`refund.case`, :mod:`refund.event`, :mod:`refund.deadline`,
:mod:`refund.calendar`, :mod:`refund.money`, :mod:`refund.time`,
:mod:`refund.actor` and :mod:`refund.errors`.  The names used most are
exported here.  Amounts are ``int`` minor units beside a currency code;
times are ``int`` seconds UTC.  The library is found through the
REFUND_LIBRARY environment variable, else as librefund.so.1.
"""
from . import _lib
from . import errors, money, time
from .actor import Act, Role, role_from_name, role_label, role_name
from .calendar import Calendar
from .case import (Account, Action, Case, Part, PartStatus, PayoutMethod, Quote,
                   RejectReason, State, action_label, action_name, state_label,
                   state_name)
from .deadline import Deadline, TickResult
from .deposit import Balance, Deposit, Entry, EntryKind, entry_kind_name
from .engine import Engine, Lang, Notice, NoticeKind
from .errors import (AmountOverflowError, BalanceError, BusyError, CalendarError, ClosedError,
                     ConflictError, CorruptError, CurrencyError, DeadlineError, DeniedError,
                     DuplicateError, EvidenceError, ExistsError, InvalidError, NoMemoryError,
                     NotFoundError, NotSupportedError, ParseError, RangeError, RefundError,
                     StateError, StoreError, UserError, VersionError)
from .event import Event
from .money import Money
from .policy import (Consequence, DayUnit, Evidence, Grade, Party, Policy, Reason,
                     WindowAnchor, evidence_mask, evidence_set)
from .store import (DictStore, MemoryStore, RecordKind, Store, StoreEvent, StoreFilter,
                    StoreIndex, StorePut, StoreRecord)

__version__ = "1.0.0"
library_path = _lib.library_path


def version():
    """``refund_version``: the version of the library actually loaded."""
    return _lib.lib.refund_version().decode()


def version_number():
    """``refund_version_number``: major * 10000 + minor * 100 + patch."""
    return _lib.lib.refund_version_number()


__all__ = [
    "Account", "Act", "Action", "Balance", "Calendar", "Case", "Consequence", "DayUnit",
    "Deadline", "Deposit", "DictStore", "Engine", "Entry", "EntryKind", "Event", "Evidence",
    "Grade", "Lang", "MemoryStore", "Money", "Notice", "NoticeKind", "Part", "PartStatus",
    "Party", "PayoutMethod", "Policy", "Quote", "Reason", "RecordKind", "RejectReason",
    "Role", "State", "Store", "StoreEvent", "StoreFilter", "StoreIndex", "StorePut",
    "StoreRecord", "TickResult", "WindowAnchor", "action_name", "entry_kind_name",
    "errors", "evidence_mask", "evidence_set", "library_path", "money", "role_from_name",
    "role_label", "role_name", "state_label", "state_name",
    "action_label", "time", "version", "version_number",
    # errors
    "AmountOverflowError", "BalanceError", "BusyError", "CalendarError", "ClosedError",
    "ConflictError", "CorruptError", "CurrencyError", "DeadlineError", "DeniedError",
    "DuplicateError", "EvidenceError", "ExistsError", "InvalidError", "NoMemoryError",
    "NotFoundError", "NotSupportedError", "ParseError", "RangeError", "RefundError",
    "StateError", "StoreError", "UserError", "VersionError",
]
