"""Hostile input to every command: bad money, bad dates, unknown ids, wrong roles,
broken CSV files.  Each must give a clear message on stderr, the documented
exit code, and leave the database exactly as it was (compared as an SQL dump
before and after)."""
import os
import unittest

import rctl
from rctl import (ADMIN, AGENT, APPLICANT, CONFLICT, DENIED, FINANCE, INVALID,
                  NOTFOUND, REVIEWER, STATE, USAGE)

NOW = "2025-03-07T10:00+08:00"

BROKEN_CSV = ("id,holder,agent,terminal,amount,paid_at\n"
              "H-1,M-1,AG-1,SN-1,10.00,2024-01-01\n"
              "H-2,M-1,AG-1,SN-2,12,50,2024-01-01\n"       # line 3: a field too many
              "H-3,M-1,AG-1,SN-3,-5.00,2024-01-01\n"       # negative
              "H-4,M-1,AG-1,SN-4,1.234,2024-01-01\n"       # three decimals
              "H-5,M-1,AG-1,SN-5,5.00,2024-02-30\n"        # no such date
              "H-1,M-1,AG-1,SN-6,6.00,2024-01-01\n"        # id again
              "H 7,M-1,AG-1,SN-7,7.00,2024-01-01\n"        # bad id
              "H-8,M-1,AG-1,,8.00,2024-01-01\n"            # empty terminal
              '"H-9,M-1,AG-1,SN-9,9.00,2024-01-01\n')      # unterminated quote


def add(*more, dep="D-9", amount="1.00", paid_at="2024-01-01"):
    """deposit add with every required option, good unless given otherwise."""
    return ["deposit", "add", dep, "--holder", "M", "--agent", "A", "--terminal", "S",
            "--amount", amount, "--paid-at", paid_at] + list(more)


