"""Money (include/refund/money.h): int minor units beside a currency code.

Amounts are ``int`` counts of the currency's minor units (fen for CNY),
never floats.  Parsing and formatting go through the library, so Python
reads and writes exactly what C does; arithmetic is checked for int64
overflow by the library too.
"""
import ctypes
from dataclasses import dataclass

from . import _lib, errors
from ._convert import INT64, cint, cstr

__all__ = ["Money", "parse", "format", "exponent", "add", "sub", "mul", "percent",
           "allocate", "BP_WHOLE"]

BP_WHOLE = 10000
FORMAT_MAX = 32
ALLOW_NEGATIVE = 1


def _engine_ptr(engine):
    if engine is None:
        return None
    return engine._ptr()


def parse(text, currency, engine=None, allow_negative=False):
    """``refund_money_parse``: "500.00", "CNY" -> 50000.

    ``engine`` supplies currency overrides and the error message.  Raises
    ParseError for malformed text (spaces, '+', grouping, too many
    decimals), CurrencyError for an unknown currency, AmountOverflowError.
    """
    out = ctypes.c_int64()
    ptr = _engine_ptr(engine)
    errors.call(_lib.lib.refund_money_parse, ptr, cstr(currency, "currency"),
                cstr(text, "amount text"), ALLOW_NEGATIVE if allow_negative else 0,
                ctypes.byref(out), engine=ptr)
    return out.value


def format(amount, currency, engine=None):  # noqa: A001 - mirrors refund_money_format
    """``refund_money_format``: 50000, "CNY" -> "500.00"; 500, "JPY" -> "500"."""
    buf = ctypes.create_string_buffer(FORMAT_MAX)
    ptr = _engine_ptr(engine)
    errors.call(_lib.lib.refund_money_format, ptr, cstr(currency, "currency"),
                cint(amount, "amount"), buf, FORMAT_MAX, engine=ptr)
    return buf.value.decode("ascii")


def exponent(currency, engine=None):
    """``refund_currency_exponent``: the minor-unit digits of a currency."""
    out = ctypes.c_int()
    ptr = _engine_ptr(engine)
    errors.call(_lib.lib.refund_currency_exponent, ptr, cstr(currency, "currency"),
                ctypes.byref(out), engine=ptr)
    return out.value


def _binary(fn, a, b, what):
    out = ctypes.c_int64()
    errors.call(fn, cint(a, "a"), cint(b, what), ctypes.byref(out))
    return out.value


def add(a, b):
    """``refund_money_add``: a + b, or AmountOverflowError."""
    return _binary(_lib.lib.refund_money_add, a, b, "b")


def sub(a, b):
    """``refund_money_sub``: a - b, or AmountOverflowError."""
    return _binary(_lib.lib.refund_money_sub, a, b, "b")


def mul(a, n):
    """``refund_money_mul``: a * n, or AmountOverflowError."""
    return _binary(_lib.lib.refund_money_mul, a, n, "n")


def percent(amount, bp):
    """``refund_money_percent``: amount * bp / 10000, rounded half to even."""
    return _binary(_lib.lib.refund_money_percent, amount, bp, "bp")


def allocate(total, n=None, weights=None):
    """``refund_money_allocate``: split ``total`` into parts summing to it.

    Give ``n`` for equal parts or ``weights`` for proportional ones.
    """
    if weights is not None:
        weights = [cint(w, "weight") for w in weights]
        if n is not None and n != len(weights):
            raise ValueError("n and len(weights) differ")
        n = len(weights)
    if n is None:
        raise TypeError("allocate() needs n or weights")
    n = cint(n, "n", (0, 2 ** 32))
    parts = (ctypes.c_int64 * max(n, 1))()
    wbuf = (ctypes.c_int64 * len(weights))(*weights) if weights else None
    errors.call(_lib.lib.refund_money_allocate, cint(total, "total"), wbuf, n, parts)
    return list(parts[:n])


@dataclass(frozen=True)
class Money:
    """An amount in minor units with its currency; ``str()`` formats it."""
    amount: int
    currency: str

    def __post_init__(self):
        cint(self.amount, "amount", INT64)
        cstr(self.currency, "currency")

    @classmethod
    def parse(cls, text, currency, engine=None, allow_negative=False):
        return cls(parse(text, currency, engine, allow_negative), currency)

    def format(self, engine=None):
        return format(self.amount, self.currency, engine)

    def __str__(self):
        return f"{self.format()} {self.currency}"
