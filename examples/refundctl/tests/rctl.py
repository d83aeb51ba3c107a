"""Helpers for refundctl's end-to-end tests (Python standard library only).

Every test script is run by meson as:
    python3 test_X.py /path/to/refundctl /path/to/source/root
"""
import collections
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

REFUNDCTL = None
SOURCE_ROOT = None
POLICY = None

# Exit codes, as refundctl(1) documents them.
OK, OTHER, USAGE, NOTFOUND, DENIED, CONFLICT, STATE, STORAGE, INVALID = range(9)


def setup_from_argv():
    """Take refundctl's path and the source root from the command line."""
    global REFUNDCTL, SOURCE_ROOT, POLICY
    if len(sys.argv) < 3:
        sys.exit("usage: %s REFUNDCTL SOURCE_ROOT [unittest args]" % sys.argv[0])
    REFUNDCTL = os.path.abspath(sys.argv[1])
    SOURCE_ROOT = os.path.abspath(sys.argv[2])
    POLICY = os.path.join(SOURCE_ROOT, "docs", "policies", "pos-standard.policy")
    del sys.argv[1:3]


def main():
    setup_from_argv()
    unittest.main(verbosity=2)


class Result:
    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out, self.err = args, rc, out, err

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return "refundctl %s -> %d\nstdout: %s\nstderr: %s" % (
            " ".join(self.args), self.rc, self.out, self.err)


def clean_env(db):
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFUNDCTL_")}
    env["REFUNDCTL_DB"] = db
    env["LC_ALL"] = "C"
    return env


def run(db, *args, actor=None, now=None, env=None, timeout=60):
    """Run refundctl on database @db; returns a Result."""
    cmd = [REFUNDCTL]
    if actor:
        cmd += ["--as", actor]
    if now:
        cmd += ["--now", now]
    cmd += list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, env=env or clean_env(db),
                       timeout=timeout)
    return Result(list(cmd[1:]), p.returncode, p.stdout, p.stderr)


def dump(db):
    """Every row of the database as SQL text, to compare before and after."""
    con = sqlite3.connect(db)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


