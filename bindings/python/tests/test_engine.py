"""Engines: options, lifetimes, the clock and the notifier callbacks."""
import datetime as dt
import gc
import weakref

import pytest

import refund
from refund import Engine, MemoryStore, _registry

from conftest import AGENT, T0, World


class Boom(Exception):
    pass


def test_engine_and_store_close_cleanly(clock):
    keys = _registry.count()
    with MemoryStore() as store:
        with Engine(store, clock=clock, notify=lambda n: None) as engine:
            assert engine.now() == T0
            assert engine.store is store
            assert _registry.count() == keys + 2
        assert engine.closed
        assert _registry.count() == keys  # the callbacks are released with the engine
    assert store.closed


def test_closing_twice_is_harmless(clock):
    store = MemoryStore()
    engine = Engine(store, clock=clock)
    engine.close()
    engine.close()
    store.close()
    store.close()


def test_a_closed_engine_raises_a_python_error(clock):
    store = MemoryStore()
    engine = Engine(store, clock=clock)
    engine.close()
    with pytest.raises(refund.ClosedError, match="Engine is closed"):
        engine.now()
    with pytest.raises(refund.ClosedError):
        engine.lang = "en"
    with pytest.raises(refund.ClosedError):
        engine.load_deposit("D-1")
    with pytest.raises(refund.ClosedError):
        with engine:
            pass
    store.close()


def test_closing_the_engine_closes_its_handles(published):
    w = published
    dep = w.deposit()
    c = w.open_case()
    w.engine.close()
    assert dep.closed and c.closed
    with pytest.raises(refund.ClosedError, match="its engine was closed"):
        c.quote()
    with pytest.raises(refund.ClosedError):
        dep.balance()
    c.close()  # and closing them again is harmless
    dep.close()


def test_closing_the_store_closes_its_engines(clock):
    store = MemoryStore()
    w = World(store, clock)
    w.publish_policy()
    dep = w.deposit()
    store.close()
    assert w.engine.closed and dep.closed
    with pytest.raises(refund.ClosedError, match="its store was closed"):
        w.engine.now()
    with pytest.raises(refund.ClosedError):
        Engine(store)


def test_a_handle_keeps_its_engine_alive(clock):
    store = MemoryStore()
    w = World(store, clock)
    w.publish_policy()
    dep = w.deposit()
    engine_ref = weakref.ref(w.engine)
    store_ref = weakref.ref(store)
    del w, store
    gc.collect()
    assert engine_ref() is not None and store_ref() is not None
    assert dep.balance().held == 50000  # the engine and store are still there
    del dep
    gc.collect()
    assert engine_ref() is None and store_ref() is None


def test_garbage_collection_in_any_order_is_safe(clock):
    # A cycle holding a store, an engine and handles: the collector may
    # finalize them in any order; the cells make that safe.
    for _ in range(20):
        store = MemoryStore()
        w = World(store, clock)
        w.publish_policy()
        dep = w.deposit()
        c = w.open_case()
        bag = {"store": store, "world": w, "dep": dep, "case": c}
        bag["self"] = bag
        del store, w, dep, c, bag
        gc.collect()


def test_wrong_arguments():
    with pytest.raises(TypeError):
        Engine(None)
    with pytest.raises(TypeError):
        Engine("memory")
    with MemoryStore() as store:
        with pytest.raises(TypeError):
            Engine(store, clock=5)
        with pytest.raises(TypeError):
            Engine(store, notify="print")
        with pytest.raises(ValueError):
            Engine(store, lang="fr")
        with pytest.raises(refund.InvalidError):
            Engine(store, lang=7)


def test_language(engine):
    assert engine.lang is refund.Lang.EN
    engine.lang = "zh-CN"
    assert engine.lang is refund.Lang.ZH_CN
    engine.lang = refund.Lang.EN
    with pytest.raises(refund.InvalidError):
        engine.lang = 9
    assert engine.lang is refund.Lang.EN
    with MemoryStore() as store, Engine(store, lang="zh_CN") as zh:
        assert zh.lang is refund.Lang.ZH_CN


