"""Times (include/refund/time.h): int seconds since 1970-01-01T00:00:00Z.

Every time in the binding is an ``int`` of seconds UTC, as in the C API.
These helpers convert to and from ISO 8601 text through the library (so
Python and C accept exactly the same texts) and to and from aware
``datetime`` objects in UTC.
"""
import ctypes
import datetime as _dt

from . import _lib, errors
from ._convert import INT32, cint, cstr

__all__ = ["TIME_NONE", "TIME_MIN", "TIME_MAX", "parse", "format", "from_date",
           "to_date", "to_datetime", "from_datetime", "now"]

TIME_NONE = _lib.TIME_NONE
TIME_MIN = _lib.TIME_MIN
TIME_MAX = _lib.TIME_MAX
FORMAT_MAX = 32
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def parse(text):
    """``refund_time_parse``: "2025-06-03T09:00:00+08:00" -> seconds UTC.

    Raises ParseError for malformed text, a time without an offset or one
    outside 1970..9999.
    """
    out = ctypes.c_int64()
    errors.call(_lib.lib.refund_time_parse, cstr(text, "time text"), ctypes.byref(out))
    return out.value


def format(t, utc_offset=0):  # noqa: A001 - mirrors refund_time_format
    """``refund_time_format``: seconds UTC -> ISO 8601 in ``utc_offset`` seconds
    east of UTC (``int`` or ``datetime.timedelta``)."""
    if isinstance(utc_offset, _dt.timedelta):
        utc_offset = int(utc_offset.total_seconds())
    buf = ctypes.create_string_buffer(FORMAT_MAX)
    errors.call(_lib.lib.refund_time_format, cint(t, "time"),
                cint(utc_offset, "utc_offset", INT32), buf, FORMAT_MAX)
    return buf.value.decode("ascii")


def from_date(year, month, day):
    """``refund_time_from_date``: midnight UTC starting a civil date."""
    out = ctypes.c_int64()
    errors.call(_lib.lib.refund_time_from_date, cint(year, "year", INT32),
                cint(month, "month", INT32), cint(day, "day", INT32), ctypes.byref(out))
    return out.value


def to_date(t, utc_offset=0):
    """``refund_time_to_date``: (year, month, day, weekday 0=Sunday) in the offset."""
    y, m, d, w = (ctypes.c_int() for _ in range(4))
    errors.call(_lib.lib.refund_time_to_date, cint(t, "time"),
                cint(utc_offset, "utc_offset", INT32), ctypes.byref(y), ctypes.byref(m),
                ctypes.byref(d), ctypes.byref(w))
    return y.value, m.value, d.value, w.value


def to_datetime(t):
    """Seconds UTC -> an aware ``datetime`` in UTC (None for TIME_NONE)."""
    if t is None or t == TIME_NONE:
        return None
    t = cint(t, "time")
    if not TIME_MIN <= t <= TIME_MAX:
        raise ValueError(f"time {t} is outside years 1970 to 9999")
    return _EPOCH + _dt.timedelta(seconds=t)


def from_datetime(value):
    """An aware ``datetime`` -> seconds UTC (fractions of a second dropped).

    A naive datetime is refused: the library never guesses a time zone.
    """
    if not isinstance(value, _dt.datetime):
        raise TypeError(f"expected a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a naive datetime is ambiguous: give it a tzinfo")
    delta = value - _EPOCH
    return delta.days * 86400 + delta.seconds


def now():
    """The system's current time in seconds UTC."""
    return from_datetime(_dt.datetime.now(_dt.timezone.utc))
