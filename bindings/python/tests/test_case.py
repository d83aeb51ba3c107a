"""Cases: every action, reading, quotes, parts, events, deadlines, errors."""
import pytest

import refund
from refund import Account, Act, Action, Evidence, Party, PartStatus, Role, State

from conftest import (ACCOUNT, AGENT, APPLICANT, BASIC_EVIDENCE, DAY, FINANCE, HOUR,
                      REVIEWER, T0, lifecycle)


@pytest.fixture
def w(published):
    published.deposit()
    return published


def test_full_lifecycle(world, clock):
    case_id = lifecycle(world)
    with world.engine.load_case(case_id) as c:
        assert c.state is State.CLOSED
        assert repr(c) == "<Case K-1 closed version 14>"
        assert c.next_deadline() is None


def test_opening_and_reading(w):
    with w.open_case() as c:
        assert (c.id, c.deposit_id, c.state, c.reason) == \
            ("K-1", "D-1", State.DRAFT, refund.Reason.DEVICE_FAULT)
        assert c.policy == ("POS-T", 1)
        assert c.version == 1
        assert c.escalations == Party(0)
        assert c.evidence == frozenset()
        assert c.missing_evidence == {Evidence.RECEIPT, Evidence.CONTRACT,
                                      Evidence.PAYMENT_RECORD, Evidence.FAULT_REPORT}
        q = c.quote()
        assert q == refund.Quote("CNY", 50000, 10000, 50000, 0, 0, 0, 1000, 0, 49000, None)
        d = c.next_deadline()
        assert d == refund.Deadline(State.DRAFT, T0, T0 + 30 * DAY, T0 + 23 * DAY,
                                    refund.Consequence.EXPIRE, False)
        [ev] = c.events()
        assert (ev.seq, ev.action, ev.from_state, ev.to_state, ev.actor, ev.role) == \
            (1, Action.OPEN, None, State.DRAFT, "M-1001", Role.APPLICANT)
        assert ev.prev_hash == "" and len(ev.hash) == 64
        assert ev.deadline == T0 + 30 * DAY
    with w.engine.load_deposit("D-1") as dep:
        assert dep.open_case == "K-1"


def test_usage_tiers_in_the_quote(published):
    published.deposit(days=100, volume=0)
    with published.open_case() as c:
        q = c.quote()
        assert (q.tier_bp, q.gross, q.forfeited) == (8000, 40000, 10000)


def test_open_errors(w):
    w.open_case().close()
    with pytest.raises(refund.DuplicateError):
        w.open_case("K-2")
    w.deposit("D-2")
    with pytest.raises(refund.ExistsError):
        w.engine.open_case("K-1", "D-2", "POS-T", "device_fault", APPLICANT)
    with pytest.raises(refund.NotFoundError):
        w.engine.open_case("K-3", "D-404", "POS-T", "device_fault", APPLICANT)
    with pytest.raises(refund.NotFoundError):
        w.engine.open_case("K-3", "D-2", "NOPE", "device_fault", APPLICANT)
    with pytest.raises(refund.DeniedError):
        w.engine.open_case("K-3", "D-2", "POS-T", "device_fault", REVIEWER)
    with pytest.raises(ValueError):
        w.engine.open_case("K-3", "D-2", "POS-T", "broken", APPLICANT)
    assert w.engine.case_ids() == ["K-1"]
    with pytest.raises(refund.NotFoundError):
        w.engine.load_case("K-404")


def test_application_window(published):
    published.deposit()
    published.clock.now = refund.time.parse("2027-06-02T00:00+08:00")
    with pytest.raises(refund.DeadlineError):
        published.open_case()


def test_evidence_is_required_to_submit(w):
    with w.open_case() as c:
        for kind in BASIC_EVIDENCE[:3]:
            c.attach(APPLICANT, kind, f"{kind}.pdf")
        with pytest.raises(refund.EvidenceError) as info:
            c.submit(APPLICANT, ACCOUNT)
        assert "fault" in info.value.message
        assert c.state is State.DRAFT and c.missing_evidence == {Evidence.FAULT_REPORT}
        c.attach(AGENT, Evidence.FAULT_REPORT, "fr.pdf")
        c.submit(APPLICANT, ACCOUNT)
        assert c.state is State.SUBMITTED


