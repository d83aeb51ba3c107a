"""Deposits: creation, fields, the ledger, usage, listings, errors."""
import pytest

import refund
from refund import Balance, EntryKind, Role

from conftest import AGENT, T0


def test_create_and_read_fields(published):
    w = published
    with w.deposit(days=0, volume=0) as dep:
        assert repr(dep) == "<Deposit D-1 CNY version 1>"
        assert (dep.id, dep.holder, dep.agent, dep.terminal_serial) == \
            ("D-1", "M-1001", "agent-7", "SN-0001")
        assert (dep.contract_id, dep.receipt, dep.currency) == ("C-1", "R-0001", "CNY")
        assert dep.paid_at == refund.time.parse("2024-06-03T10:00:00+08:00")
        assert dep.contract_end == refund.time.parse("2025-06-01T00:00:00+08:00")
        assert (dep.days_in_service, dep.transaction_volume, dep.version) == (0, 0, 1)
        assert dep.open_case is None
        assert dep.balance() == Balance(50000, 0, 0, 50000)
        [hold] = dep.entries()
        assert (hold.seq, hold.kind, hold.amount, hold.at, hold.actor, hold.role) == \
            (1, EntryKind.HOLD, 50000, T0, "agent-7", Role.AGENT)
        assert hold.reference == "R-0001" and hold.case_id is None


def test_optional_fields_absent(engine):
    with engine.create_deposit("D-2", holder="M", agent="A", terminal_serial="S",
                               amount=1, currency="JPY", paid_at=T0, actor=AGENT) as dep:
        assert dep.contract_id is None and dep.receipt is None and dep.contract_end is None
        assert refund.money.format(dep.balance().held, dep.currency) == "1"


def test_usage_and_posting(published):
    w = published
    dep = w.deposit(days=0, volume=0)
    dep.set_usage(120, 1_000_000, AGENT)
    assert (dep.days_in_service, dep.transaction_volume, dep.version) == (120, 1_000_000, 2)
    dep.post("damage", 1500, "fin-1:finance", "INSPECT-7")
    dep.post(EntryKind.FORFEIT, 500, refund.Act("admin-1", Role.ADMIN))
    assert dep.balance() == Balance(50000, 0, 2000, 48000)
    entries = dep.entries()
    assert [e.kind for e in entries] == [EntryKind.HOLD, EntryKind.DAMAGE, EntryKind.FORFEIT]
    assert entries[1].reference == "INSPECT-7" and entries[1].role is Role.FINANCE
    with pytest.raises(refund.NotFoundError):
        dep.entry(3)
    with dep.reload() as again:
        assert again.balance() == dep.balance() and again.version == dep.version == 4


def test_ledger_errors_change_nothing(published):
    w = published
    dep = w.deposit(days=0, volume=0)
    with pytest.raises(refund.BalanceError, match="exceeds|remaining"):
        dep.post("refund", 50001, "fin-1:finance")
    with pytest.raises(refund.DeniedError):
        dep.post("refund", 100, AGENT)
    with pytest.raises(refund.InvalidError):
        dep.post("hold", 100, "fin-1:finance")
    with pytest.raises(refund.InvalidError):
        dep.set_usage(-1, 0, AGENT)
    with pytest.raises(refund.DeniedError):
        dep.set_usage(1, 0, "M-1001:applicant")
    assert dep.version == 1 and dep.balance() == Balance(50000, 0, 0, 50000)


def test_an_open_case_blocks_postings(published):
    w = published
    dep = w.deposit()
    w.open_case().close()
    with dep.reload() as fresh:
        assert fresh.open_case == "K-1"
        with pytest.raises(refund.StateError):
            fresh.post("refund", 100, "fin-1:finance")


def test_stale_handle_conflicts(published):
    w = published
    first = w.deposit(days=0, volume=0)
    second = w.engine.load_deposit("D-1")
    first.set_usage(10, 0, AGENT)
    with pytest.raises(refund.ConflictError):
        second.set_usage(20, 0, AGENT)
    assert second.days_in_service == 0  # the failed change left the handle alone
    with second.reload() as fresh:
        assert fresh.days_in_service == 10


