"""Stores: the storage contract written in Python, checked against the
library's memory store; exceptions in store callbacks; store faults."""
import copy

import pytest

import refund
from refund import (DictStore, Engine, MemoryStore, RecordKind, Store, StoreEvent,
                    StoreFilter, StoreIndex, StorePut, _registry)
from refund.store import NO_DEADLINE

from conftest import (ACCOUNT, AGENT, APPLICANT, BASIC_EVIDENCE, DAY, FINANCE, HOUR, REVIEWER,
                      Clock, World, lifecycle)

DEPOSIT, CASE = RecordKind.DEPOSIT, RecordKind.CASE


class Fault(Exception):
    pass


def dump(store):
    """Every record and event of a store, read through its vtable."""
    out = {}
    for kind in RecordKind:
        for rec in store.read_all(kind):
            out[(kind, rec.id)] = (rec.version, rec.data, store.read_events(kind, rec.id))
    return out


# ---- the contract, run on both stores ---------------------------------------------

def put(rid, expected, data=b"x", deadline=NO_DEADLINE, kind=CASE, **index):
    return StorePut(kind, rid, expected, data, StoreIndex(next_deadline=deadline, **index))


def event(rid, seq, data=b"e", kind=CASE):
    return StoreEvent(kind, rid, seq, 1000 + seq, data)


def test_contract_versions_and_conflicts(any_store):
    s = any_store
    assert s.read(CASE, "K-1") is None
    s.write([put("K-1", 0, b"v1")], [event("K-1", 1)])
    assert s.read(CASE, "K-1") == refund.StoreRecord(CASE, "K-1", 1, b"v1")
    with pytest.raises(refund.ConflictError):
        s.write([put("K-1", 0, b"again")])
    with pytest.raises(refund.ConflictError):   # the whole batch fails
        s.write([put("K-2", 0), put("K-1", 5)])
    assert s.read(CASE, "K-2") is None
    with pytest.raises(refund.ConflictError):   # an event gap
        s.write([put("K-1", 1, b"v2")], [event("K-1", 3)])
    with pytest.raises(refund.ConflictError):   # an existing seq
        s.write([], [event("K-1", 1)])
    assert s.read(CASE, "K-1").version == 1
    s.write([put("K-1", 1, b"v2")], [event("K-1", 2), event("K-1", 3)])
    assert s.read(CASE, "K-1") == refund.StoreRecord(CASE, "K-1", 2, b"v2")
    assert [e.seq for e in s.read_events(CASE, "K-1")] == [1, 2, 3]
    assert [e.seq for e in s.read_events(CASE, "K-1", 3)] == [3]
    assert s.read_events(CASE, "K-404") == []
    with pytest.raises(refund.InvalidError):
        s.write([put("K-9", 0), put("K-9", 0)])


def test_contract_due_index(any_store):
    s = any_store
    s.write([put("K-3", 0, deadline=300), put("K-1", 0, deadline=100),
             put("K-2", 0, deadline=300), put("K-4", 0)])
    assert s.read_due(299) == [(CASE, "K-1", 100)]
    assert s.read_due(300) == [(CASE, "K-1", 100), (CASE, "K-2", 300), (CASE, "K-3", 300)]
    assert s.read_due(NO_DEADLINE, limit=2) == [(CASE, "K-1", 100), (CASE, "K-2", 300)]
    s.write([put("K-1", 1, deadline=NO_DEADLINE), put("K-3", 1, deadline=50)])
    assert s.read_due(1000) == [(CASE, "K-3", 50), (CASE, "K-2", 300)]


def test_contract_scan(any_store):
    s = any_store
    s.write([put("K-b", 0, deposit_id="D-1", holder="M-1", state="draft"),
             put("K-a", 0, deposit_id="D-2", holder="M-1", state="paid"),
             put("K-c", 0, deposit_id="D-1", holder="M-2", state="draft"),
             put("D-1", 0, kind=DEPOSIT)])
    assert [r.id for r in s.read_all(CASE)] == ["K-a", "K-b", "K-c"]
    assert [r.id for r in s.read_all(DEPOSIT)] == ["D-1"]


def test_dict_store_scan_filters():
    s = DictStore()
    s.write([put("K-b", 0, deposit_id="D-1", holder="M-1", state="draft"),
             put("K-a", 0, deposit_id="D-2", holder="M-1", state="paid"),
             put("K-c", 0, deposit_id="D-1", holder="M-2", state="draft")])
    ids = lambda f: [r.id for r in s.scan(CASE, f)]  # noqa: E731
    assert ids(StoreFilter(deposit_id="D-1")) == ["K-b", "K-c"]
    assert ids(StoreFilter(holder="M-1", state="paid")) == ["K-a"]
    assert ids(StoreFilter(after_id="K-a", limit=1)) == ["K-b"]
    s.close()