@pytest.mark.parametrize("account", [
    Account("bank", "张三", "6222020200112233445"),           # a bank needs its name
    Account("alipay", "张三", "12345"),
    Account("wechat", "张三", "9abc"),
    Account("bank", "", "6222020200112233445", "ICBC"),
])
def test_bad_accounts(w, account):
    with w.open_case() as c:
        for kind in BASIC_EVIDENCE:
            c.attach(APPLICANT, kind, "x")
        with pytest.raises(refund.InvalidError):
            c.submit(APPLICANT, account)
        assert c.state is State.DRAFT


def test_good_accounts(w):
    with w.open_case() as c:
        for kind in BASIC_EVIDENCE:
            c.attach(APPLICANT, kind, "x")
        c.submit(APPLICANT, Account(refund.PayoutMethod.ALIPAY, "李四", "13800138000"))
    with pytest.raises(TypeError):
        c.submit(APPLICANT, ("alipay", "李四", "13800138000"))


def test_documents_pause_the_review(w):
    with w.submitted() as c:
        c.start_review(REVIEWER)
        due = c.next_deadline().due
        c.request_documents(Act("rev-1", Role.REVIEWER, note="请补充交易截图"),
                            ["transaction_records"])
        assert c.state is State.AWAITING_DOCUMENTS
        assert c.missing_evidence == {Evidence.TRANSACTION_RECORDS}
        assert c.events()[-1].note == "请补充交易截图"
        with pytest.raises(refund.EvidenceError):
            c.provide_documents(APPLICANT)
        w.clock.advance(2 * HOUR)
        c.attach(APPLICANT, "transaction_records", "screens.zip")
        c.provide_documents(APPLICANT)
        assert c.state is State.UNDER_REVIEW
        assert c.next_deadline().due > due  # the review clock paused meanwhile
        with pytest.raises(refund.InvalidError):
            c.request_documents(REVIEWER, [])


def test_reject_and_appeal(w):
    with w.submitted() as c:
        c.start_review(REVIEWER)
        c.reject(REVIEWER, "not_eligible", "终端仍在保修期内")
        assert c.state is State.REJECTED
        assert c.events()[-1].reason
        c.appeal(Act("M-1001", "applicant", note="保修与押金无关"))
        assert c.state is State.UNDER_REVIEW
        with pytest.raises(ValueError):
            c.reject(REVIEWER, "because", "x")
        with pytest.raises(refund.InvalidError):
            c.reject(REVIEWER, "other", "")


def test_withdraw(w):
    with w.submitted() as c:
        c.withdraw(Act("M-1001", "applicant", note="不退了"))
        assert c.state is State.WITHDRAWN
        with pytest.raises(refund.StateError):
            c.start_review(REVIEWER)
    with w.engine.load_deposit("D-1") as dep:
        assert dep.open_case is None
    w.open_case("K-2").close()  # a new application is possible again


def test_escalate(w):
    with w.submitted() as c:
        c.escalate(Act("M-1001", "applicant", note="代理商失联"), "consumer_association")
        c.escalate(REVIEWER, Party.LEGAL)
        assert c.escalations == Party.CONSUMER_ASSOCIATION | Party.LEGAL
        assert c.state is State.SUBMITTED
        with pytest.raises(refund.DeniedError):
            c.escalate(FINANCE, "regulator")


def test_reevaluate_under_a_newer_policy(w):
    with w.submitted() as c:
        c.start_review(REVIEWER)
        with pytest.raises(refund.InvalidError):
            c.reevaluate(REVIEWER, 1)
        w.publish_policy(w_policy_without_fee())
        c.reevaluate(REVIEWER)
        assert c.policy == ("POS-T", 2)
        assert c.quote().fee == 0
        ev = c.events()[-1]
        assert (ev.policy_version_before, ev.policy_version) == (1, 2)