def hostile(db):
    """(arguments, actor, expected exit code) for every command."""
    f = db.file
    no_csv = os.path.join(db.dir, "missing.csv")
    bad_policy = f("bad.policy", "policy X\ncurrency CNY\nwindow soon\n")
    return [
        # The command line itself.
        (["frobnicate"], None, USAGE),
        (["case", "open", "C-9", "--deposit"], APPLICANT, USAGE),
        (["deposit", "list", "--colour"], None, USAGE),
        (["--lang", "fr", "deposit", "list"], None, USAGE),
        (["--tz", "Mars/Olympus", "deposit", "list"], None, USAGE),
        (["--now", "2025-13-01", "tick"], None, INVALID),
        (["--now", "yesterday", "deposit", "list"], None, INVALID),
        (["--as", "nobody", "case", "withdraw", "C-1"], None, INVALID),
        (["--as", "x:wizard", "case", "withdraw", "C-1"], None, INVALID),
        (["case", "withdraw", "C-1"], None, USAGE),             # who acts?
        (["--db", os.path.join(db.dir, "nope.db"), "deposit", "list"], None, NOTFOUND),
        (["verify", "extra"], None, USAGE),
        (["demo", "--db", db.path], None, CONFLICT),            # exists: refused
        # init and policies.
        (["init", "--policy", os.path.join(db.dir, "none.policy")], ADMIN, NOTFOUND),
        (["init", "--policy", bad_policy], ADMIN, INVALID),
        (["policy", "load", bad_policy], ADMIN, INVALID),
        (["policy", "load", rctl.POLICY], APPLICANT, DENIED),
        (["policy", "load", rctl.POLICY], FINANCE, DENIED),
        (["policy", "show", "NOPE"], None, NOTFOUND),
        (["policy", "show", "POS-STD@9"], None, NOTFOUND),
        (["policy", "show", "POS-STD@x"], None, INVALID),
        (["policy", "default", "NOPE"], None, NOTFOUND),
        # Deposits.
        (add(amount="12,50"), AGENT, INVALID),
        (add(amount="-5"), AGENT, INVALID),
        (add(amount="0"), AGENT, INVALID),
        (add(amount="99999999999999999999"), AGENT, INVALID),
        (add(paid_at="2024-02-30"), AGENT, INVALID),
        (add(paid_at="2024-01-01T10:00"), AGENT, INVALID),
        (add("--currency", "XYZ"), AGENT, INVALID),
        (add(dep="D 9"), AGENT, INVALID),
        (add(dep="D-" + "9" * 80), AGENT, INVALID),
        (add(dep="D-1"), AGENT, CONFLICT),
        (add(), APPLICANT, DENIED),
        (["deposit", "add", "D-9", "--holder", "M", "--amount", "1.00"], AGENT, USAGE),
        (["deposit", "show", "D-404"], None, NOTFOUND),
        (["deposit", "list", "--limit", "many"], None, INVALID),
        (["deposit", "usage", "D-404", "--days", "3", "--volume", "1.00"], AGENT, NOTFOUND),
        (["deposit", "usage", "D-3", "--days", "3", "--volume", "1.00"], APPLICANT, DENIED),
        (["deposit", "usage", "D-3", "--days", "-1", "--volume", "1.00"], AGENT, INVALID),
        (["deposit", "usage", "D-3", "--days", "3", "--volume", "1e5"], AGENT, INVALID),
        (["deposit", "import", no_csv], AGENT, NOTFOUND),
        (["deposit", "import", f("broken.csv", BROKEN_CSV)], AGENT, INVALID),
        (["deposit", "import", f("header.csv", "id,holder,colour\nX,Y,Z\n")], AGENT,
         INVALID),
        (["deposit", "import", f("nohdr.csv", "id,holder,agent\nX,Y,Z\n")], AGENT,
         INVALID),
        (["deposit", "import", f("empty.csv", "")], AGENT, INVALID),
        (["deposit", "import", f("dup.csv", "id,holder,agent,terminal,amount,paid_at\n"
                                 "N-1,M-1,AG-1,SN-1,1.00,2024-01-01\n"
                                 "D-1,M-1,AG-7,SN-1,1.00,2024-01-01\n")], AGENT, CONFLICT),
        (["deposit", "import", f("ok.csv", "id,holder,agent,terminal,amount,paid_at\n"
                                 "N-1,M-1,AG-1,SN-1,1.00,2024-01-01\n")], APPLICANT,
         DENIED),
        # Opening cases.
        (["case", "open", "C-9", "--deposit", "D-404", "--reason", "fraud"], APPLICANT,
         NOTFOUND),
        (["case", "open", "C-9", "--deposit", "D-3", "--reason", "boredom"], APPLICANT,
         INVALID),
        (["case", "open", "C-9", "--deposit", "D-3", "--reason", "fraud", "--policy",
          "NOPE"], APPLICANT, NOTFOUND),
        (["case", "open", "C-9", "--deposit", "D-1", "--reason", "fraud"], APPLICANT,
         CONFLICT),                                             # one open case per deposit
        (["case", "open", "C-1", "--deposit", "D-3", "--reason", "fraud"], APPLICANT,
         CONFLICT),                                             # case id taken
        (["case", "open", "C-9", "--deposit", "D-3", "--reason", "fraud"], FINANCE, DENIED),
        (["case", "open", "C-9", "--reason", "fraud"], APPLICANT, USAGE),
        # Every action, wrongly.
        (["case", "attach", "C-404", "receipt", "R"], APPLICANT, NOTFOUND),
        (["case", "attach", "C-1", "tea_leaves", "R"], APPLICANT, INVALID),
        (["case", "attach", "C-1", "receipt", "R"], REVIEWER, DENIED),
        (["case", "attach", "C-2", "receipt", "R"], APPLICANT, STATE),
        (["case", "attach", "C-1", "receipt", "x" * 300], APPLICANT, INVALID),
        (["case", "submit", "C-1", "--name", "Z", "--account", "6222020200112233445",
          "--bank", "ICBC"], APPLICANT, STATE),
        (["case", "submit", "C-1", "--name", "Z"], APPLICANT, USAGE),
        (["case", "submit", "C-1", "--name", "Z", "--account", "1", "--method",
          "pigeon"], APPLICANT, INVALID),
        (["case", "review", "C-1"], REVIEWER, STATE),
        (["case", "review", "C-1"], APPLICANT, STATE),        # state is checked first
        (["case", "start-review", "C-404"], REVIEWER, NOTFOUND),
        (["case", "request-docs", "C-1", "tea_leaves"], REVIEWER, INVALID),
        (["case", "request-docs", "C-1", "other"], APPLICANT, DENIED),
        (["case", "request-docs", "C-1"], REVIEWER, USAGE),
        (["case", "provide-docs", "C-1"], APPLICANT, STATE),
        (["case", "approve", "C-1", "--amount", "4.9.0"], REVIEWER, INVALID),
        (["case", "approve", "C-1", "--amount", "100000.00"], REVIEWER, INVALID),
        (["case", "approve", "C-1", "--amount", "-1.00"], REVIEWER, INVALID),
        (["case", "approve", "C-1"], APPLICANT, DENIED),
        (["case", "approve", "C-2"], REVIEWER, STATE),
        (["case", "reject", "C-1", "--reason", "mood", "--text", "no"], REVIEWER, INVALID),
        (["case", "reject", "C-1", "--reason", "other"], REVIEWER, USAGE),
        (["case", "reject", "C-2", "--reason", "other", "--text", "no"], REVIEWER, STATE),
        (["case", "appeal", "C-1"], APPLICANT, STATE),
        (["case", "receive-device", "C-1"], AGENT, STATE),
        (["case", "inspect", "C-1", "--grade", "shiny"], AGENT, INVALID),
        (["case", "inspect", "C-1", "--grade", "fine", "--missing-parts", "101"], AGENT,
         INVALID),
        (["case", "inspect", "C-1", "--grade", "fine"], AGENT, STATE),
        (["case", "set-offset", "C-1", "--owed", "lots"], FINANCE, INVALID),
        (["case", "set-offset", "C-1", "--owed", "5.00"], APPLICANT, DENIED),
        (["case", "offer", "C-1", "--parts", "0"], FINANCE, INVALID),
        (["case", "offer", "C-1", "--parts", "99"], FINANCE, INVALID),
        (["case", "offer", "C-1"], FINANCE, STATE),
        (["case", "accept", "C-2"], REVIEWER, STATE),
        (["case", "accept", "C-1"], APPLICANT, STATE),
        (["case", "pay", "C-2", "--part", "1", "--ref", "TX-again"], FINANCE, STATE),
        (["case", "pay", "C-2", "--part", "7", "--ref", "TX-7"], FINANCE, INVALID),
        (["case", "pay", "C-2", "--part", "2", "--ref", "TX-2"], REVIEWER, DENIED),
        (["case", "pay", "C-2", "--part", "2"], FINANCE, USAGE),
        (["case", "pay", "C-1", "--ref", "TX"], FINANCE, STATE),
        (["case", "pay-failed", "C-2", "--part", "1", "--reason", "x"], FINANCE, STATE),
        (["case", "pay-failed", "C-2", "--part", "two", "--reason", "x"], FINANCE, INVALID),
        (["case", "confirm", "C-2"], APPLICANT, STATE),
        (["case", "withdraw", "C-2"], APPLICANT, STATE),
        (["case", "withdraw", "C-1"], FINANCE, DENIED),
        (["case", "escalate", "C-1", "--party", "mum"], APPLICANT, INVALID),
        (["case", "escalate", "C-1", "--party", "legal"], FINANCE, DENIED),
        (["case", "reevaluate", "C-1", "--policy-version", "1"], REVIEWER, INVALID),
        (["case", "reevaluate", "C-1", "--policy-version", "7"], REVIEWER, NOTFOUND),
        (["case", "reevaluate", "C-1", "--policy-version", "seven"], REVIEWER, INVALID),
        (["case", "quote", "C-404"], None, NOTFOUND),
        (["case", "show", "C-404"], None, NOTFOUND),
        (["case", "list", "--state", "limbo"], None, INVALID),
        (["case", "list", "--limit", "-3"], None, INVALID),
        # Sweeps.
        (["tick", "--limit", "x"], None, INVALID),
        (["overdue", "--within", "3x"], None, INVALID),
        (["overdue", "--within", "-2d"], None, INVALID),
    ]


