"""Policies: setters, publication, versions, the text form."""
import pytest

import refund
from refund import Consequence, DayUnit, Party, State

from conftest import ADMIN, POLICY_TEXT


def test_draft_with_setters_publishes_and_formats(engine):
    with engine.new_policy("P-1", "CNY") as p:
        assert (p.id, p.version, p.currency, p.published) == ("P-1", 0, "CNY", False)
        p.set_window("payment", 365)
        p.add_tier(0, 0, 5000)
        p.add_tier(90, 1_000_000, 10000)
        p.set_common_evidence(["receipt", refund.Evidence.CONTRACT])
        p.set_reason_evidence("fraud", ["police_report", "other"])
        p.set_return_required(False)
        p.set_grade_deduction("damaged", 2500)
        p.set_missing_part_deduction(1000)
        p.set_fee(500, 100, 500, 2000)
        p.set_offsets(True)
        p.set_installments(3, 1)
        p.set_deadline(State.UNDER_REVIEW, 5, DayUnit.BUSINESS_DAYS, "CN",
                       Consequence.ESCALATE, [86400])
        p.set_deadline("paid", 15, "calendar_days", "WEEKEND", "close")
        p.set_four_eyes(30000)
        p.set_escalation(Party.REGULATOR | Party.LEGAL)
        text = p.format()
        assert p.publish(ADMIN) == 1
        assert p.published and repr(p) == "<Policy P-1 version 1 CNY>"
        assert p.format() == text
    for line in ("window 365 days after payment", "tier 0 days -> 50%",
                 "tier 90 days 10000.00 volume -> 100%", "evidence all: receipt contract",
                 "evidence fraud: police_report other", "return not_required",
                 "deduct damaged 25%", "deduct missing_part 10.00",
                 "fee 5.00 + 1% min 5.00 max 20.00", "offsets allowed",
                 "installments 3 every 1 month",
                 "deadline under_review 5 business days in CN then escalate remind 1 day before",
                 "deadline paid 15 days in WEEKEND then close", "four_eyes above 300.00",
                 "escalate to regulator legal"):
        assert line in text.splitlines(), line


def test_parse_and_format_round_trip(engine):
    with engine.parse_policy(POLICY_TEXT) as p:
        canonical = p.format()
    with engine.parse_policy(canonical.encode("utf-8")) as again:
        assert again.format() == canonical


def test_published_policy_is_immutable(engine):
    with engine.parse_policy(POLICY_TEXT) as p:
        p.publish(ADMIN)
        with pytest.raises(refund.StateError):
            p.set_offsets(False)
        with pytest.raises(refund.StateError):
            p.publish(ADMIN)


def test_versions_and_loading(engine):
    for _ in range(2):
        with engine.parse_policy(POLICY_TEXT) as p:
            p.publish(ADMIN)
    with engine.load_policy("POS-T") as latest:
        assert latest.version == 2
    with engine.load_policy("POS-T", 1) as first:
        assert first.version == 1
    with pytest.raises(refund.NotFoundError):
        engine.load_policy("POS-T", 3)
    with pytest.raises(refund.NotFoundError):
        engine.load_policy("nope")


def test_setter_errors(engine):
    with engine.new_policy("P-1", "CNY") as p:
        with pytest.raises(refund.InvalidError):
            p.set_window("payment", 0)
        with pytest.raises(refund.InvalidError):
            p.add_tier(0, 0, 10001)
        with pytest.raises(refund.InvalidError):
            p.set_grade_deduction("fine", 100)
        with pytest.raises(refund.InvalidError):
            p.set_installments(25, 1)
        with pytest.raises(refund.NotFoundError):
            p.set_deadline("draft", 5, "calendar_days", "MARS", "expire")
        with pytest.raises(refund.InvalidError):
            p.set_deadline("closed", 5, "calendar_days", "CN", "expire")
        with pytest.raises(refund.InvalidError):
            p.set_deadline("draft", 5, "calendar_days", "CN", "approve")
        with pytest.raises(refund.InvalidError):
            p.set_fee(0, 0, 500, 100)
        with pytest.raises(refund.DeniedError):
            p.publish("rev-1:reviewer")
        assert p.version == 0


def test_wrong_types_and_names(engine):
    with engine.new_policy("P-1", "CNY") as p:
        with pytest.raises(ValueError, match="unknown window anchor"):
            p.set_window("contract", 5)
        with pytest.raises(TypeError):
            p.set_window(refund.Grade.DAMAGED, 5)  # another enum
        with pytest.raises(TypeError):
            p.set_return_required(1)
        with pytest.raises(TypeError):
            p.add_tier(0, 0, 50.0)
        with pytest.raises(OverflowError):
            p.add_tier(0, 0, 2 ** 31)
        with pytest.raises(ValueError):
            p.set_common_evidence(["receipt", "selfie"])
    with pytest.raises(refund.InvalidError):
        engine.new_policy("has space", "CNY")
    with pytest.raises(refund.CurrencyError):
        engine.new_policy("P-2", "XYZ")
    with pytest.raises(TypeError):
        engine.parse_policy(None)


def test_parse_errors_name_line_and_column(engine):
    text = "policy P\ncurrency CNY\nwindow 5 dayz after payment\n"
    with pytest.raises(refund.ParseError) as info:
        engine.parse_policy(text)
    assert info.value.message.startswith("line 3, column 10:")
    with pytest.raises(refund.CurrencyError):
        engine.parse_policy("policy P\ncurrency XYZ\n")
    with pytest.raises(refund.NotFoundError):
        engine.parse_policy("policy P\ncurrency CNY\n"
                            "deadline draft 5 days in MARS then expire\n")
    with pytest.raises(refund.ParseError):
        engine.parse_policy(b"policy P\ncurrency CNY\n\xff\n")
    with pytest.raises(refund.InvalidError):
        engine.parse_policy(b"#" * (1 << 20 | 1))


def test_chinese_comments_and_ids(engine):
    text = "# 押金退款政策\npolicy \"#P-1\"\ncurrency CNY  # 人民币\n"
    with engine.parse_policy(text) as p:
        assert p.id == "#P-1" and p.currency == "CNY"
    with pytest.raises(refund.ParseError) as info:
        engine.parse_policy("policy 政策\ncurrency CNY\n")
    assert info.value.message.startswith("line 1, column 8:")


def test_closed_policy(engine):
    p = engine.new_policy("P-1", "CNY")
    p.close()
    p.close()
    assert repr(p) == "<Policy (closed)>"
    with pytest.raises(refund.ClosedError):
        p.format()
