"""Calendars: business days, holidays, the text form, handing over to the engine."""
import pytest

import refund
from refund import time as rtime

from conftest import ADMIN

CST = 8 * 3600


def at(text):
    return rtime.parse(text)


def test_builtin_cn_knows_national_day(engine):
    with engine.builtin_calendar("CN") as cn:
        assert cn.name == "CN" and cn.utc_offset == CST
        assert not cn.is_business_day(at("2025-10-01T10:00+08:00"))
        assert cn.is_business_day(at("2025-09-28T10:00+08:00"))  # a make-up Sunday
        friday = at("2025-09-26T15:00+08:00")
        assert cn.add_business_days(friday, 1) == at("2025-09-28T15:00+08:00")
        assert cn.add_days(friday, 2) == friday + 2 * 86400
        assert cn.business_days_between(friday, at("2025-10-09T15:00+08:00")) == 4
        with pytest.raises(refund.CalendarError):
            cn.add_business_days(at("2026-12-30T10:00+08:00"), 5)


def test_new_calendar_with_holidays(engine):
    with engine.new_calendar("SHOP", -5 * 3600, ["sun"]) as cal:
        assert cal.utc_offset == -5 * 3600
        saturday = at("2025-06-07T12:00-05:00")
        assert cal.is_business_day(saturday)
        cal.add_holiday(2025, 6, 9)
        assert cal.add_business_days(saturday, 1) == at("2025-06-10T12:00-05:00")
        cal.add_workday(2025, 6, 8)
        assert cal.add_business_days(saturday, 1) == at("2025-06-08T12:00-05:00")
        with pytest.raises(refund.InvalidError):
            cal.add_holiday(2025, 6, 8)
        cal.set_years(2025, 2025)
        with pytest.raises(refund.CalendarError):
            cal.is_business_day(at("2026-01-05T12:00Z"))
        with pytest.raises(refund.InvalidError):
            cal.set_years(2026, 2025)
    with pytest.raises(refund.InvalidError):
        engine.new_calendar("ALL", 0, range(7))
    with pytest.raises(ValueError):
        engine.new_calendar("X", 0, ["caturday"])


def test_parse_and_give_to_the_engine(engine):
    text = ("name BANK\noffset +08:00\nweekend sat sun\nyears 2025 2026\n"
            "holiday 2025-10-01 2025-10-08\nworkday 2025-09-28\n")
    cal = engine.parse_calendar(text)
    assert cal.name == "BANK"
    engine.add_calendar(cal)
    assert cal.closed
    with pytest.raises(refund.ClosedError, match="given to its engine"):
        cal.is_business_day(0)
    cal.close()  # harmless: the engine owns it now
    with engine.new_policy("P-1", "CNY") as p:
        p.set_deadline("under_review", 3, "business_days", "BANK", "escalate")
        p.publish(ADMIN)
    with pytest.raises(refund.ParseError) as info:
        engine.parse_calendar("name X\noffset +08:00\nholiday 2025-02-30\n")
    assert "line 3" in info.value.message


def test_a_calendar_of_another_engine_is_refused(engine, store):
    other = refund.Engine(store)
    cal = other.builtin_calendar("WEEKEND")
    with pytest.raises(refund.InvalidError):
        engine.add_calendar(cal)
    assert not cal.closed  # still the caller's
    other.close()
    assert cal.closed


def test_unknown_builtin(engine):
    with pytest.raises(refund.NotFoundError):
        engine.builtin_calendar("MARS")
