"""Checking and converting Python arguments before they reach C.

ctypes truncates a string at its first NUL and wraps integers that do not
fit; these helpers refuse both with a Python error instead, and turn the
binding's convenient forms (enum names, datetimes, "actor:role") into what
the C API takes.
"""
import datetime as _dt
import enum

from . import _lib

INT32 = (-(2 ** 31), 2 ** 31 - 1)
UINT32 = (0, 2 ** 32 - 1)
INT64 = (-(2 ** 63), 2 ** 63 - 1)
UINT64 = (0, 2 ** 64 - 1)
SIZE = (0, 2 ** 64 - 1)


def cstr(value, what, optional=False):
    """A str as NUL-terminated UTF-8 bytes; None only if optional."""
    if value is None:
        if optional:
            return None
        raise TypeError(f"{what} must be a str, not None")
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise ValueError(f"{what} must not contain NUL characters")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{what} is not encodable as UTF-8: {exc}") from None


def text_bytes(value, what):
    """Text given as str (encoded UTF-8) or bytes (as is), for the parsers."""
    if isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"{what} is not encodable as UTF-8: {exc}") from None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")


def from_c(value):
    """A C string (bytes or None) as str or None."""
    if value is None:
        return None
    return value.decode("utf-8", "replace")


def cint(value, what, bounds=INT64):
    """An int (not a bool) within bounds."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    low, high = bounds
    if not low <= value <= high:
        raise OverflowError(f"{what} {value} is out of range {low}..{high}")
    return int(value)


def cbool(value, what):
    if not isinstance(value, bool):
        raise TypeError(f"{what} must be a bool, not {type(value).__name__}")
    return 1 if value else 0


def enum_value(cls, value, what):
    """An enum member given as the member, its int value or its snake_case name."""
    if isinstance(value, cls):
        return int(value)
    if isinstance(value, str):
        try:
            return int(cls[value.upper()])
        except KeyError:
            names = ", ".join(m.name.lower() for m in cls)
            raise ValueError(f"unknown {what} {value!r} (one of: {names})") from None
    if isinstance(value, enum.Enum) or isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be a {cls.__name__}, its int value or its name, "
                        f"not {type(value).__name__}")
    return cint(value, what, INT32)


def flags_value(cls, value, what):
    """A flag mask given as a flag, an int, a name or an iterable of these."""
    if isinstance(value, (cls, int, str)) and not isinstance(value, bool):
        if isinstance(value, str):
            return enum_value(cls, value, what)
        return cint(int(value), what, UINT32)
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"{what} must be a {cls.__name__} mask or an iterable of them, "
                        f"not {type(value).__name__}") from None
    mask = 0
    for item in items:
        mask |= enum_value(cls, item, what)
    return mask


def as_enum(cls, value):
    """A C int as the enum member, or the int itself if the enum lacks it."""
    try:
        return cls(value)
    except ValueError:
        return value


def time_value(value, what, optional=False):
    """A time as seconds UTC: an int, an aware datetime, or ISO 8601 text."""
    from . import time as _time
    if value is None:
        if optional:
            return _lib.TIME_NONE
        raise TypeError(f"{what} must be a time, not None")
    if isinstance(value, _dt.datetime):
        return _time.from_datetime(value)
    if isinstance(value, str):
        return _time.parse(value)
    return cint(value, what)


def time_or_none(value):
    """A C time as int, or None for REFUND_TIME_NONE."""
    return None if value == _lib.TIME_NONE else value