def test_create_errors(engine):
    kwargs = dict(holder="M", agent="A", terminal_serial="S", amount=100, currency="CNY",
                  paid_at=T0, actor=AGENT)
    engine.create_deposit("D-1", **kwargs).close()
    with pytest.raises(refund.ExistsError):
        engine.create_deposit("D-1", **kwargs)
    with pytest.raises(refund.InvalidError):
        engine.create_deposit("D-2", **dict(kwargs, amount=0))
    with pytest.raises(refund.CurrencyError):
        engine.create_deposit("D-2", **dict(kwargs, currency="XYZ"))
    with pytest.raises(refund.DeniedError):
        engine.create_deposit("D-2", **dict(kwargs, actor="M:applicant"))
    with pytest.raises(refund.InvalidError):
        engine.create_deposit("D 2", **kwargs)
    with pytest.raises(refund.InvalidError):
        engine.create_deposit("D-" + "x" * 70, **kwargs)
    with pytest.raises(refund.NotFoundError):
        engine.load_deposit("D-2")


def test_wrong_types(engine):
    kwargs = dict(holder="M", agent="A", terminal_serial="S", amount=100, currency="CNY",
                  paid_at=T0, actor=AGENT)
    with pytest.raises(TypeError):
        engine.create_deposit(7, **kwargs)
    with pytest.raises(TypeError):
        engine.create_deposit("D-1", **dict(kwargs, amount=1.0))
    with pytest.raises(TypeError):
        engine.create_deposit("D-1", **dict(kwargs, holder=None))
    with pytest.raises(TypeError):
        engine.create_deposit("D-1", **dict(kwargs, actor=("A", "agent")))
    with pytest.raises(ValueError):
        engine.create_deposit("D-1", **dict(kwargs, actor="agent"))
    with pytest.raises(ValueError):
        engine.create_deposit("D-1", **dict(kwargs, actor="A:boss"))
    with pytest.raises(ValueError):
        engine.create_deposit("D-1", **dict(kwargs, paid_at=refund.time.to_datetime(T0)
                                            .replace(tzinfo=None)))
    with pytest.raises(ValueError):
        engine.create_deposit("D-1", **dict(kwargs, actor=refund.Act("A", "agent", key="k")))
    with pytest.raises(TypeError):
        engine.create_deposit("D-1", **kwargs, colour="red")
    with pytest.raises(refund.NotFoundError):
        engine.load_deposit("D-1")


def test_unicode_text_round_trips_and_ids_must_be_ascii(engine):
    with engine.create_deposit("D-1", holder="M-1001", agent="AG-7", terminal_serial="SN-1",
                               amount=100, currency="CNY", paid_at=T0, actor=AGENT,
                               receipt="押金收据 No.1") as dep:
        assert dep.receipt == "押金收据 No.1"
    with pytest.raises(refund.InvalidError) as info:
        engine.create_deposit("D-2", holder="商户-1001", agent="AG-7", terminal_serial="SN-1",
                              amount=100, currency="CNY", paid_at=T0, actor=AGENT)
    assert "holder" in info.value.message and info.value.message.isprintable()


def test_list_ids(engine):
    for i, holder in enumerate(["M-1", "M-2", "M-1", "M-3"]):
        engine.create_deposit(f"D-{i}", holder=holder, agent="A" if i < 2 else "B",
                              terminal_serial="S", amount=100, currency="CNY", paid_at=T0,
                              actor=AGENT).close()
    assert engine.deposit_ids() == ["D-0", "D-1", "D-2", "D-3"]
    assert engine.deposit_ids(holder="M-1") == ["D-0", "D-2"]
    assert engine.deposit_ids(agent="B") == ["D-2", "D-3"]
    assert engine.deposit_ids(after_id="D-1", limit=1) == ["D-2"]
    assert engine.deposit_ids(holder="nobody") == []


def test_closed_deposit(published):
    dep = published.deposit()
    dep.close()
    dep.close()
    assert repr(dep) == "<Deposit (closed)>"
    with pytest.raises(refund.ClosedError, match="Deposit is closed"):
        dep.id
    with pytest.raises(refund.ClosedError):
        dep.post("refund", 1, "fin-1:finance")
    with pytest.raises(refund.ClosedError):
        with dep:
            pass
