"""Money: int minor units, parsed and formatted by the library."""
import pytest

import refund
from refund import money


@pytest.mark.parametrize("text,currency,amount", [
    ("500", "CNY", 50000), ("500.5", "CNY", 50050), ("500.50", "CNY", 50050),
    ("0.01", "CNY", 1), ("500", "JPY", 500), ("1.234", "KWD", 1234),
    ("92233720368547758.07", "CNY", 2 ** 63 - 1),
])
def test_parse(text, currency, amount):
    assert money.parse(text, currency) == amount


@pytest.mark.parametrize("amount,currency,text", [
    (50000, "CNY", "500.00"), (-1, "CNY", "-0.01"), (500, "JPY", "500"),
    (1234, "KWD", "1.234"), (-(2 ** 63), "CNY", "-92233720368547758.08"), (0, "USD", "0.00"),
])
def test_format(amount, currency, text):
    assert money.format(amount, currency) == text


@pytest.mark.parametrize("text", ["", " 1", "+1", "1,000.00", "1e3", "1.001", "-1", "-0",
                                  "abc", "1.", ".5", "５００"])
def test_parse_refuses(text):
    with pytest.raises(refund.ParseError):
        money.parse(text, "CNY")


def test_negative_needs_the_flag():
    assert money.parse("-1.50", "CNY", allow_negative=True) == -150


def test_overflow_and_currency_errors():
    with pytest.raises(refund.AmountOverflowError):
        money.parse("92233720368547758.08", "CNY")
    with pytest.raises(refund.CurrencyError):
        money.parse("1", "XXQ")
    with pytest.raises(refund.InvalidError):
        money.format(1, "cny")
    with pytest.raises(refund.CurrencyError):
        money.exponent("ABC")
    assert money.exponent("JPY") == 0 and money.exponent("CNY") == 2


def test_engine_currency_override(engine):
    engine.set_currency("JPY", 2)
    assert engine.currency_exponent("JPY") == 2
    assert engine.parse_money("5.25", "JPY") == 525
    assert engine.format_money(525, "JPY") == "5.25"
    assert money.exponent("JPY") == 0  # only that engine's
    engine.set_currency("ABC", 3)
    assert money.format(1500, "ABC", engine) == "1.500"
    with pytest.raises(refund.InvalidError):
        engine.set_currency("ABC", 9)
    with pytest.raises(refund.CurrencyError) as info:
        engine.parse_money("1", "QQQ")
    assert "QQQ" in info.value.message


def test_arithmetic_is_checked():
    assert money.add(1, 2) == 3 and money.sub(1, 2) == -1 and money.mul(-3, 4) == -12
    with pytest.raises(refund.AmountOverflowError):
        money.add(2 ** 63 - 1, 1)
    with pytest.raises(refund.AmountOverflowError):
        money.sub(-(2 ** 63), 1)
    with pytest.raises(refund.AmountOverflowError):
        money.mul(2 ** 62, 2)


def test_percent_rounds_half_to_even():
    assert money.percent(50000, 3000) == 15000
    assert money.percent(5, 1000) == 0    # 0.5 -> 0
    assert money.percent(15, 1000) == 2   # 1.5 -> 2
    assert money.percent(25, 1000) == 2   # 2.5 -> 2
    with pytest.raises(refund.InvalidError):
        money.percent(1, 1_000_001)


def test_allocate_sums_exactly():
    assert money.allocate(100, 3) == [34, 33, 33]
    assert money.allocate(100, weights=[1, 1, 2]) == [25, 25, 50]
    assert sum(money.allocate(32000, 3)) == 32000
    with pytest.raises(refund.InvalidError):
        money.allocate(100, 0)
    with pytest.raises(refund.InvalidError):
        money.allocate(-1, 2)
    with pytest.raises(refund.InvalidError):
        money.allocate(100, weights=[0, 0])
    with pytest.raises(ValueError):
        money.allocate(100, 2, weights=[1, 2, 3])
    with pytest.raises(TypeError):
        money.allocate(100)


def test_money_value():
    m = refund.Money.parse("490.00", "CNY")
    assert m == refund.Money(49000, "CNY")
    assert str(m) == "490.00 CNY" and m.format() == "490.00"
    with pytest.raises(TypeError):
        refund.Money(1.5, "CNY")


@pytest.mark.parametrize("bad,exc", [
    (1.5, TypeError), (True, TypeError), ("1", TypeError), (None, TypeError),
    (2 ** 63, OverflowError), (-(2 ** 63) - 1, OverflowError),
])
def test_wrong_amount_types(bad, exc):
    with pytest.raises(exc):
        money.format(bad, "CNY")


def test_wrong_text_types():
    with pytest.raises(TypeError):
        money.parse(500, "CNY")
    with pytest.raises(TypeError):
        money.parse(b"500", "CNY")
    with pytest.raises(ValueError):
        money.parse("5\x000", "CNY")  # would be "5" to C: refused, not truncated
    with pytest.raises(ValueError):
        money.parse("\udcff", "CNY")
