"""Errors: one exception class per REFUND_E* code (include/refund/common.h).

Every failing call raises a subclass of :class:`RefundError` carrying the
code, its symbolic name (``refund_error_name``) and the engine's detailed
message (``refund_engine_errmsg``, in the engine's language).

An exception raised inside a Python callback (clock, notifier, store) cannot
cross the C library.  It is kept, the callback returns an error code to the
library, and the kept exception is raised again once the C call returns, as
pygit2 does.  The slot is per thread: the library calls back on the thread
that called it.
"""
import threading

from . import _lib

__all__ = [
    "RefundError", "InvalidError", "NoMemoryError", "NotFoundError", "ExistsError",
    "StateError", "DeniedError", "ConflictError", "DeadlineError", "DuplicateError",
    "StoreError", "UserError", "CorruptError", "AmountOverflowError", "CurrencyError",
    "CalendarError", "NotSupportedError", "VersionError", "BusyError", "BalanceError",
    "ParseError", "RangeError", "EvidenceError", "ClosedError",
    "error_name", "strerror", "error_class",
]

OK = 0


class RefundError(Exception):
    """A librefund call failed.

    Attributes: ``code`` (the negative REFUND_E* value), ``name`` (such as
    "REFUND_EDENIED") and ``message`` (the engine's detailed message, or the
    static description of the code when no engine was involved).
    """
    code = None

    def __init__(self, message, code=None):
        if code is not None:
            self.code = code
        self.name = error_name(self.code)
        self.message = message
        super().__init__(f"{message} [{self.name}]")


class InvalidError(RefundError, ValueError):
    """REFUND_EINVAL: an argument is invalid."""
    code = -1


class NoMemoryError(RefundError, MemoryError):
    """REFUND_ENOMEM: an allocation failed; nothing was changed."""
    code = -2


class NotFoundError(RefundError, LookupError):
    """REFUND_ENOTFOUND: no such record."""
    code = -3


class ExistsError(RefundError):
    """REFUND_EEXISTS: a record with that id exists already."""
    code = -4


class StateError(RefundError):
    """REFUND_ESTATE: not allowed in the current state."""
    code = -5


class DeniedError(RefundError):
    """REFUND_EDENIED: the actor's role may not take this action."""
    code = -6


class ConflictError(RefundError):
    """REFUND_ECONFLICT: someone else changed the record first."""
    code = -7


class DeadlineError(RefundError):
    """REFUND_EDEADLINE: a deadline or application window has passed."""
    code = -8


class DuplicateError(RefundError):
    """REFUND_EDUPLICATE: a second open application, or a reused idempotency key."""
    code = -9


class StoreError(RefundError):
    """REFUND_ESTORE: the store failed; nothing was changed."""
    code = -10


class UserError(RefundError):
    """REFUND_EUSER: a host callback failed."""
    code = -11


class CorruptError(RefundError):
    """REFUND_ECORRUPT: stored or supplied bytes are malformed."""
    code = -12


class AmountOverflowError(RefundError, OverflowError):
    """REFUND_EOVERFLOW: an amount would overflow int64."""
    code = -13


class CurrencyError(RefundError):
    """REFUND_ECURRENCY: unknown currency, or currencies do not match."""
    code = -14


class CalendarError(RefundError):
    """REFUND_ECALENDAR: the calendar has no data for a date."""
    code = -15


class NotSupportedError(RefundError):
    """REFUND_ENOTSUP: the store does not provide an optional operation."""
    code = -16


class VersionError(RefundError):
    """REFUND_EVERSION: a versioned struct has an unknown version."""
    code = -17


class BusyError(RefundError):
    """REFUND_EBUSY: the store is busy; the call may be retried."""
    code = -18


class BalanceError(RefundError):
    """REFUND_EBALANCE: the ledger would not balance."""
    code = -19


class ParseError(RefundError):
    """REFUND_EPARSE: text could not be parsed."""
    code = -20


class RangeError(RefundError):
    """REFUND_ERANGE: an output buffer is too small."""
    code = -21


class EvidenceError(RefundError):
    """REFUND_EEVIDENCE: required evidence is missing."""
    code = -22


class ClosedError(ValueError):
    """The handle was closed (or its engine or store was): it can do nothing more."""


_BY_CODE = {cls.code: cls for cls in RefundError.__subclasses__()}


def error_class(code):
    """The exception class of a REFUND_E* code (RefundError for unknown codes)."""
    return _BY_CODE.get(code, RefundError)


def error_name(code):
    """``refund_error_name``: "REFUND_EINVAL" for -1, "REFUND_E?" if unknown."""
    if code is None:
        return "REFUND_E?"
    return _lib.lib.refund_error_name(int(code)).decode()


def strerror(code, lang=0):
    """``refund_strerror``: the static description of a code in a language."""
    return _lib.lib.refund_strerror(int(code), int(lang)).decode("utf-8")


def make_error(code, engine_ptr=None):
    """The exception for a failed call, with the engine's message if it has one."""
    message = ""
    if engine_ptr:
        message = _lib.lib.refund_engine_errmsg(engine_ptr).decode("utf-8", "replace")
    if not message:
        lang = _lib.lib.refund_engine_lang(engine_ptr) if engine_ptr else 0
        message = strerror(code, lang)
    cls = error_class(code)
    if cls is RefundError:
        return RefundError(message, code)
    return cls(message)

# ---- exceptions raised in callbacks ------------------------------------------

_pending = threading.local()


def keep(exc):
    """Called by a callback that caught ``exc``: keep the first one of the call."""
    if getattr(_pending, "exc", None) is None:
        _pending.exc = exc


def call(fn, *args, engine=None, check=True):
    """Call a C function; re-raise what a callback kept; raise on a negative int.

    ``engine`` is the engine pointer whose message describes a failure.
    With ``check`` False a negative return is returned, not raised.
    Returns what the function returned.
    """
    saved = getattr(_pending, "exc", None)
    _pending.exc = None
    try:
        rc = fn(*args)
    finally:
        kept = _pending.exc
        _pending.exc = saved
    if kept is not None:
        if isinstance(rc, int) and rc < 0:
            kept.add_note(f"librefund returned {error_name(rc)} after this "
                          "exception was raised in a callback")
        raise kept
    if check and isinstance(rc, int) and rc < 0:
        raise make_error(rc, engine)
    return rc
