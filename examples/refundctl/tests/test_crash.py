"""Crash safety.  A long scripted run of refundctl (cases from opening to the
last installment, CSV imports, ticks) is killed with SIGKILL at random
moments, 50 times; after each kill the run resumes with the command that was
interrupted (every case action carries an idempotency key, so running it
again is safe), until the next kill.  Every fifth kill hits a lone CSV
import instead.  After each kill:
  - `refundctl verify` passes: every audit chain verifies, every deposit's
    ledger balances, every payout in a ledger has its pay event;
  - the same checks, done independently on the raw SQLite rows, pass;
  - an interrupted import, run again, completes without duplicates.
At the end the run is finished without kills: every case is closed with
every installment paid exactly once.
"""
import collections
import os
import random
import signal
import sqlite3
import subprocess
import time
import unittest

import rctl
from rctl import AGENT, APPLICANT, FINANCE, REVIEWER

TRIALS = 50
CASES = 12
IMPORT_ROWS = 150    # in the scripted run, after every third case
BIG_IMPORT = 600     # the lone imports that every fifth trial kills


def case_steps(t):
    """(actor, time, command) driving case T<t>-C through its whole life."""
    c, d = "T%d-C" % t, "T%d-D" % t
    steps = [
        (AGENT, "2025-03-03T09:00+08:00",
         "deposit add %s --holder M-%d --agent AG-7 --terminal SN-%d --amount 900.00 "
         "--paid-at 2024-01-01 --contract-end 2025-01-01" % (d, t, t)),
        (AGENT, "2025-03-03T09:01+08:00",
         "deposit usage %s --days 300 --volume 20000.00" % d),
        (APPLICANT, "2025-03-03T10:00+08:00",
         "case open %s --deposit %s --reason device_fault" % (c, d)),
    ]
    for k in rctl.EVIDENCE["device_fault"]:
        steps.append((APPLICANT, "2025-03-03T10:01+08:00",
                      "case attach %s %s doc-%s" % (c, k, k)))
    steps += [
        (APPLICANT, "2025-03-03T10:02+08:00",
         "case submit %s --name 'Zhang Wei' --account 6222020200112233445 --bank ICBC" % c),
        (REVIEWER, "2025-03-03T14:00+08:00", "case review %s" % c),
        (REVIEWER, "2025-03-04T10:00+08:00", "case approve %s" % c),
        (AGENT, "2025-03-05T10:00+08:00", "case receive-device %s" % c),
        (AGENT, "2025-03-05T11:00+08:00",
         "case inspect %s --grade damaged --missing-parts 1" % c),
        (FINANCE, "2025-03-05T12:00+08:00", "case offer %s --parts 3" % c),
        (APPLICANT, "2025-03-06T10:00+08:00", "case accept %s" % c),
        (FINANCE, "2025-03-07T10:00+08:00", "case pay %s --part 1 --ref TX-%d-1" % (c, t)),
        (FINANCE, "2025-04-07T10:00+08:00",
         "case pay-failed %s --part 2 --reason 'bank fault'" % c),
        (None, "2025-04-20T10:00+08:00", "tick"),
        (FINANCE, "2025-04-21T10:00+08:00", "case pay %s --part 2 --ref TX-%d-2" % (c, t)),
        (FINANCE, "2025-05-07T10:00+08:00", "case pay %s --part 3 --ref TX-%d-3" % (c, t)),
        (None, "2025-06-30T10:00+08:00", "tick"),
    ]
    return steps


def import_csv(db, name, n):
    rows = ["id,holder,agent,terminal,amount,paid_at"]
    rows += ["%s-I%04d,M-%d,AG-1,SN-%s-%d,%d.00,2024-05-01" % (name, i, i, name, i, 100 + i)
             for i in range(n)]
    return db.file("%s.csv" % name, "\n".join(rows) + "\n")


def command(db, i, step):
    """Step @i as a shell line; case actions carry the idempotency key s<i>."""
    actor, now, cmd = step
    who = "--as %s " % actor if actor else ""
    key = "--key s%d " % i if cmd.startswith("case ") else ""
    return "'%s' %s%s--now %s %s >/dev/null 2>&1" % (rctl.REFUNDCTL, who, key, now, cmd)


def note_progress(i, progress):
    """A shell line recording step @i.  Written aside and renamed, so that a
    kill never leaves the file empty: the run would then resume from an
    older step and replay a tick of a later date over cases still young."""
    return "echo %d > '%s.new' && mv '%s.new' '%s'" % (i, progress, progress, progress)


