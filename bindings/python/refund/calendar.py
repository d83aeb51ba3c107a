"""Calendars (include/refund/calendar.h): business days, holidays, make-up days.

A Calendar belongs to the Python object until it is given to its engine
with ``Engine.add_calendar``; from then on the engine owns it and the
Python object is spent.
"""
import ctypes

from . import _lib
from ._convert import INT32, cint, cstr, from_c, text_bytes, time_value
from ._handle import Handle

__all__ = ["Calendar", "WEEKDAYS", "weekend_mask"]

WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def weekend_mask(days):
    """REFUND_WEEKDAY_BIT mask from day names ("sat", "sun") or numbers (0 = Sunday)."""
    if isinstance(days, int) and not isinstance(days, bool):
        return cint(days, "weekend mask", (0, 127))
    mask = 0
    for day in days:
        if isinstance(day, str):
            try:
                day = WEEKDAYS.index(day.lower()[:3])
            except ValueError:
                raise ValueError(f"unknown weekday {day!r}") from None
        mask |= 1 << cint(day, "weekday", (0, 6))
    return mask


class Calendar(Handle):
    """A calendar handle (refund_calendar)."""

    _free = staticmethod(_lib.lib.refund_calendar_free)

    @classmethod
    def new(cls, engine, name, utc_offset=0, weekend=("sat", "sun")):
        """``refund_calendar_new``: only the weekend off, every year covered."""
        out = _lib.calendar_p()
        engine._call(_lib.lib.refund_calendar_new, ctypes.byref(out), cstr(name, "name"),
                     cint(utc_offset, "utc_offset", INT32), weekend_mask(weekend))
        return cls(engine, out)

    @classmethod
    def builtin(cls, engine, name):
        """``refund_calendar_builtin``: a copy of "CN" or "WEEKEND"."""
        out = _lib.calendar_p()
        engine._call(_lib.lib.refund_calendar_builtin, ctypes.byref(out), cstr(name, "name"))
        return cls(engine, out)

    @classmethod
    def parse(cls, engine, text):
        """``refund_calendar_parse``: a calendar from its text form."""
        data = text_bytes(text, "calendar text")
        out = _lib.calendar_p()
        engine._call(_lib.lib.refund_calendar_parse, ctypes.byref(out), data, len(data))
        return cls(engine, out)

    def __repr__(self):
        if self.closed:
            return "<Calendar (closed)>"
        return f"<Calendar {self.name}>"

    name = property(lambda self: from_c(self._get(_lib.lib.refund_calendar_name)))
    utc_offset = property(lambda self: self._get(_lib.lib.refund_calendar_utc_offset))

    def set_years(self, first_year, last_year):
        self._call(_lib.lib.refund_calendar_set_years, cint(first_year, "first_year", INT32),
                   cint(last_year, "last_year", INT32))

    def add_holiday(self, year, month, day):
        self._call(_lib.lib.refund_calendar_add_holiday, cint(year, "year", INT32),
                   cint(month, "month", INT32), cint(day, "day", INT32))

    def add_workday(self, year, month, day):
        self._call(_lib.lib.refund_calendar_add_workday, cint(year, "year", INT32),
                   cint(month, "month", INT32), cint(day, "day", INT32))

    def is_business_day(self, t):
        out = ctypes.c_int()
        self._call(_lib.lib.refund_calendar_is_business_day, time_value(t, "time"),
                   ctypes.byref(out))
        return bool(out.value)

    def add_days(self, t, days):
        out = ctypes.c_int64()
        self._call(_lib.lib.refund_calendar_add_days, time_value(t, "time"),
                   cint(days, "days", INT32), ctypes.byref(out))
        return out.value

    def add_business_days(self, t, days):
        out = ctypes.c_int64()
        self._call(_lib.lib.refund_calendar_add_business_days, time_value(t, "time"),
                   cint(days, "days", INT32), ctypes.byref(out))
        return out.value

    def business_days_between(self, start, end):
        out = ctypes.c_int32()
        self._call(_lib.lib.refund_calendar_business_days_between, time_value(start, "from"),
                   time_value(end, "to"), ctypes.byref(out))
        return out.value

    def _give_to(self, engine):
        engine._call(_lib.lib.refund_engine_add_calendar, self._ptr())
        # The engine owns the calendar now: forget it without freeing.
        cell = self._cell
        cell.ptr = None
        cell.reason = "given to its engine"
        owner = engine._owner_or_none()
        if owner is not None:
            owner.cells.discard(cell)