class Hostile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        db = cls.db = rctl.Db()
        rctl.init(db)
        for dep in ("D-1", "D-2", "D-3"):
            rctl.add_deposit(db, dep)
        rctl.drive(db, "C-1", "D-1", "under_review")
        rctl.drive(db, "C-2", "D-2", "payout", reason="device_fault", parts=2)
        db.ok("case", "pay", "C-2", "--part", "1", "--ref", "TX-1", actor=FINANCE,
              now=NOW)

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def test_every_command_refuses_and_changes_nothing(self):
        db = self.db
        cases = hostile(db)
        self.assertGreaterEqual(len(cases), 100)
        before = rctl.dump(db.path)
        for args, actor, code in cases:
            with self.subTest(args=" ".join(args)):
                r = db.run(*args, actor=actor, now=NOW)
                self.assertEqual(r.rc, code, r)
                self.assertTrue(r.err.strip(), "no message: %r" % r)
                self.assertTrue(r.err.startswith("refundctl"), r)
                self.assertNotIn("Segmentation", r.err)
                self.assertEqual(rctl.dump(db.path), before, "database changed: %r" % r)

    def test_messages_say_what_to_do(self):
        db = self.db
        r = db.run("case", "approve", "C-2", actor=REVIEWER, now=NOW)
        self.assertIn("case C-2 is payout", r.err)
        self.assertIn("next: finance pays each part", r.err)
        r = db.run("deposit", "import", db.file("b.csv", BROKEN_CSV), actor=AGENT)
        for line in (3, 4, 5, 6, 7, 8, 9, 10):
            self.assertIn("line %d:" % line, r.err)
        self.assertIn("appears again (first on line 2)", r.err)
        self.assertIn("nothing imported", r.err)
        self.assertIn("--skip-bad", r.err)
        r = db.run("deposit", "show", "D-404")
        self.assertIn("hint:", r.err)

    def test_skip_bad_imports_only_the_good_row(self):
        db = rctl.Db()
        try:
            rctl.init(db)
            r = db.run("--json", "deposit", "import", db.file("b.csv", BROKEN_CSV),
                       "--skip-bad", actor=AGENT)
            self.assertEqual(r.rc, 0, r)
            j = r.json()
            self.assertEqual((j["imported"], j["skipped"]), (1, 8))
            self.assertEqual([b["line"] for b in j["bad"]], [3, 4, 5, 6, 7, 8, 9, 10])
            self.assertEqual(db.run("deposit", "show", "H-1").rc, 0)
        finally:
            db.close()

    def test_verify_finds_tampering(self):
        db = rctl.Db()
        try:
            rctl.init(db)
            rctl.add_deposit(db, "D-1")
            rctl.drive(db, "C-1", "D-1", "under_review")
            import sqlite3
            con = sqlite3.connect(db.path)
            # The actor, length-prefixed in a binary event: "M-1" becomes "M-X".
            con.execute("UPDATE refund_events SET data = CAST(replace(data, "
                        "X'044D2D31', X'044D2D58') AS BLOB) WHERE seq = 2")
            con.commit()
            con.close()
            r = db.run("verify")
            self.assertEqual(r.rc, rctl.STORAGE, r)
            self.assertIn("audit chain broken", r.out)
        finally:
            db.close()


if __name__ == "__main__":
    rctl.main()