def w_policy_without_fee():
    from conftest import POLICY_TEXT
    return POLICY_TEXT.replace("fee 5.00 + 1% min 5.00 max 20.00", "fee none")


def agreement(w, approver=REVIEWER):
    c = w.submitted()
    c.start_review(REVIEWER)
    c.approve(approver, 49000)
    c.receive_device(AGENT)
    c.inspect(AGENT, "normal_wear", 0)
    assert c.state is State.AGREEMENT
    return c


def test_offsets_installments_and_a_failed_payout(w):
    with agreement(w) as c:
        c.set_offset(FINANCE, 4000)
        assert c.quote().offset == 4000 and c.quote().net == 45000
        with pytest.raises(refund.DeniedError):
            c.set_offset(REVIEWER, 1)
        with pytest.raises(refund.InvalidError):
            c.offer(FINANCE, 4)
        c.offer(FINANCE, 3)
        parts = c.parts()
        assert [p.amount for p in parts] == [15000, 15000, 15000]
        assert all(p.status is PartStatus.PENDING for p in parts)
        with pytest.raises(refund.DeniedError):
            c.accept(AGENT)
        c.accept(APPLICANT)
        dues = [p.due for p in c.parts()]  # scheduled monthly from acceptance
        assert dues[0] == w.clock.now and dues[0] < dues[1] < dues[2]
        c.pay_failed(FINANCE, 1, "账户冻结")
        p1 = c.part(1)
        assert (p1.status, p1.attempts, p1.failure) == (PartStatus.FAILED, 1, "账户冻结")
        for n in (1, 2, 3):
            c.pay(FINANCE, n, f"PAY-{n}")
        assert c.part(1).reference == "PAY-1" and c.part(1).attempts == 2
        assert c.state is State.PAID
        with pytest.raises(refund.NotFoundError):
            c.part(4)
        c.confirm(APPLICANT)
    with w.engine.load_deposit("D-1") as dep:
        assert dep.balance() == refund.Balance(50000, 45000, 5000, 0)


def test_four_eyes(w):
    with agreement(w, approver="boss:reviewer") as c:
        c.offer(FINANCE, 1)
        c.accept(APPLICANT)
        with pytest.raises(refund.DeniedError):
            c.pay("boss:finance", 1, "PAY-1")
        c.pay(FINANCE, 1, "PAY-1")


def test_idempotency_keys(w):
    with w.open_case() as c:
        c.attach(Act("M-1001", "applicant", key="att-1"), "receipt", "r.pdf")
        version = c.version
        c.attach(Act("M-1001", "applicant", key="att-1"), "receipt", "r.pdf")
        assert c.version == version
        with pytest.raises(refund.DuplicateError):
            c.attach(Act("M-1001", "applicant", key="att-1"), "contract", "c.pdf")
        assert len(c.events()) == 2


def test_a_stale_case_handle_conflicts(w):
    first = w.submitted()
    second = w.engine.load_case("K-1")
    first.start_review(REVIEWER)
    with pytest.raises(refund.ConflictError):
        second.withdraw(APPLICANT)
    assert second.state is State.SUBMITTED
    with second.reload() as fresh:
        assert fresh.state is State.UNDER_REVIEW


def test_explain_in_both_languages(w):
    with w.open_case() as c:
        en = c.explain()
        zh = c.explain("zh-CN")
        assert "490.00" in en and "490.00" in zh
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
        # What is missing and where the case stands, in words: no bit
        # masks, no identifiers in the Chinese text.
        assert "Still missing: the deposit receipt, the contract" in en
        assert "Now draft" in en and "0x" not in en
        assert "仍缺少材料：押金收据、合同协议" in zh
        assert "当前状态：准备材料" in zh
        assert "draft" not in zh and "0x" not in zh
        w.engine.lang = "zh-CN"
        assert c.explain() == zh
        with pytest.raises(ValueError):
            c.explain("de")


