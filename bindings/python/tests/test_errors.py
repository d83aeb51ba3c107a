"""One exception class per REFUND_E* code, with the engine's message."""
import pytest

import refund
from refund import errors

CODES = range(-1, -23, -1)


@pytest.mark.parametrize("code", CODES)
def test_each_code_has_its_class_and_name(code):
    cls = errors.error_class(code)
    assert cls is not refund.RefundError
    assert cls.code == code
    exc = errors.make_error(code)
    assert type(exc) is cls
    assert exc.code == code
    assert exc.name == refund.errors.error_name(code)
    assert exc.name.startswith("REFUND_E")
    # Without an engine the message is the static description.
    assert exc.message == errors.strerror(code)
    assert exc.name in str(exc)
    assert isinstance(exc, refund.RefundError)


def test_class_names_follow_the_codes():
    expected = {
        "REFUND_EINVAL": refund.InvalidError, "REFUND_ENOMEM": refund.NoMemoryError,
        "REFUND_ENOTFOUND": refund.NotFoundError, "REFUND_EEXISTS": refund.ExistsError,
        "REFUND_ESTATE": refund.StateError, "REFUND_EDENIED": refund.DeniedError,
        "REFUND_ECONFLICT": refund.ConflictError, "REFUND_EDEADLINE": refund.DeadlineError,
        "REFUND_EDUPLICATE": refund.DuplicateError, "REFUND_ESTORE": refund.StoreError,
        "REFUND_EUSER": refund.UserError, "REFUND_ECORRUPT": refund.CorruptError,
        "REFUND_EOVERFLOW": refund.AmountOverflowError,
        "REFUND_ECURRENCY": refund.CurrencyError, "REFUND_ECALENDAR": refund.CalendarError,
        "REFUND_ENOTSUP": refund.NotSupportedError, "REFUND_EVERSION": refund.VersionError,
        "REFUND_EBUSY": refund.BusyError, "REFUND_EBALANCE": refund.BalanceError,
        "REFUND_EPARSE": refund.ParseError, "REFUND_ERANGE": refund.RangeError,
        "REFUND_EEVIDENCE": refund.EvidenceError,
    }
    for name, cls in expected.items():
        assert errors.error_name(cls.code) == name


def test_python_bases_where_they_fit():
    assert issubclass(refund.InvalidError, ValueError)
    assert issubclass(refund.NotFoundError, LookupError)
    assert issubclass(refund.NoMemoryError, MemoryError)
    assert issubclass(refund.AmountOverflowError, OverflowError)
    assert issubclass(refund.ClosedError, ValueError)
    assert not issubclass(refund.ClosedError, refund.RefundError)


def test_unknown_code_gives_the_base_class():
    exc = errors.make_error(-99)
    assert type(exc) is refund.RefundError
    assert exc.code == -99
    assert exc.name == "REFUND_E?"
    assert errors.error_name(0) == "REFUND_OK"


def test_strerror_in_both_languages():
    en = errors.strerror(refund.DeniedError.code, refund.Lang.EN)
    zh = errors.strerror(refund.DeniedError.code, refund.Lang.ZH_CN)
    assert en and zh and en != zh
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)


def test_engine_message_is_carried(published):
    w = published
    w.deposit()
    c = w.open_case()
    with pytest.raises(refund.DeniedError) as info:
        c.attach("rev-1:reviewer", "receipt", "r.pdf")
    exc = info.value
    assert exc.code == -6 and exc.name == "REFUND_EDENIED"
    assert exc.message == w.engine.errmsg
    assert "reviewer" in exc.message
    assert str(exc) == f"{exc.message} [REFUND_EDENIED]"


def test_engine_message_in_chinese(published):
    w = published
    w.deposit()
    w.engine.lang = "zh-CN"
    c = w.open_case()
    with pytest.raises(refund.DeniedError) as info:
        c.attach("rev-1:reviewer", "receipt", "r.pdf")
    msg = info.value.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in msg), msg
    msg.encode("utf-8")  # decoded, printable UTF-8
    with pytest.raises(refund.ParseError) as info:
        w.engine.parse_policy("policy X\ncurrency CNY\nwindow 5 dayz after payment\n")
    assert "第 3 行" in info.value.message


def test_errors_leave_no_message_behind_for_success(engine):
    with pytest.raises(refund.NotFoundError):
        engine.load_case("nope")
    assert "nope" in engine.errmsg
