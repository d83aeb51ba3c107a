"""refundctl end to end: every command works, its JSON has the documented keys,
and --help works on every subcommand."""
import json
import os
import pty
import subprocess
import unittest

import rctl
from rctl import ADMIN, AGENT, APPLICANT, FINANCE, REVIEWER

GROUPS = {
    "policy": ["show", "load", "default"],
    "deposit": ["add", "show", "list", "import", "usage"],
    "case": ["open", "attach", "submit", "review", "start-review", "request-docs",
             "provide-docs", "approve", "reject", "appeal", "receive-device", "inspect",
             "set-offset", "offer", "accept", "pay", "pay-failed", "confirm", "withdraw",
             "escalate", "reevaluate", "quote", "show", "list"],
}

CASE_KEYS = {"id", "deposit", "state", "final", "reason", "policy", "policy_version",
             "version", "evidence", "missing_evidence", "escalations", "parts",
             "deadline"}
EVENT_KEYS = {"seq", "at", "actor", "role", "action", "from", "to", "amount", "reason",
              "note", "policy_version", "policy_version_before", "deadline",
              "closes_deadline", "prev_hash", "hash"}
DEPOSIT_KEYS = {"id", "holder", "agent", "terminal", "contract", "receipt", "currency",
                "paid_at", "contract_end", "days_in_service", "transaction_volume",
                "version", "open_case", "balance"}


class Help(unittest.TestCase):
    def test_help_everywhere(self):
        db = rctl.Db()
        try:
            for cmd in [[], ["init"], ["tick"], ["overdue"], ["verify"], ["demo"]]:
                r = db.run(*cmd, "--help")
                self.assertEqual(r.rc, 0, r)
                self.assertIn("usage: refundctl", r.out)
            for group, subs in GROUPS.items():
                r = db.run(group, "--help")
                self.assertEqual(r.rc, 0, r)
                for sub in subs:
                    self.assertIn(sub, r.out)
                    h = db.run(group, sub, "--help")
                    self.assertEqual(h.rc, 0, h)
                    self.assertIn("usage: refundctl %s %s" % (group, sub), h.out)
                    self.assertIn("--db FILE", h.out)
            # --help needs no database: none was created.
            self.assertFalse(os.path.exists(db.path))
        finally:
            db.close()

    def test_missing_command_is_usage(self):
        db = rctl.Db()
        try:
            self.assertEqual(db.run().rc, rctl.USAGE)
            self.assertEqual(db.run("case").rc, rctl.USAGE)
            self.assertEqual(db.run("case", "frobnicate").rc, rctl.USAGE)
        finally:
            db.close()


class ManPage(unittest.TestCase):
    def test_documents_every_command_key_and_exit_code(self):
        with open(os.path.join(rctl.SOURCE_ROOT, "docs", "refundctl.1"),
                  encoding="utf-8") as f:
            man = f.read().replace("\\-", "-").replace("\\fB", "").replace("\\fR", "")
        for group, subs in GROUPS.items():
            for sub in subs:
                self.assertIn(sub, man, "%s %s" % (group, sub))
        for key in CASE_KEYS | EVENT_KEYS | DEPOSIT_KEYS | {"ledger", "quote", "explanation",
                                                            "events", "closes_deadline"}:
            self.assertIn(key, man, key)
        for code in range(9):
            self.assertIn(".B %d\n" % code, man, code)
        for env in ("REFUNDCTL_DB", "REFUNDCTL_AS", "REFUNDCTL_LANG", "REFUNDCTL_TZ"):
            self.assertIn(env, man)


