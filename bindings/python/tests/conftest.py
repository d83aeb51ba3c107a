"""Shared fixtures: an engine on a fresh store with a settable clock, a
published policy, a deposit, and a case driven to any state."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)                       # scenario_runner
sys.path.insert(0, os.path.dirname(HERE))      # the refund package, if PYTHONPATH lacks it

import refund  # noqa: E402
from refund import Account, DictStore, Engine, MemoryStore  # noqa: E402

SOURCE_ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

T0 = refund.time.parse("2025-06-03T09:00:00+08:00")
HOUR = 3600
DAY = 86400

# The shared scenarios' policy, trimmed: four-eyes above 300.00.
POLICY_TEXT = """\
policy POS-T
currency CNY
window 730 days after contract_end
tier 0 days -> 50%
tier 90 days -> 80%
tier 90 days 10000.00 volume -> 100%
tier 180 days -> 100%
evidence all: receipt contract payment_record
evidence device_fault: fault_report
return required
deduct damaged 30%
deduct not_returned 100%
deduct missing_part 20.00
fee 5.00 + 1% min 5.00 max 20.00
offsets allowed
installments 3 every 1 month
deadline draft 30 days in CN then expire remind 7 days, 1 day before
deadline submitted 1 business day in CN then escalate
deadline under_review 5 business days in CN then escalate remind 1 day before
deadline awaiting_documents 15 days in CN then expire remind 3 days, 1 day before
deadline device_return 30 days in CN then expire remind 7 days before
deadline inspection 3 business days in CN then escalate
deadline agreement 10 days in CN then expire remind 2 days before
deadline payout 7 business days in CN then escalate remind 2 days before
deadline paid 15 days in CN then close
deadline rejected 15 days in CN then close
four_eyes above 300.00
escalate to regulator consumer_association
"""

APPLICANT = "M-1001:applicant"
AGENT = "agent-7:agent"
REVIEWER = "rev-1:reviewer"
FINANCE = "fin-1:finance"
ADMIN = "admin-1:admin"
ACCOUNT = Account("bank", "张三", "6222020200112233445", "ICBC Shenzhen")
BASIC_EVIDENCE = ("receipt", "contract", "payment_record", "fault_report")


class Clock:
    """The injected clock: a settable time, counting its reads."""

    def __init__(self, now=T0):
        self.now = now
        self.reads = 0

    def __call__(self):
        self.reads += 1
        return self.now

    def advance(self, seconds):
        self.now += seconds


class World:
    """One engine on one store, with helpers to tell a story."""

    def __init__(self, store, clock, notices=None):
        self.store = store
        self.clock = clock
        self.notices = [] if notices is None else notices
        self.engine = Engine(store, clock=clock, notify=self.notices.append)

    def publish_policy(self, text=POLICY_TEXT):
        with self.engine.parse_policy(text) as p:
            return p.publish(ADMIN)

    def deposit(self, deposit_id="D-1", amount=50000, days=365, volume=2500000):
        dep = self.engine.create_deposit(
            deposit_id, holder="M-1001", agent="agent-7", terminal_serial="SN-0001",
            amount=amount, currency="CNY", paid_at="2024-06-03T10:00:00+08:00",
            contract_id="C-1", receipt="R-0001", contract_end="2025-06-01T00:00:00+08:00",
            actor=AGENT)
        if days or volume:
            dep.set_usage(days, volume, AGENT)
        return dep

    def open_case(self, case_id="K-1", deposit_id="D-1", reason="device_fault"):
        return self.engine.open_case(case_id, deposit_id, "POS-T", reason, APPLICANT)

    def submitted(self, case_id="K-1", deposit_id="D-1"):
        c = self.open_case(case_id, deposit_id)
        for kind in BASIC_EVIDENCE:
            c.attach(APPLICANT, kind, f"{kind}.pdf")
        c.submit(APPLICANT, ACCOUNT)
        return c


def lifecycle(world):
    """A device-fault case from deposit to close; returns the case id.

    Every figure is checked on the way (the same story as device_fault.scn).
    """
    w = world
    w.publish_policy()
    dep = w.deposit()
    c = w.submitted()
    w.clock.advance(5 * HOUR)
    c.start_review(REVIEWER)
    with pytest.raises(refund.BalanceError):
        c.approve(REVIEWER, 49001)
    c.approve(REVIEWER, 49000)
    assert c.state is refund.State.DEVICE_RETURN
    w.clock.advance(3 * DAY)
    c.receive_device(AGENT, "SF1234567890")
    c.inspect(AGENT, "damaged", 1)
    q = c.quote()
    assert (q.damage, q.missing_parts, q.fee, q.net, q.approved) == (15000, 2000, 1000,
                                                                       32000, 49000)
    c.offer(FINANCE, 1)
    c.accept(APPLICANT)
    w.clock.advance(DAY)
    c.pay(FINANCE, 1, "BANK-1")
    c.confirm(APPLICANT)
    assert c.state is refund.State.CLOSED
    dep.close()
    with w.engine.load_deposit("D-1") as dep:
        assert dep.balance() == refund.Balance(50000, 32000, 18000, 0)
    assert len(c.events()) == 14
    c.verify()
    c.close()
    return "K-1"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(params=["memory", "dict"])
def any_store(request):
    store = MemoryStore() if request.param == "memory" else DictStore()
    yield store
    store.close()


@pytest.fixture
def store():
    s = MemoryStore()
    yield s
    s.close()


@pytest.fixture
def world(store, clock):
    w = World(store, clock)
    yield w
    w.engine.close()


@pytest.fixture
def engine(world):
    return world.engine


@pytest.fixture
def published(world):
    world.publish_policy()
    return world