class Db:
    """A scratch database in a temporary directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="refundctl-test-")
        self.path = os.path.join(self.dir, "refund.db")

    def file(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def run(self, *args, **kw):
        return run(self.path, *args, **kw)

    def ok(self, *args, **kw):
        r = run(self.path, *args, **kw)
        if r.rc != 0:
            raise AssertionError("expected success: %r" % r)
        return r

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


ADMIN = "admin-1:admin"
AGENT = "AG-7:agent"
REVIEWER = "R-1:reviewer"
FINANCE = "F-1:finance"
APPLICANT = "M-1:applicant"

EVIDENCE = {
    "device_fault": ["receipt", "contract", "payment_record", "fault_report"],
    "needs_changed": ["receipt", "contract", "payment_record"],
    "transaction_dispute": ["receipt", "contract", "payment_record",
                            "transaction_records"],
}


def init(db, now="2025-03-03T09:00+08:00"):
    db.ok("init", "--policy", POLICY, actor=ADMIN, now=now)


def add_deposit(db, dep, amount="500.00", days=200, now="2025-03-03T09:00+08:00"):
    db.ok("deposit", "add", dep, "--holder", "M-1", "--agent", "AG-7",
          "--terminal", "SN-" + dep, "--amount", amount, "--paid-at", "2024-01-01",
          "--contract-end", "2025-01-01", actor=AGENT, now=now)
    db.ok("deposit", "usage", dep, "--days", str(days), "--volume", "20000.00",
          actor=AGENT, now=now)


def drive(db, case, dep, until, reason="needs_changed", parts=3):
    """Move a new case for @dep through the workflow up to state @until."""
    steps = [
        ("draft", [("case", "open", case, "--deposit", dep, "--reason", reason)],
         APPLICANT, "2025-03-03T10:00+08:00"),
        ("submitted",
         [("case", "attach", case, k, "doc-" + k) for k in EVIDENCE[reason]] +
         [("case", "submit", case, "--name", "Zhang Wei", "--account",
           "6222020200112233445", "--bank", "ICBC")],
         APPLICANT, "2025-03-03T10:05+08:00"),
        ("under_review", [("case", "review", case)], REVIEWER, "2025-03-03T14:00+08:00"),
        ("device_return", [("case", "approve", case)], REVIEWER, "2025-03-04T10:00+08:00"),
        ("inspection", [("case", "receive-device", case, "--tracking", "SF1")], AGENT,
         "2025-03-05T10:00+08:00"),
        ("agreement_offered",
         [("case", "inspect", case, "--grade", "normal_wear"),
          ("case", "offer", case, "--parts", str(parts))], FINANCE,
         "2025-03-05T11:00+08:00"),
        ("payout", [("case", "accept", case)], APPLICANT, "2025-03-06T10:00+08:00"),
    ]
    for state, commands, actor, now in steps:
        for c in commands:
            if c[1] == "inspect":
                db.ok(*c, actor=AGENT, now=now)
            else:
                db.ok(*c, actor=actor, now=now)
        if state == until:
            return
    raise ValueError(until)


class BinaryReader:
    """librefund's binary encoding (docs/FORMAT.md), read without librefund."""

    def __init__(self, data):
        self.data, self.pos = bytes(data), 0

    def raw(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("truncated")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def uint(self):
        v = shift = 0
        while True:
            b = self.raw(1)[0]
            v |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return v

    @staticmethod
    def unzigzag(u):
        return (u >> 1) ^ -(u & 1)

    def int(self):
        return self.unzigzag(self.uint())

    def opt(self):
        u = self.uint()
        return None if u == 0 else self.unzigzag(u - 1)

    def text(self):
        n = self.uint()
        return None if n == 0 else self.raw(n - 1).decode("utf-8")

    def fields(self, spec):
        """spec: (name, kind) pairs; kind is 'i' (int), 'u' (uint), 't' (text),
        'o' (opt), 'd' (digest), a nested spec, or [spec] for a list."""
        out = {}
        for name, kind in spec:
            if kind == "i":
                out[name] = self.int()
            elif kind == "u":
                out[name] = self.uint()
            elif kind == "t":
                out[name] = self.text()
            elif kind == "d":
                out[name] = self.raw(32).hex()
            elif kind == "o":
                out[name] = self.opt()
            elif isinstance(kind, list):
                out[name] = [self.fields(kind[0]) for _ in range(self.uint())]
            else:
                out[name] = self.fields(kind)
        return out


CASE_MAGIC = b"\xa5RC\x02"
QUOTE = tuple((k, "i") for k in ("remaining", "tier_bp", "gross", "forfeited", "damage",
                                 "missing_parts", "fee", "offset", "net", "approved"))
CLOCK = tuple((k, "i") for k in ("state", "started", "due", "consequence", "sent",
                                 "overdue", "paused_state", "paused_left", "paused_unit"))
CASE_FIELDS = (
    ("id", "t"), ("deposit", "t"), ("holder", "t"), ("agent", "t"), ("currency", "t"),
    ("policy", "t"), ("policy_version", "i"), ("state", "u"), ("reason", "i"),
    ("opened_at", "i"), ("requested", "i"), ("method", "i"), ("account_name", "t"),
    ("account_number", "t"), ("bank", "t"), ("approved", "i"), ("approved_by", "t"),
    ("reject_reason", "i"), ("reject_text", "t"), ("tracking", "t"), ("grade", "i"),
    ("missing_parts", "i"), ("offset_owed", "i"), ("offered", "i"), ("accepted", "i"),
    ("fixed", QUOTE), ("escalated", "i"), ("clock", CLOCK), ("events", "i"),
    ("last_hash", "d"), ("next_key", "i"),
    ("evidence", [(("kind", "i"), ("at", "i"), ("ref", "t"))]),
    ("parts", [(("amount", "i"), ("due", "i"), ("status", "i"), ("attempts", "i"),
                ("ref", "t"), ("failure", "t"))]),
    ("keys", [(("key", "t"), ("digest", "d"))]),
)


DEPOSIT_MAGIC = b"\xa5RD\x02"
ENTRY_KINDS = (None, "hold", "refund", "damage", "missing_parts", "handling_fee",
               "fee_offset", "forfeit")
DEPOSIT_FIELDS = (
    ("id", "t"), ("holder", "t"), ("agent", "t"), ("terminal", "t"), ("contract", "t"),
    ("receipt", "t"), ("currency", "t"), ("paid_at", "i"), ("contract_end", "o"),
    ("days_in_service", "i"), ("transaction_volume", "i"), ("open_case", "t"),
    ("ledger", [(("seq", "i"), ("kind", "u"), ("amount", "i"), ("at", "i"),
                 ("actor", "t"), ("role", "u"), ("reference", "t"), ("case", "t"))]),
)


def decode_record(data, magic, spec):
    """A stored record: binary after its magic, or JSON (the older schema)."""
    data = bytes(data)
    if not data.startswith(magic):
        return json.loads(data)
    r = BinaryReader(data)
    r.raw(len(magic))
    record = r.fields(spec)
    if r.pos != len(data):
        raise ValueError("bytes after the record")
    return record


def decode_case(data):
    return decode_record(data, CASE_MAGIC, CASE_FIELDS)


def decode_deposit(data):
    deposit = decode_record(data, DEPOSIT_MAGIC, DEPOSIT_FIELDS)
    for e in deposit["ledger"]:
        if isinstance(e["kind"], int):
            e["kind"] = ENTRY_KINDS[e["kind"]]
    return deposit


# The actions by number (include/refund/case.h), for reading binary events.
ACTIONS = (None, "open", "attach", "submit", "start_review", "request_documents",
           "provide_documents", "approve", "reject", "appeal", "receive_device", "inspect",
           "offer", "accept", "pay", "pay_failed", "confirm", "withdraw", "escalate",
           "reevaluate", "remind", "expire", "auto_close", "deemed_approval", "set_offset")
EVENT_MAGIC = b"\xa5RE\x02"
EVENT_LEADING_FIELDS = (
    ("seq", "u"), ("at", "i"), ("actor", "t"), ("role", "u"), ("action", "u"),
    ("from", "u"), ("to", "u"), ("amount", "i"), ("reason", "t"),
)


def decode_event(data):
    """A stored event's leading fields, from either format (docs/FORMAT.md):
    format 1 is JSON, format 2 binary after its magic."""
    data = bytes(data)
    if data[:1] == b"{":
        return json.loads(data)
    assert data[:4] == EVENT_MAGIC, data[:4]
    r = BinaryReader(data)
    r.raw(len(EVENT_MAGIC))
    ev = r.fields(EVENT_LEADING_FIELDS)
    ev["action"] = ACTIONS[ev["action"]]
    return ev


def raw_check(path):
    """The invariants, checked on the stored rows without librefund."""
    con = sqlite3.connect(path)
    try:
        cases = {i: decode_case(d) for i, d in
                 con.execute("SELECT id, data FROM refund_records WHERE kind = 2")}
        deposits = {i: decode_deposit(d) for i, d in
                    con.execute("SELECT id, data FROM refund_records WHERE kind = 1")}
        events = collections.defaultdict(list)
        for i, seq, d in con.execute("SELECT id, seq, data FROM refund_events "
                                     "WHERE kind = 2 ORDER BY id, seq"):
            events[i].append((seq, decode_event(d)))
    finally:
        con.close()
    payouts = collections.defaultdict(list)
    for dep_id, dep in deposits.items():
        ledger = dep["ledger"]
        assert ledger and ledger[0]["kind"] == "hold", dep_id
        held = ledger[0]["amount"]
        out = sum(e["amount"] for e in ledger[1:])
        assert all(e["amount"] > 0 for e in ledger), dep_id
        assert out <= held, "deposit %s pays out more than it holds" % dep_id
        for e in ledger:
            if e["kind"] == "refund":
                assert e["case"], "refund without a case in %s" % dep_id
                payouts[e["case"]].append(e["amount"])
    for case_id, case in cases.items():
        evs = events[case_id]
        assert [s for s, _ in evs] == list(range(1, len(evs) + 1)), case_id
        assert len(evs) == case["events"], "case %s: %d events stored, record says %d" % (
            case_id, len(evs), case["events"])
        pays = [e for _, e in evs if e["action"] == "pay"]
        parts = collections.Counter(e["reason"] for e in pays)
        assert all(n == 1 for n in parts.values()), "case %s paid a part twice" % case_id
        assert sorted(e["amount"] for e in pays) == sorted(payouts.pop(case_id, [])), \
            "case %s: ledger refunds and pay events differ" % case_id
        paid = sum(1 for p in case["parts"] if p["status"] == 3)
        assert paid == len(pays), case_id
    assert not payouts, "refunds for cases that do not exist: %r" % dict(payouts)
    return len(cases), len(deposits)
