"""refundctl demo: it runs, tells the four stories the same way every time,
ends with balanced ledgers and verified audit chains, and --db keeps a
database the other commands can read."""
import os
import subprocess
import unittest

import rctl


class Demo(unittest.TestCase):
    def demo(self, *args):
        env = rctl.clean_env("/nonexistent/refund.db")
        p = subprocess.run([rctl.REFUNDCTL, "demo"] + list(args), capture_output=True,
                           text=True, env=env, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
        return p.stdout

    def test_stories_and_determinism(self):
        out = self.demo()
        self.assertEqual(out, self.demo(), "the demo must print the same every time")
        for line in (
                "== 1. device fault", "== 2. transaction dispute", "== 3. a review",
                "== 4. installments",
                "refused (REFUND_EEVIDENCE)", "refused (REFUND_EDENIED)",
                "pay 1 again", "refused (REFUND_ESTATE)",
                "inspection -> agreement",
                "CASE-2: expire, awaiting_documents -> expired",
                "under_review; due 2025-10-10 16:00",
                "CASE-3: escalate (stays under_review)",
                "escalated to: regulator consumer_association",
                "pay_failed 2", "part 2: 400.00 CNY, 2 attempts, ref BANK-TX-9002-R",
                "case CASE-4 is closed",
                "DEP-1001 (M-1001): held 500.00 = refunded 355.00 + deducted 145.00 + "
                "remaining 0.00",
                "DEP-1004 (M-1004): held 1200.00 = refunded 1200.00 + deducted 0.00 + "
                "remaining 0.00",
                "audit chains: 4 of 4 cases verify"):
            self.assertIn(line, out)
        self.assertLess(len(out.splitlines()), 110, "a minute of reading at most")

    def test_keeps_the_database_with_db(self):
        db = rctl.Db()
        try:
            out = self.demo("--db", db.path)
            self.assertIn("the database is kept in", out)
            self.assertTrue(db.ok("--json", "verify").json()["ok"])
            j = db.ok("--json", "case", "show", "CASE-1").json()
            self.assertEqual(j["state"], "closed")
            self.assertEqual(db.ok("--json", "policy", "show").json()["id"], "pos-standard")
            self.assertEqual(db.run("demo", "--db", db.path).rc, rctl.CONFLICT)
        finally:
            db.close()

    def test_no_scratch_files_left(self):
        tmp = rctl.Db()
        try:
            env = rctl.clean_env("/nonexistent/refund.db")
            env["TMPDIR"] = tmp.dir
            subprocess.run([rctl.REFUNDCTL, "demo"], check=True, env=env,
                           capture_output=True, timeout=120)
            self.assertEqual(os.listdir(tmp.dir), [])
        finally:
            tmp.close()


if __name__ == "__main__":
    rctl.main()