def test_events_verify_and_rebuild(world):
    lifecycle(world)
    with world.engine.load_case("K-1") as c:
        events = c.events()
        assert [e.seq for e in events] == list(range(1, 15))
        assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:]))
        assert c.verify() is None
        with world.engine.rebuild_case("K-1") as rebuilt:
            assert (rebuilt.state, rebuilt.version) == (State.CLOSED, 14)
            assert rebuilt.quote() == c.quote()
    with pytest.raises(refund.NotFoundError):
        world.engine.rebuild_case("K-404")


def test_deadlines_fire_on_tick(w):
    with w.submitted() as c:
        c.start_review(REVIEWER)
        due = c.next_deadline().due
    result = w.engine.tick(due - DAY)
    assert (result.reminders, result.consequences) == (1, 0)
    result = w.engine.tick(due)
    assert (result.due, result.consequences) == (1, 1)
    with w.engine.load_case("K-1") as c:
        assert c.escalations == Party.REGULATOR | Party.CONSUMER_ASSOCIATION
        assert c.events()[-1].actor == "system" and c.events()[-1].role is Role.SYSTEM
    assert w.notices[-1].kind is refund.NoticeKind.DEADLINE
    assert w.engine.tick(due, limit=5).due == 0
    with pytest.raises(refund.InvalidError):
        w.engine.tick(-1)


def test_draft_expires(w):
    w.open_case().close()
    w.engine.tick(T0 + 30 * DAY)
    with w.engine.load_case("K-1") as c:
        assert c.state is State.EXPIRED and c.next_deadline() is None


def test_list_ids(w):
    w.deposit("D-2")
    w.open_case("K-1", "D-1").close()
    w.submitted("K-2", "D-2").close()
    assert w.engine.case_ids() == ["K-1", "K-2"]
    assert w.engine.case_ids(state="submitted") == ["K-2"]
    assert w.engine.case_ids(deposit_id="D-1") == ["K-1"]
    assert w.engine.case_ids(holder="M-1001", after_id="K-1") == ["K-2"]
    assert w.engine.case_ids(limit=1) == ["K-1"]


def test_wrong_types(w):
    with w.open_case() as c:
        with pytest.raises(TypeError):
            c.attach(None, "receipt", "r")
        with pytest.raises(TypeError):
            c.attach(APPLICANT, "receipt", 5)
        with pytest.raises(ValueError):
            c.attach(APPLICANT, "receipt", "r\0.pdf")
        with pytest.raises(TypeError):
            c.approve(REVIEWER, "490.00")
        with pytest.raises(TypeError):
            c.offer(FINANCE, 1.0)
        with pytest.raises(TypeError):
            c.attach(APPLICANT, Role.AGENT, "r")
        with pytest.raises(refund.InvalidError):
            c.attach(APPLICANT, 42, "r")
        with pytest.raises(refund.InvalidError):
            c.attach(Act("M-1001", 42), "receipt", "r")
        assert c.version == 1


def test_states_refuse_actions(w):
    with w.open_case() as c:
        for action in (lambda: c.start_review(REVIEWER), lambda: c.approve(REVIEWER, 1),
                       lambda: c.accept(APPLICANT), lambda: c.pay(FINANCE, 1, "x"),
                       lambda: c.confirm(APPLICANT), lambda: c.appeal(APPLICANT),
                       lambda: c.receive_device(AGENT), lambda: c.offer(FINANCE)):
            with pytest.raises(refund.StateError):
                action()
        assert c.version == 1


def test_closed_case(w):
    c = w.open_case()
    c.close()
    c.close()
    assert repr(c) == "<Case (closed)>"
    for action in (lambda: c.state, c.quote, c.events, c.verify, c.parts,
                   lambda: c.withdraw(APPLICANT)):
        with pytest.raises(refund.ClosedError, match="Case is closed"):
            action()
