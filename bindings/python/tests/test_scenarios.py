"""The shared scenarios (tests/scenarios/*.scn) through the Python binding,
on the library's memory store and on the Python DictStore; the files of
tests/scenarios/bad/ must be refused at the line their first line names."""
import glob
import os
import re

import pytest

import scenario_runner as runner
from refund import time as refund_time
from conftest import SOURCE_ROOT

SCENARIOS = os.path.join(SOURCE_ROOT, "tests", "scenarios")
GOOD = sorted(glob.glob(os.path.join(SCENARIOS, "*.scn")))
BAD = sorted(glob.glob(os.path.join(SCENARIOS, "bad", "*.scn")))


def test_there_are_scenarios():
    assert GOOD, f"no scenario files in {SCENARIOS}"


@pytest.mark.parametrize("store", sorted(runner.STORES))
@pytest.mark.parametrize("path", GOOD, ids=os.path.basename)
def test_scenario(path, store):
    steps = runner.run_file(path, runner.STORES[store])
    assert steps > 0


def refused_line(path):
    """The line a bad file says it is refused at ("# refused at line N: ...")."""
    with open(path, encoding="utf-8") as f:
        first = f.readline()
    match = re.match(r"#\s*refused at line (\d+)", first)
    return int(match.group(1)) if match else None


def test_bad_scenarios_are_refused_at_their_line():
    # Every file there, all reported at once (none is not a failure: the
    # inline cases below always run).
    wrong = []
    for path in BAD:
        try:
            runner.run_file(path)
        except runner.ScenarioError as exc:
            if not str(exc).startswith(f"{path}:{exc.lineno}: "):
                wrong.append(f"{path}: message does not name file:line: {exc}")
            want = refused_line(path)
            if want is not None and exc.lineno != want:
                wrong.append(f"{path}: refused at line {exc.lineno}, not {want}: {exc}")
        else:
            wrong.append(f"{path}: was not refused")
    assert not wrong, "\n".join(wrong)


PRELUDE = """\
clock 2025-06-03T09:00:00+08:00
policy pos.policy as admin-1:admin
deposit D-1 500.00 CNY holder=M-1001 agent=agent-7 terminal=SN-0001 paid=2024-06-03T10:00:00+08:00 end=2025-06-01T00:00:00+08:00 as agent-7:agent
usage D-1 365 25000.00 as agent-7:agent
open K-1 D-1 POS-T device_fault as M-1001:applicant
"""

GOOD_LINES = [
    "expect case K-1 state draft",
    "expect case K-1 net 490.00",
    "expect case K-1 approved none",
    "expect case K-1 tier 100%",
    "expect case K-1 parts 0",
    "expect case K-1 escalated none",
    "expect case K-1 events 1",
    "expect case K-1 verified",
    "expect deposit D-1 held=500.00 remaining=500.00",
    "expect deposit D-1 entries 1",
    "attach K-1 receipt \"my receipt.pdf\" as M-1001:applicant  # a comment",
    "attach K-1 receipt R.pdf as M-1001:applicant key=k-1",
    "approve K-1 1.00 as rev-1:reviewer => REFUND_ESTATE",
    "approve K-1 -1.00 as rev-1:reviewer => REFUND_ESTATE",  # negative amounts parse
    "open K-1 D-1 POS-T fraud as M-1001:applicant => REFUND_EDUPLICATE",
    "open K-9 D-404 POS-T fraud as M-1001:applicant => REFUND_ENOTFOUND",
    "withdraw K-404 as M-1001:applicant => REFUND_ENOTFOUND",
    "escalate K-1 legal as M-1001:applicant",
    "request_documents K-1 receipt,contract as rev-1:reviewer => REFUND_ESTATE",
    "tick 2025-06-26T09:00:00+08:00 reminders=1 consequences=0",
    "clock 2025-06-03T10:00Z",
    "policy pos.policy as rev-1:reviewer => REFUND_EDENIED",
    "\t  # only a comment",
]