def test_clock_may_return_a_datetime():
    with MemoryStore() as store:
        when = dt.datetime(2025, 6, 3, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        with Engine(store, clock=lambda: when) as engine:
            assert engine.now() == T0


def test_system_clock_by_default():
    with MemoryStore() as store, Engine(store) as engine:
        assert abs(engine.now() - refund.time.now()) < 5


def test_clock_out_of_range_is_the_library_error():
    with MemoryStore() as store, Engine(store, clock=lambda: -5) as engine:
        with pytest.raises(refund.InvalidError, match="clock returned -5"):
            engine.now()


def test_an_exception_in_the_clock_is_raised_by_the_call(clock):
    raised = Boom("clock broke")

    def broken():
        raise raised
    with MemoryStore() as store, Engine(store, clock=broken) as engine:
        with pytest.raises(Boom) as info:
            engine.now()
        assert info.value is raised
        assert any("REFUND_EINVAL" in note for note in info.value.__notes__)
        with pytest.raises(Boom):
            engine.create_deposit("D-1", holder="M", agent="A", terminal_serial="S",
                                  amount=100, currency="CNY", paid_at=T0, actor=AGENT)
        with pytest.raises(refund.NotFoundError):  # nothing was written
            engine.load_deposit("D-1")


def test_a_clock_returning_garbage_raises_type_error():
    with MemoryStore() as store, Engine(store, clock=lambda: "soon") as engine:
        with pytest.raises(refund.ParseError):
            engine.now()
    with MemoryStore() as store, Engine(store, clock=lambda: 1.5) as engine:
        with pytest.raises(TypeError):
            engine.now()


def test_notices(published):
    w = published
    dep = w.deposit()
    kinds = [n.kind for n in w.notices]
    assert kinds == [refund.NoticeKind.DEPOSIT_CREATED, refund.NoticeKind.USAGE_UPDATED]
    created = w.notices[0]
    assert (created.id, created.actor, created.amount, created.currency, created.at) == \
        ("D-1", "agent-7", 50000, "CNY", T0)
    assert created.record_kind is refund.RecordKind.DEPOSIT
    assert created.entry_kind is refund.EntryKind.HOLD
    dep.post("fee_offset", 100, "fin-1:finance", "OFFSET-1")
    posted = w.notices[-1]
    assert posted.kind is refund.NoticeKind.LEDGER_ENTRY
    assert (posted.entry_kind, posted.amount, posted.actor) == \
        (refund.EntryKind.FEE_OFFSET, 100, "fin-1")
    c = w.open_case()
    opened = w.notices[-1]
    assert opened.kind is refund.NoticeKind.TRANSITION
    assert opened.action is refund.Action.OPEN
    assert opened.from_state is None and opened.to_state is refund.State.DRAFT
    assert opened.deadline == T0 + 30 * 86400
    c.close()


def test_an_exception_in_the_notifier_comes_after_the_commit(clock):
    calls = []

    def notify(notice):
        calls.append(notice)
        raise Boom(f"notifier failed on {notice.id}")
    with MemoryStore() as store, Engine(store, clock=clock, notify=notify) as engine:
        with pytest.raises(Boom, match="D-9"):
            engine.create_deposit("D-9", holder="M", agent="A", terminal_serial="S",
                                  amount=100, currency="CNY", paid_at=T0, actor=AGENT)
        assert len(calls) == 1
        with engine.load_deposit("D-9") as dep:  # committed before the notice
            assert dep.balance().held == 100
        # The kept exception does not leak into the next call.
        assert engine.now() == T0


def test_keyboard_interrupt_in_a_callback_is_kept_too(clock):
    def notify(notice):
        raise KeyboardInterrupt
    with MemoryStore() as store, Engine(store, clock=clock, notify=notify) as engine:
        with pytest.raises(KeyboardInterrupt):
            engine.create_deposit("D-1", holder="M", agent="A", terminal_serial="S",
                                  amount=100, currency="CNY", paid_at=T0, actor=AGENT)


def test_a_kept_exception_survives_nested_calls(published):
    # Two reminders in one tick: the first notice raises, the second calls
    # the binding from inside the callback; the first exception must still
    # be the one the tick raises.
    w = published
    w.deposit("D-1")
    w.deposit("D-2")
    w.open_case("K-1", "D-1").close()
    w.open_case("K-2", "D-2").close()
    seen = []

    def notify(notice):
        seen.append(refund.money.format(notice.amount + len(seen), "CNY"))
        if len(seen) == 1:
            raise Boom(f"first notice {notice.id}")
    w.engine.close()
    with Engine(w.store, clock=w.clock, notify=notify) as engine:
        with pytest.raises(Boom, match="first notice K-1"):
            engine.tick(T0 + 23 * 86400)
        assert seen == ["0.00", "0.01"]
        with engine.load_case("K-2") as c:  # both reminders were committed
            assert len(c.events()) == 2


def test_tick_uses_the_engine_clock_by_default(published):
    w = published
    w.deposit()
    w.open_case().close()
    w.clock.advance(23 * 86400)  # the draft reminder 7 days before due
    result = w.engine.tick()
    assert result == refund.TickResult(due=1, reminders=1, consequences=0, conflicts=0)
    assert w.notices[-1].kind is refund.NoticeKind.REMINDER
    assert w.notices[-1].overdue is False