# ---- the library over a Python store ---------------------------------------------

def test_python_store_runs_a_full_lifecycle_like_the_memory_store():
    dumps = []
    for store in (MemoryStore(), DictStore()):
        w = World(store, Clock())
        lifecycle(w)
        w.engine.tick(w.clock.now + 30 * DAY)
        dumps.append(dump(store))
        store.close()
    memory, python = dumps
    assert set(python) == set(memory)
    assert python == memory  # the same bytes, versions and events


def test_python_store_listings_and_rebuild():
    store = DictStore()
    w = World(store, Clock())
    lifecycle(w)
    assert w.engine.deposit_ids() == ["D-1"]
    assert w.engine.case_ids(state="closed") == ["K-1"]
    with w.engine.rebuild_case("K-1") as c:
        assert c.state is refund.State.CLOSED
    store.close()
    assert w.engine.closed


def test_a_store_without_scan_gives_notsup():
    class NoScan(DictStore):
        scan = None
    store = NoScan()
    w = World(store, Clock())
    w.publish_policy()
    w.deposit().close()
    with pytest.raises(refund.NotSupportedError):
        w.engine.deposit_ids()
    with pytest.raises(refund.NotSupportedError):
        store.read_all(DEPOSIT)
    store.close()


def test_the_base_class_must_be_implemented():
    store = Store()
    with Engine(store, clock=Clock()) as engine:
        with pytest.raises(NotImplementedError):
            engine.load_deposit("D-1")
    store.close()


def test_an_exception_in_commit_is_raised_and_nothing_is_written():
    class Broken(DictStore):
        fail = False

        def commit(self, puts, events):
            if self.fail:
                raise Fault("disk on fire")
            super().commit(puts, events)
    store = Broken()
    w = World(store, Clock())
    w.publish_policy()
    dep = w.deposit()
    before = dump(store)
    store.fail = True
    with pytest.raises(Fault, match="disk on fire") as info:
        w.open_case()
    assert any("REFUND_ESTORE" in n for n in info.value.__notes__)
    assert dump(store) == before
    with pytest.raises(Fault):
        dep.post("refund", 100, FINANCE)
    assert dep.balance().remaining == 50000 and dep.version == 2
    store.fail = False
    w.open_case().close()
    store.close()


@pytest.mark.parametrize("exc,cls", [
    (refund.BusyError("locked"), refund.BusyError),
    (refund.ConflictError("raced"), refund.ConflictError),
])
def test_contract_codes_raised_by_a_store_reach_the_caller(exc, cls):
    class Coded(DictStore):
        fail = False

        def commit(self, puts, events):
            if self.fail:
                raise exc
            super().commit(puts, events)
    store = Coded()
    w = World(store, Clock())
    w.publish_policy()
    w.deposit().close()
    store.fail = True
    with pytest.raises(cls) as info:
        w.open_case()
    assert info.value is not exc  # a fresh error with the engine's message
    assert info.value.message == w.engine.errmsg
    store.close()


def test_a_store_error_raised_by_the_store_is_kept():
    class Full(DictStore):
        def commit(self, puts, events):
            raise refund.StoreError("disk full")
    store = Full()
    with Engine(store, clock=Clock()) as engine:
        with pytest.raises(refund.StoreError, match="disk full"):
            engine.create_deposit("D-1", holder="M", agent="A", terminal_serial="S",
                                  amount=1, currency="CNY", paid_at=0, actor=AGENT)
    store.close()


def test_a_load_returning_garbage_raises():
    class Garbage(DictStore):
        def load(self, kind, record_id):
            return ("one", b"{}")
    store = Garbage()
    with Engine(store, clock=Clock()) as engine:
        with pytest.raises(TypeError, match="version"):
            engine.load_deposit("D-1")
    store.close()


def test_corrupt_bytes_are_refused():
    store = DictStore()
    w = World(store, Clock())
    lifecycle(w)
    store.records[(int(CASE), "K-1")][1] = b'{"not": "a case"}'
    with pytest.raises(refund.CorruptError):
        w.engine.load_case("K-1")
    store.close()


def test_tampered_events_fail_verification():
    store = DictStore()
    w = World(store, Clock())
    lifecycle(w)
    history = store.history[(int(CASE), "K-1")]
    ev = history[5]
    history[5] = StoreEvent(ev.kind, ev.id, ev.seq, ev.at, ev.data.replace(b"M-1001", b"M-1002"))
    with w.engine.load_case("K-1") as c:
        with pytest.raises(refund.CorruptError) as info:
            c.verify()
        assert info.value.first_bad == 6
    store.close()