class Workflow(unittest.TestCase):
    def setUp(self):
        self.db = rctl.Db()
        rctl.init(self.db)
        rctl.add_deposit(self.db, "D-1")

    def tearDown(self):
        self.db.close()

    def test_init_is_idempotent_and_reports_json(self):
        r = self.db.ok("--json", "init")
        j = r.json()
        self.assertEqual(j["created"], False)
        self.assertIsNone(j["policy"])
        r = self.db.ok("--json", "policy", "show")
        j = r.json()
        self.assertEqual((j["id"], j["version"], j["currency"]), ("POS-STD", 1, "CNY"))
        self.assertIn("installments 3 every 1 month", j["text"])

    def test_policy_load_publishes_next_version(self):
        r = self.db.ok("--json", "policy", "load", rctl.POLICY, actor=ADMIN)
        self.assertEqual(r.json()["policy"]["version"], 2)
        r = self.db.ok("policy", "show", "POS-STD@1")
        self.assertIn("version 1", r.out)

    def test_full_refund_with_installments(self):
        db = self.db
        rctl.drive(db, "C-1", "D-1", "payout", reason="device_fault", parts=3)
        j = db.ok("--json", "case", "show", "C-1", now="2025-03-06T11:00+08:00").json()
        self.assertTrue(CASE_KEYS <= set(j), set(j))
        self.assertEqual(j["state"], "payout")
        self.assertEqual([p["status"] for p in j["parts"]], ["pending"] * 3)
        amounts = [p["amount"] for p in j["parts"]]
        self.assertEqual(j["quote"]["net"], "490.00")
        self.assertEqual(sum(int(a.replace(".", "")) for a in amounts), 49000)
        for ev in j["events"]:
            self.assertTrue(EVENT_KEYS <= set(ev), set(ev))
        self.assertEqual(j["events"][0]["action"], "open")
        self.assertIsNone(j["events"][0]["from"])
        self.assertEqual(j["events"][1]["prev_hash"], j["events"][0]["hash"])
        met = [e["closes_deadline"] for e in j["events"] if e["closes_deadline"]]
        self.assertTrue(met and all(m["met"] for m in met))

        db.ok("case", "pay", "C-1", "--part", "1", "--ref", "TX-1", actor=FINANCE,
              now="2025-03-07T10:00+08:00")
        r = db.run("case", "pay", "C-1", "--part", "1", "--ref", "TX-1b", actor=FINANCE,
                   now="2025-03-07T10:01+08:00")
        self.assertEqual(r.rc, rctl.STATE, r)
        self.assertIn("paid already", r.err)
        self.assertIn("next:", r.err)
        db.ok("case", "pay-failed", "C-1", "--reason", "wrong account", actor=FINANCE,
              now="2025-04-07T10:00+08:00")
        db.ok("case", "pay", "C-1", "--ref", "TX-2", actor=FINANCE,
              now="2025-04-08T10:00+08:00")
        r = db.ok("--json", "case", "pay", "C-1", "--ref", "TX-3", actor=FINANCE,
                  now="2025-05-07T10:00+08:00")
        self.assertEqual(r.json()["state"], "paid")
        self.assertEqual([p["attempts"] for p in r.json()["parts"]], [1, 2, 1])
        db.ok("case", "confirm", "C-1", actor=APPLICANT, now="2025-05-08T10:00+08:00")

        dep = db.ok("--json", "deposit", "show", "D-1").json()
        self.assertTrue(DEPOSIT_KEYS | {"ledger"} <= set(dep))
        self.assertEqual(dep["balance"], {"held": "500.00", "refunded": "490.00",
                                          "deducted": "10.00", "remaining": "0.00"})
        self.assertEqual([e["kind"] for e in dep["ledger"]],
                         ["hold", "handling_fee", "refund", "refund", "refund"])
        self.assertIsNone(dep["open_case"])
        text = db.ok("case", "show", "C-1", "--tz", "+08:00").out
        for word in ("timeline:", "pay_failed", "wrong account", "deadline", "met",
                     "quote (CNY):", "next: nothing"):
            self.assertIn(word, text)
        v = db.ok("--json", "verify").json()
        self.assertEqual((v["ok"], v["cases"], v["deposits"], v["payouts"]),
                         (True, 1, 1, 3))

    def test_documents_requested_then_expired_by_tick(self):
        db = self.db
        rctl.drive(db, "C-1", "D-1", "under_review")
        db.ok("case", "request-docs", "C-1", "other", "--note", "bank statement please",
              actor=REVIEWER, now="2025-03-04T10:00+08:00")
        r = db.run("case", "provide-docs", "C-1", actor=APPLICANT,
                   now="2025-03-05T10:00+08:00")
        self.assertEqual(r.rc, rctl.STATE, r)
        self.assertIn("missing evidence: other", r.err)
        ov = db.ok("--json", "overdue", "--within", "20d",
                   now="2025-03-05T10:00+08:00").json()
        self.assertEqual([c["id"] for c in ov["cases"]], ["C-1"])
        self.assertFalse(ov["cases"][0]["overdue"])
        self.assertEqual(ov["cases"][0]["consequence"], "expire")
        self.assertEqual(db.ok("--json", "overdue", now="2025-03-05T10:00+08:00")
                         .json()["cases"], [])
        t = db.ok("--json", "tick", now="2025-04-30T10:00+08:00").json()
        self.assertGreaterEqual(t["consequences"], 1)
        self.assertIn("expire", [f["action"] for f in t["fired"]])
        self.assertEqual(db.ok("--json", "case", "show", "C-1").json()["state"], "expired")
        t = db.ok("--json", "tick", now="2025-04-30T10:00+08:00").json()
        self.assertEqual((t["reminders"], t["consequences"]), (0, 0))

    def test_review_escalates_when_overdue(self):
        db = self.db
        rctl.drive(db, "C-1", "D-1", "under_review")
        ov = db.ok("--json", "overdue", now="2025-03-20T10:00+08:00").json()
        self.assertEqual(ov["cases"][0]["state"], "under_review")
        self.assertTrue(ov["cases"][0]["overdue"])
        self.assertIn("OVERDUE", db.ok("overdue", now="2025-03-20T10:00+08:00").out)
        db.ok("tick", now="2025-03-20T10:00+08:00")
        j = db.ok("--json", "case", "show", "C-1", now="2025-03-20T10:00+08:00").json()
        self.assertEqual(j["escalations"], ["regulator", "consumer_association"])
        self.assertIn("missed", db.ok("case", "show", "C-1",
                                      now="2025-03-20T10:00+08:00").out)

    def test_reject_appeal_withdraw_escalate_offset_reevaluate(self):
        db = self.db
        rctl.drive(db, "C-1", "D-1", "under_review")
        db.ok("case", "reject", "C-1", "--reason", "not_eligible", "--text", "too early",
              actor=REVIEWER, now="2025-03-04T10:00+08:00")
        db.ok("case", "appeal", "C-1", "--note", "it was 200 days", actor=APPLICANT,
              now="2025-03-05T10:00+08:00")
        db.ok("case", "escalate", "C-1", "--party", "legal", actor=APPLICANT,
              now="2025-03-05T11:00+08:00")
        db.ok("case", "set-offset", "C-1", "--owed", "25.00", actor=FINANCE,
              now="2025-03-05T12:00+08:00")
        q = db.ok("--json", "case", "quote", "C-1").json()
        self.assertEqual(q["quote"]["offset"], "25.00")
        self.assertEqual(q["quote"]["net"], "465.00")
        self.assertTrue(q["explanation"])
        db.ok("policy", "load", rctl.POLICY, actor=ADMIN)
        r = db.ok("--json", "case", "reevaluate", "C-1", actor=REVIEWER,
                  now="2025-03-05T13:00+08:00")
        self.assertEqual(r.json()["policy_version"], 2)
        db.ok("case", "withdraw", "C-1", "--note", "sold the shop", actor=APPLICANT,
              now="2025-03-05T14:00+08:00")
        lst = db.ok("--json", "case", "list", "--state", "withdrawn").json()["cases"]
        self.assertEqual([c["id"] for c in lst], ["C-1"])
        self.assertTrue(lst[0]["final"])
        self.assertEqual(db.ok("--json", "case", "list", "--state", "draft")
                         .json()["cases"], [])
        events = db.ok("--json", "case", "show", "C-1").json()["events"]
        self.assertIn({"seq": 11, "action": "reevaluate", "before": 1, "after": 2},
                      [{"seq": e["seq"], "action": e["action"],
                        "before": e["policy_version_before"],
                        "after": e["policy_version"]} for e in events])
        db.ok("case", "open", "C-2", "--deposit", "D-1", "--reason", "needs_changed",
              actor=APPLICANT, now="2025-03-06T10:00+08:00")

    def test_idempotency_key(self):
        db = self.db
        rctl.drive(db, "C-1", "D-1", "draft")
        args = ("--key", "k-1", "case", "attach", "C-1", "receipt", "R-1")
        db.ok(*args, actor=APPLICANT, now="2025-03-03T10:01+08:00")
        db.ok(*args, actor=APPLICANT, now="2025-03-03T10:02+08:00")
        j = db.ok("--json", "case", "show", "C-1").json()
        self.assertEqual([e["action"] for e in j["events"]], ["open", "attach"])
        r = db.run("--key", "k-1", "case", "attach", "C-1", "contract", "C-9",
                   actor=APPLICANT)
        self.assertEqual(r.rc, rctl.CONFLICT, r)

    def test_chinese_messages(self):
        r = self.db.run("--lang", "zh-CN", "deposit", "show", "D-404")
        self.assertEqual(r.rc, rctl.NOTFOUND)
        self.assertIn("提示", r.err)

    def test_environment_and_defaults(self):
        env = rctl.clean_env(self.db.path)
        env["REFUNDCTL_AS"] = APPLICANT
        env["REFUNDCTL_TZ"] = "+08:00"
        r = rctl.run(self.db.path, "case", "open", "C-1", "--deposit", "D-1", "--reason",
                     "needs_changed", env=env)
        self.assertEqual(r.rc, 0, r)
        r = rctl.run(self.db.path, "deposit", "show", "D-1", env=env)
        self.assertIn("2024-01-01T08:00:00+08:00", r.out)