BAD_LINES = [
    ("expect case K-1 state submitted", "state is draft, expected submitted"),
    ("expect case K-1 net 489.99", "net is 490.00, expected 489.99"),
    ("expect case K-1 approved 1.00", "approved is none"),
    ("expect case K-1 tier 12.345%", "two decimals"),
    ("expect case K-1 parts 1", "parts is 0"),
    ("expect case K-1 part 1 paid", "part 1"),
    ("expect case K-1 escalated legal", "escalations is none"),
    ("expect case K-1 events 2", "events is 1"),
    ("expect case K-1 colour blue", "unknown case check"),
    ("expect case K-404 state draft", "K-404"),
    ("expect deposit D-1 held=1.00", "held is 500.00"),
    ("expect deposit D-1", "expect deposit takes"),
    ("expect deposit D-1 colour=red", "takes no option colour="),
    ("expect deposit D-1 entries 2", "entries is 1"),
    ("expect nothing", "'expect case' or 'expect deposit'"),
    ("approve K-1 1.00 as rev-1:reviewer", "expected success, got REFUND_ESTATE"),
    ("withdraw K-1 as M-1001:applicant => REFUND_EDENIED", "got success"),
    ("withdraw K-1 as M-1001:applicant => REFUND_EWHAT", "unknown outcome"),
    ("withdraw K-1 as M-1001:applicant => REFUND_ESTATE REFUND_EDENIED", "'=>'"),
    ("withdraw K-1 as M-1001:boss", "unknown role"),
    ("withdraw K-1 as nobody", "ACTOR:ROLE"),
    ("withdraw K-1", "needs 'as ACTOR:ROLE'"),
    ("withdraw K-1 now as M-1001:applicant", "takes 1 positional"),
    ("withdraw K-1 as M-1001:applicant as M-1001:applicant", "twice"),
    ("clock 2025-06-03T09:00:00+08:00 as M-1001:applicant", "takes no 'as"),
    ("clock 2025-02-30T09:00:00+08:00", "bad time"),
    ("tick 2025-06-04T09:00:00+08:00 reminders=1", "reminders 0, expected 1"),
    ("tick 2025-06-04T09:00:00+08:00 reminders=0 reminders=0", "twice"),
    ("tick 2025-06-04T09:00:00+08:00 => REFUND_EINVAL", "takes no '=> NAME'"),
    ("usage D-1 1 0 as agent-7:agent key=u-1", "takes no option key="),
    ("open K-2 D-1 POS-T fraud version=1 extra as M-1001:applicant", "after the options"),
    ("open K-2 D-1 POS-T theft as M-1001:applicant", "unknown reason"),
    ("attach K-1 selfie x as M-1001:applicant", "unknown evidence kind"),
    ("attach K-1 RECEIPT x as M-1001:applicant", "unknown evidence kind"),
    ("attach K-1 receipt \"x as M-1001:applicant", "unterminated"),
    ("attach K-1 receipt \"x\"y as M-1001:applicant", "closing quote"),
    ("approve K-1 10.005 as rev-1:reviewer", "bad amount"),
    ("offer K-1 two as fin-1:finance", "count"),
    ("deposit D-2 500.00 CNY agent=a terminal=t paid=2024-06-03 as agent-7:agent", "holder="),
    ("policy missing.policy as admin-1:admin", "cannot read"),
    ("frobnicate K-1", "unknown command"),
]


def run_lines(tmp_path, lines):
    (tmp_path / "pos.policy").write_text(
        open(os.path.join(os.path.dirname(__file__), "conftest.py"), encoding="utf-8").read()
        .split('POLICY_TEXT = """\\\n')[1].split('"""')[0], encoding="utf-8")
    path = tmp_path / "t.scn"
    path.write_text(PRELUDE + "\n".join(lines) + "\n", encoding="utf-8")
    return runner.run_file(str(path))


def test_every_command_and_check_form(tmp_path):
    assert run_lines(tmp_path, GOOD_LINES) == 5 + len(GOOD_LINES) - 1


@pytest.mark.parametrize("line,message", BAD_LINES)
def test_a_bad_line_is_refused_naming_file_and_line(tmp_path, line, message):
    with pytest.raises(runner.ScenarioError) as info:
        run_lines(tmp_path, ["expect case K-1 state draft", line])
    exc = info.value
    assert exc.lineno == 7
    assert str(exc).startswith(f"{tmp_path / 't.scn'}:7: ")
    assert message in str(exc)


def test_a_refused_call_must_leave_the_case_as_it_was(tmp_path, monkeypatch):
    # Pretend the library changed the case while failing: the runner notices.
    real = runner.Scenario.snapshot
    calls = []

    def snapshot(self, case_id):
        calls.append(case_id)
        state, version = real(self, case_id)
        return state, version + len(calls)
    monkeypatch.setattr(runner.Scenario, "snapshot", snapshot)
    with pytest.raises(runner.ScenarioError, match="the refused call changed case K-1"):
        run_lines(tmp_path, ["approve K-1 1.00 as rev-1:reviewer => REFUND_ESTATE"])


def test_the_clock_starts_where_the_c_runner_starts_it(tmp_path):
    path = tmp_path / "t.scn"
    path.write_text("deposit D-1 5.00 CNY holder=M agent=A terminal=T paid=2024-06-03 "
                    "as agent-7:agent\n", encoding="utf-8")
    assert runner.run_file(str(path)) == 1
    assert runner.INITIAL_CLOCK == refund_time.parse("2025-01-01T00:00:00Z")


def test_the_whole_file_is_checked_before_it_runs(tmp_path):
    path = tmp_path / "t.scn"
    path.write_text("withdraw K-404 as M-1001:applicant\n"   # would fail when run
                    "attach K-1 selfie x as M-1001:applicant\n", encoding="utf-8")
    with pytest.raises(runner.ScenarioError, match=r":2: unknown evidence kind"):
        runner.run_file(str(path))


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "t.scn"
    path.write_bytes(b"clock 2025-06-03T09:00:00Z\n# \xff\n")
    with pytest.raises(runner.ScenarioError, match=":2: "):
        runner.run_file(str(path))


@pytest.mark.parametrize("line,words,options", [
    ('a b "c d" e=f g="h i"', ["a", "b", "c d"], {"e": "f", "g": "h i"}),
    ("a#comment", ["a"], {}),
    ('a "#not a comment" # a comment', ["a", "#not a comment"], {}),
    ("a\tb  c", ["a", "b", "c"], {}),
    ('a ""', ["a", ""], {}),
])
def test_tokenizer(line, words, options):
    tokens = runner.tokenize(line)
    assert [t.text for t in tokens if not t.is_option] == words
    assert {t.key: t.text for t in tokens if t.is_option} == options
