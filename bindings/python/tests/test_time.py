"""Times: int seconds UTC; ISO 8601 through the library; aware datetimes."""
import datetime as dt

import pytest

import refund
from refund import time as rtime

UTC = dt.timezone.utc
CST = dt.timezone(dt.timedelta(hours=8))


def test_parse_forms():
    t = rtime.parse("2025-06-03T09:00:00+08:00")
    assert t == 1748912400
    assert rtime.parse("2025-06-03T01:00:00Z") == t
    assert rtime.parse("2025-06-03 09:00+08:00") == t
    assert rtime.parse("2025-06-03") == rtime.from_date(2025, 6, 3)


@pytest.mark.parametrize("text", ["2025-06-03T09:00:00", "2025-02-30", "2025-06-03T24:00Z",
                                  "1969-12-31T23:59:59Z", "10000-01-01", "", "tomorrow"])
def test_parse_refuses(text):
    with pytest.raises(refund.ParseError):
        rtime.parse(text)


def test_format_in_offsets():
    t = 1748912400
    assert rtime.format(t) == "2025-06-03T01:00:00Z"
    assert rtime.format(t, 8 * 3600) == "2025-06-03T09:00:00+08:00"
    assert rtime.format(t, dt.timedelta(hours=-5, minutes=-30)) == "2025-06-02T19:30:00-05:30"
    with pytest.raises(refund.InvalidError):
        rtime.format(-1)
    with pytest.raises(refund.InvalidError):
        rtime.format(t, 86400)


def test_dates():
    t = rtime.from_date(2025, 10, 1)
    assert rtime.to_date(t) == (2025, 10, 1, 3)  # a Wednesday
    assert rtime.to_date(t - 1, 8 * 3600) == (2025, 10, 1, 3)
    with pytest.raises(refund.InvalidError):
        rtime.from_date(2025, 2, 29)


def test_datetimes_are_aware_utc():
    t = rtime.parse("2025-06-03T09:00:00+08:00")
    d = rtime.to_datetime(t)
    assert d == dt.datetime(2025, 6, 3, 1, tzinfo=UTC) and d.tzinfo is UTC
    assert rtime.from_datetime(dt.datetime(2025, 6, 3, 9, tzinfo=CST)) == t
    assert rtime.from_datetime(dt.datetime(2025, 6, 3, 9, 0, 0, 999999, tzinfo=CST)) == t
    assert rtime.to_datetime(rtime.TIME_NONE) is None
    with pytest.raises(ValueError):
        rtime.from_datetime(dt.datetime(2025, 6, 3, 9))
    with pytest.raises(TypeError):
        rtime.from_datetime("2025-06-03")
    with pytest.raises(ValueError):
        rtime.to_datetime(rtime.TIME_MAX + 1)


def test_round_trip_across_the_range():
    for t in (rtime.TIME_MIN, 951782400, 1748912400, rtime.TIME_MAX):
        assert rtime.parse(rtime.format(t)) == t
        assert rtime.from_datetime(rtime.to_datetime(t)) == t


def test_wrong_types():
    with pytest.raises(TypeError):
        rtime.parse(1748912400)
    with pytest.raises(TypeError):
        rtime.format("2025-06-03")
    with pytest.raises(TypeError):
        rtime.format(1.5)
    with pytest.raises(OverflowError):
        rtime.format(2 ** 64)


def test_now_is_plausible():
    assert rtime.parse("2024-01-01") < rtime.now() < rtime.TIME_MAX