class Import(unittest.TestCase):
    def setUp(self):
        self.db = rctl.Db()
        rctl.init(self.db)

    def tearDown(self):
        self.db.close()

    def csv(self, n, start=0):
        rows = ["id,holder,agent,terminal,amount,currency,paid_at,contract,receipt"]
        for i in range(start, start + n):
            rows.append('I-%05d,M-%d,AG-%d,SN-%05d,%d.00,CNY,2024-05-01,CT-%d,"R ""%d"""'
                        % (i, i, i % 7, i, 100 + i % 400, i, i))
        return self.db.file("d%d.csv" % n, "\r\n".join(rows) + "\r\n")

    def test_import_good_file_and_again(self):
        path = self.csv(300)
        j = self.db.ok("--json", "deposit", "import", path, actor=AGENT).json()
        self.assertEqual((j["rows"], j["imported"], j["already_present"], j["refused"]),
                         (300, 300, 0, False))
        dep = self.db.ok("--json", "deposit", "show", "I-00007").json()
        self.assertEqual(dep["receipt"], 'R "7"')
        self.assertEqual(dep["balance"]["held"], "107.00")
        j = self.db.ok("--json", "deposit", "import", path, actor=AGENT).json()
        self.assertEqual((j["imported"], j["already_present"]), (0, 300))
        lst = self.db.ok("--json", "deposit", "list", "--agent", "AG-3", "--limit", "5")
        self.assertEqual(len(lst.json()["deposits"]), 5)

    def test_progress_bar_on_a_terminal(self):
        path = self.csv(400)
        master, slave = pty.openpty()
        env = rctl.clean_env(self.db.path)
        p = subprocess.Popen([rctl.REFUNDCTL, "--as", AGENT, "deposit", "import", path],
                             stdout=subprocess.PIPE, stderr=slave, env=env)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        out = p.communicate()[0]
        os.close(master)
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"importing", seen)
        self.assertIn(b"100%", seen)
        self.assertIn(b"imported 400 deposits", out)
        # Not a terminal: no bar.
        r = self.db.ok("deposit", "import", self.csv(250, 1000), actor=AGENT)
        self.assertNotIn("[#", r.err)

    def test_skip_bad(self):
        path = self.db.file("mixed.csv", "id,holder,agent,terminal,amount,paid_at\n"
                            "G-1,M-1,AG-1,SN-1,10.00,2024-01-01\n"
                            "G-2,M-1,AG-1,SN-2,ten,2024-01-01\n"
                            "G-3,M-1,AG-1,SN-3,30.00,2024-01-01\n")
        j = self.db.ok("--json", "deposit", "import", path, "--skip-bad",
                       actor=AGENT).json()
        self.assertEqual((j["imported"], j["skipped"]), (2, 1))
        self.assertEqual(j["bad"][0]["line"], 3)
        self.assertEqual(j["bad"][0]["exit_code"], rctl.INVALID)
        self.assertEqual(self.db.run("deposit", "show", "G-2").rc, rctl.NOTFOUND)


if __name__ == "__main__":
    rctl.main()
