"""Concurrency: five refundctl clerks at once on one database drive the same
cases (every one of them pays every installment, marks payouts failed, ticks
overdue deadlines and opens competing applications).  Every installment ends
paid exactly once, by one clerk, whose reference it carries; each deposit
gets one open case; conflicts are retried or reported with exit code 5,
never lost; the audit chains and ledgers verify."""
import collections
import random
import threading
import unittest

import rctl
from rctl import APPLICANT, CONFLICT, OK, STATE

WORKERS = 5
CASES = 6
PARTS = 3
FREE = 4
NOW = "2025-03-20T10:00+08:00"   # payout deadlines are overdue: ticks compete too


def jobs_for(w):
    jobs = []
    for i in range(CASES):
        for p in range(1, PARTS + 1):
            jobs.append(("pay", i, p, ["case", "pay", "C-%d" % i, "--part", str(p),
                                       "--ref", "W%d-C%d-P%d" % (w, i, p)]))
            if (w + i + p) % 3 == 0:
                jobs.append(("failed", i, p, ["case", "pay-failed", "C-%d" % i, "--part",
                                              str(p), "--reason", "clerk %d saw a bounce" % w]))
    for k in range(FREE):
        jobs.append(("open", k, 0, ["case", "open", "R-%d-%d" % (k, w), "--deposit",
                                    "F-%d" % k, "--reason", "needs_changed"]))
    jobs += [("tick", 0, 0, ["--json", "tick"])] * 3
    jobs += [("show", i, 0, ["case", "show", "C-%d" % i]) for i in range(CASES)]
    # Every clerk works through the cases in the same order, each in its own
    # order within a case, so that they meet on the same case at once.
    rng = random.Random(w)
    rng.shuffle(jobs)
    jobs.sort(key=lambda j: j[1] if j[0] in ("pay", "failed", "show") else rng.random() * CASES)
    return jobs


class Concurrency(unittest.TestCase):
    def test_clerks_at_once(self):
        db = rctl.Db()
        try:
            rctl.init(db)
            for i in range(CASES):
                rctl.add_deposit(db, "D-%d" % i, amount="%d.00" % (600 + 10 * i))
                rctl.drive(db, "C-%d" % i, "D-%d" % i, "payout", parts=PARTS)
            for k in range(FREE):
                rctl.add_deposit(db, "F-%d" % k)
            results = []
            lock = threading.Lock()
            start = threading.Barrier(WORKERS)
            env = rctl.clean_env(db.path)
            env["REFUNDCTL_DEBUG"] = "1"      # report each retry on stderr

            def clerk(w):
                start.wait()
                for kind, i, p, args in jobs_for(w):
                    actor = {"open": APPLICANT, "tick": None,
                             "show": None}.get(kind, "F-%d:finance" % w)
                    r = db.run(*args, actor=actor, now=NOW, timeout=120, env=env)
                    with lock:
                        results.append((w, kind, i, p, r))

            threads = [threading.Thread(target=clerk, args=(w,)) for w in range(WORKERS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

            paid_by = collections.defaultdict(list)
            reported = collections.Counter()
            opened = collections.defaultdict(list)
            tick_conflicts = 0
            retries = collections.Counter()
            for w, kind, i, p, r in results:
                for line in r.err.splitlines():
                    if line.startswith("refundctl: retry"):
                        retries[line.split()[-1]] += 1
                if kind in ("pay", "failed"):
                    self.assertIn(r.rc, (OK, STATE, CONFLICT), r)
                    if r.rc == CONFLICT:
                        reported[(i, p)] += 1
                        self.assertIn("hint", r.err)
                    if kind == "pay" and r.rc == OK:
                        paid_by[(i, p)].append(w)
                elif kind == "open":
                    self.assertIn(r.rc, (OK, CONFLICT), r)
                    if r.rc == OK:
                        opened[i].append(w)
                elif kind == "tick":
                    self.assertEqual(r.rc, OK, r)
                    tick_conflicts += r.json()["conflicts"]
                else:
                    self.assertEqual(r.rc, OK, r)

            for i in range(CASES):
                j = db.ok("--json", "case", "show", "C-%d" % i, now=NOW).json()
                for p, part in enumerate(j["parts"], 1):
                    payers = paid_by[(i, p)]
                    # At most one payout per installment...
                    self.assertLessEqual(len(payers), 1, (i, p, payers))
                    # ...and never lost: paid, or the clerk was told (exit 5).
                    if payers:
                        self.assertEqual(part["status"], "paid")
                        self.assertEqual(part["reference"], "W%d-C%d-P%d" % (payers[0], i, p))
                    else:
                        self.assertGreater(reported[(i, p)], 0, (i, p))
                        self.assertNotEqual(part["status"], "paid")
                pays = [e for e in j["events"] if e["action"] == "pay"]
                self.assertEqual(len(pays), sum(1 for p in range(1, PARTS + 1)
                                                if paid_by[(i, p)]))
                if all(paid_by[(i, p)] for p in range(1, PARTS + 1)):
                    self.assertEqual(j["state"], "paid")
            for k in range(FREE):
                cases = db.ok("--json", "case", "list", "--deposit", "F-%d" % k).json()
                self.assertEqual(len(cases["cases"]), len(opened[k]))
                self.assertLessEqual(len(opened[k]), 1)
            v = db.ok("--json", "verify").json()
            self.assertTrue(v["ok"], v)
            rctl.raw_check(db.path)
            # The clerks did collide: conflicts happened and were retried.
            self.assertGreater(sum(retries.values()) + tick_conflicts, 0)
            print("%d commands by %d clerks; %d installments paid; retries: %s; %d "
                  "reported conflicts; %d tick conflicts left to another clerk" % (
                      len(results), WORKERS, sum(1 for v in paid_by.values() if v),
                      dict(retries), sum(reported.values()), tick_conflicts))
        finally:
            db.close()


if __name__ == "__main__":
    rctl.main()