def script(db, steps, start, progress):
    """The rest of the run from step @start; each step notes its number first."""
    lines = ["#!/bin/sh", "export REFUNDCTL_DB='%s'" % db]
    for i in range(start, len(steps)):
        lines.append(note_progress(i, progress))
        lines.append(command(db, i, steps[i]))
    lines.append(note_progress(len(steps), progress))
    return "\n".join(lines) + "\n"


def case_state(path, case_id):
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT state FROM refund_records WHERE kind = 2 AND id = ?",
                          (case_id,)).fetchone()
    finally:
        con.close()
    return row[0] if row else "not opened"


def count_imported(path, prefix):
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM refund_records WHERE kind = 1 AND id GLOB ?",
                           (prefix + "-I*",)).fetchone()[0]
    finally:
        con.close()


class Crash(unittest.TestCase):
    def check(self, db):
        r = db.run("--json", "verify")
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.json()["ok"], r)
        return rctl.raw_check(db.path)

    def test_sigkill_at_random_points(self):
        db = rctl.Db()
        rng = random.Random(int(os.environ.get("REFUNDCTL_CRASH_SEED", "4")))
        try:
            rctl.init(db)
            steps, imports = [], []
            for t in range(CASES):
                steps += case_steps(t)
                if t % 3 == 2:
                    name = "S%d" % t
                    imports.append(name)
                    steps.append((AGENT, "2025-03-03T09:00+08:00", "deposit import %s"
                                  % import_csv(db, name, IMPORT_ROWS)))
            # How long one command takes here (sanitizers make it slower):
            # each kill comes within the next few commands of the run.
            took = []
            for _ in range(5):
                start = time.monotonic()
                db.ok("deposit", "list", "--limit", "1")
                took.append(time.monotonic() - start)
            window = 8 * sorted(took)[2]
            start = time.monotonic()
            db.ok("deposit", "import", import_csv(db, "B0", BIG_IMPORT), actor=AGENT)
            import_span = time.monotonic() - start

            progress = os.path.join(db.dir, "progress")
            pos, killed_in = 0, collections.Counter()
            for trial in range(1, TRIALS + 1):
                if trial % 5 == 0:
                    name = "B%d" % trial
                    csv = import_csv(db, name, BIG_IMPORT)
                    p = subprocess.Popen([rctl.REFUNDCTL, "--as", AGENT, "deposit",
                                          "import", csv], env=rctl.clean_env(db.path),
                                         stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, start_new_session=True)
                    time.sleep(rng.uniform(0, import_span))
                else:
                    with open(progress, "w") as f:
                        f.write(str(pos))
                    path = db.file("run.sh", script(db.path, steps, pos, progress))
                    p = subprocess.Popen(["sh", path], start_new_session=True)
                    time.sleep(rng.uniform(0, window))
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                with self.subTest(trial=trial):
                    self.check(db)
                    if trial % 5 == 0:
                        done = count_imported(db.path, name)
                        killed_in["lone import" if 0 < done < BIG_IMPORT else
                                  "lone import (before or after)"] += 1
                        j = db.ok("--json", "deposit", "import", csv, actor=AGENT).json()
                        self.assertEqual((j["imported"], j["already_present"]),
                                         (BIG_IMPORT - done, done))
                        self.check(db)
                    else:
                        with open(progress) as f:
                            pos = int(f.read().strip())
                        if pos < len(steps):
                            words = steps[pos][2].split()
                            killed_in[words[1] if len(words) > 1 else words[0]] += 1
            # Finish the run without kills.
            with open(progress, "w") as f:
                f.write(str(pos))
            subprocess.run(["sh", db.file("run.sh", script(db.path, steps, pos, progress))],
                           check=True, timeout=600)
            ncases, ndeposits = self.check(db)
            self.assertEqual(ncases, CASES)
            for t in range(CASES):
                self.assertEqual(case_state(db.path, "T%d-C" % t), "closed", t)
                j = db.ok("--json", "case", "show", "T%d-C" % t).json()
                self.assertEqual([p["reference"] for p in j["parts"]],
                                 ["TX-%d-%d" % (t, k) for k in (1, 2, 3)])
            for name in imports:
                self.assertEqual(count_imported(db.path, name), IMPORT_ROWS)
            print("%d kills (%.2f s window), %d of %d steps reached by the kills; killed "
                  "in: %s; %d cases, %d deposits" % (
                      TRIALS, window, pos, len(steps),
                      ", ".join("%s %d" % kv for kv in sorted(killed_in.items())),
                      ncases, ndeposits))
        finally:
            db.close()


if __name__ == "__main__":
    rctl.main()