def test_two_engines_on_one_python_store():
    store = DictStore()
    clock = Clock()
    a, b = World(store, clock), World(store, clock)
    a.publish_policy()
    a.deposit().close()
    ca = a.submitted()
    cb = b.engine.load_case("K-1")
    ca.start_review(REVIEWER)
    with pytest.raises(refund.ConflictError):
        cb.start_review(REVIEWER)
    store.close()
    assert a.engine.closed and b.engine.closed and ca.closed and cb.closed


def test_closing_a_python_store_releases_it():
    keys = _registry.count()
    store = DictStore()
    engine = Engine(store, clock=Clock())
    assert _registry.count() == keys + 2
    store.close()
    store.close()
    assert engine.closed and _registry.count() == keys
    with pytest.raises(refund.ClosedError):
        store.read(CASE, "K-1")


# ---- every store call of every step fails once ----------------------------------------

class FaultyStore(DictStore):
    """Fails the k-th store call after arming, then works again."""

    def __init__(self, make_error):
        super().__init__()
        self.make_error = make_error
        self.countdown = 0
        self.calls = 0

    def arm(self, k):
        self.countdown = k

    def _maybe_fail(self):
        self.calls += 1
        if self.countdown:
            self.countdown -= 1
            if self.countdown == 0:
                raise self.make_error()

    def load(self, kind, record_id):
        self._maybe_fail()
        return super().load(kind, record_id)

    def commit(self, puts, events):
        self._maybe_fail()
        super().commit(puts, events)

    def events(self, kind, record_id, from_seq):
        self._maybe_fail()
        return super().events(kind, record_id, from_seq)

    def due(self, before, limit):
        self._maybe_fail()
        return super().due(before, limit)


def story(w):
    """The lifecycle as steps, each one library call on a kept handle."""
    h = {}
    clock = w.clock

    def publish():
        w.publish_policy()

    def deposit():
        h["d"] = w.engine.create_deposit(
            "D-1", holder="M-1001", agent="agent-7", terminal_serial="SN-0001", amount=50000,
            currency="CNY", paid_at="2024-06-03T10:00:00+08:00", actor=AGENT)

    def opened():
        h["c"] = w.open_case()

    steps = [publish, deposit, lambda: h["d"].set_usage(365, 2500000, AGENT), opened]
    steps += [lambda k=k: h["c"].attach(APPLICANT, k, "x") for k in BASIC_EVIDENCE]
    steps += [
        lambda: h["c"].submit(APPLICANT, ACCOUNT),
        lambda: clock.advance(HOUR) or h["c"].start_review(REVIEWER),
        lambda: h["c"].request_documents(REVIEWER, ["other"]),
        lambda: h["c"].attach(APPLICANT, "other", "y"),
        lambda: h["c"].provide_documents(APPLICANT),
        lambda: h["c"].approve(REVIEWER, 49000),
        lambda: h["c"].receive_device(AGENT, "SF1"),
        lambda: h["c"].inspect(AGENT, "damaged", 1),
        lambda: h["c"].set_offset(FINANCE, 1000),
        lambda: h["c"].offer(FINANCE, 2),
        lambda: h["c"].accept(APPLICANT),
        lambda: h["c"].pay_failed(FINANCE, 1, "frozen"),
        lambda: h["c"].pay(FINANCE, 1, "P-1"),
        lambda: h["c"].pay(FINANCE, 2, "P-2"),
        lambda: h["c"].events(),
        lambda: h["c"].verify(),
        lambda: w.engine.tick(clock.now + 20 * DAY),
    ]
    return steps, h


@pytest.mark.parametrize("make_error,expected", [
    (lambda: Fault("injected"), Fault),
    (lambda: refund.BusyError("busy"), refund.BusyError),
])
def test_each_store_call_failing_changes_nothing(make_error, expected):
    store = FaultyStore(make_error)
    w = World(store, Clock())
    steps, handles = story(w)
    failures = 0
    for step in steps:
        k = 1
        while True:
            before = copy.deepcopy((store.records, store.history))
            versions = {name: h.version for name, h in handles.items()}
            store.arm(k)
            try:
                step()
            except expected:
                failures += 1
                assert (store.records, store.history) == before, (step, k)
                assert {name: h.version for name, h in handles.items()} == versions
                k += 1
                continue
            finally:
                store.arm(0)
            break
    assert failures >= len(steps)
    with w.engine.load_case("K-1") as c:
        assert c.state is refund.State.CLOSED
        c.verify()
    with w.engine.load_deposit("D-1") as dep:
        assert dep.balance() == refund.Balance(50000, 31000, 19000, 0)
    store.close()
