"""refundctl in Chinese: with --lang zh-CN (or REFUNDCTL_LANG=zh-CN) every
command's human output uses the Chinese words of DOMAIN.md, no English label
is left, tables stay aligned on a terminal (a CJK character is two columns
wide), and --json stays the same in every language."""
import os
import re
import subprocess
import unicodedata
import unittest

import rctl
from rctl import ADMIN, AGENT, APPLICANT, FINANCE, REVIEWER

# English labels of refundctl's human output: none may be left in Chinese.
ENGLISH_LABELS = [
    # fields, table words, confirmations, summaries
    "case", "cases", "deposit", "deposits", "state", "reason", "policy", "version",
    "evidence", "missing", "still missing", "needs", "escalated to", "nobody", "none",
    "deadline", "due", "overdue", "OVERDUE", "then", "in", "met", "missed",
    "timeline", "quote", "remaining", "usage tier", "gross", "forfeited", "damage",
    "missing parts", "handling fee", "offset", "net", "approved", "not yet",
    "payout parts", "attempt", "attempts", "last failure", "ref", "amount", "note",
    "holder", "terminal", "contract", "contract end", "paid at", "usage",
    "days in service", "volume", "open case", "balance", "ledger", "held",
    "refunded", "deducted", "by", "recorded", "opened", "published", "default",
    "database", "created", "is ready", "tick at", "reminder", "reminders",
    "consequence", "consequences", "applied", "passed", "checked", "payouts",
    "PROBLEMS FOUND", "every audit chain verifies", "imported", "already present",
    "next", "hint", "nothing", "no",
    # states
    "draft", "submitted", "under_review", "awaiting_documents", "device_return",
    "inspection", "agreement", "payout", "paid", "closed", "rejected", "withdrawn",
    "expired",
    # actions
    "open", "attach", "submit", "start_review", "request_documents",
    "provide_documents", "approve", "reject", "appeal", "receive_device", "inspect",
    "offer", "accept", "pay", "pay_failed", "confirm", "withdraw", "escalate",
    "reevaluate", "remind", "expire", "auto_close", "deemed_approval", "set_offset",
    # roles, reasons, evidence, parties, ledger entries, part statuses
    "applicant", "agent", "reviewer", "finance", "admin", "system",
    "device_fault", "transaction_dispute", "needs_changed", "receipt",
    "payment_record", "fault_report", "transaction_records", "regulator",
    "consumer_association", "legal", "hold", "refund", "missing_parts",
    "handling_fee", "pending", "failed",
]
ENGLISH_RE = re.compile(r"(?<![A-Za-z_])(%s)(?![A-Za-z_])" % "|".join(
    re.escape(w) for w in sorted(ENGLISH_LABELS, key=len, reverse=True)))

ZH = ("--lang", "zh-CN")


def width(text):
    """Columns on a terminal: East Asian wide and fullwidth characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def starts(line):
    """The display column where each space-separated field of @line starts."""
    return [width(line[:m.start()]) for m in re.finditer(r"\S+", line)]


def column_of(line, needle):
    return width(line[:line.index(needle)])


def strip_data(text):
    """Leave out what is not a label: the library's stored texts (event reasons,
    ledger references), the next-step lines and the commands hints quote, file
    paths and the error names in brackets."""
    text = re.sub(r"原因：.*", "", text)
    text = re.sub(r"凭证 (inspection|handling fee)", "", text)
    text = re.sub(r"下一步: .*", "", text)
    text = re.sub(r"refundctl [^\"）]*", "", text)
    text = re.sub(r"/\S+", "", text)
    text = re.sub(r"\[REFUND_[A-Z]+\]", "", text)
    return text


class Chinese(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = rctl.Db()
        cls.out = {}
        db = cls.db

        def zh(name, *args, actor=None, now="2025-03-03T10:00+08:00"):
            cls.out[name] = db.ok(*ZH, *args, actor=actor, now=now).out

        zh("init", "init", "--policy", rctl.POLICY, actor=ADMIN)
        for dep, holder in (("D-1", "M-1"), ("D-2", "M-2"), ("D-3", "M-3")):
            zh("deposit add", "deposit", "add", dep, "--holder", holder, "--agent", "AG-7",
               "--terminal", "SN-" + dep, "--amount", "500.00", "--paid-at", "2024-01-01",
               "--contract-end", "2025-01-01", actor=AGENT)
        zh("deposit usage", "deposit", "usage", "D-1", "--days", "200", "--volume",
           "2000.00", actor=AGENT)
        zh("case open", "case", "open", "C-1", "--deposit", "D-1", "--reason",
           "device_fault", actor=APPLICANT)
        zh("attach", "case", "attach", "C-1", "receipt", "F1", actor=APPLICANT)
        for n, kind in enumerate(["contract", "payment_record", "fault_report"], 2):
            db.ok("case", "attach", "C-1", kind, "F%d" % n, actor=APPLICANT,
                  now="2025-03-03T10:00+08:00")
        db.ok("case", "open", "C-2", "--deposit", "D-2", "--reason", "needs_changed",
              actor="M-2:applicant", now="2025-03-03T10:00+08:00")
        for kind in rctl.EVIDENCE["needs_changed"]:
            db.ok("case", "attach", "C-2", kind, "G1", actor="M-2:applicant",
                  now="2025-03-03T10:00+08:00")
        for case, who in (("C-1", APPLICANT), ("C-2", "M-2:applicant")):
            zh("submit", "case", "submit", case, "--name", "Zhang Wei", "--account",
               "6222020200112233445", "--bank", "ICBC", actor=who)
        zh("review", "case", "review", "C-1", actor=REVIEWER, now="2025-03-03T11:00+08:00")
        zh("approve", "case", "approve", "C-1", actor=REVIEWER, now="2025-03-04T11:00+08:00")
        zh("receive", "case", "receive-device", "C-1", "--tracking", "SF1", actor=AGENT,
           now="2025-03-05T11:00+08:00")
        zh("inspect", "case", "inspect", "C-1", "--grade", "damaged", "--missing-parts",
           "1", actor=AGENT, now="2025-03-05T12:00+08:00")
        zh("offer", "case", "offer", "C-1", "--parts", "2", actor=FINANCE,
           now="2025-03-05T12:00+08:00")
        zh("accept", "case", "accept", "C-1", actor=APPLICANT, now="2025-03-05T13:00+08:00")
        zh("pay-failed", "case", "pay-failed", "C-1", "--reason", "银行系统故障",
           actor=FINANCE, now="2025-03-05T14:00+08:00")
        zh("pay", "case", "pay", "C-1", "--ref", "TX1", actor=FINANCE,
           now="2025-03-05T15:00+08:00")
        later = "2025-03-26T15:00+08:00"
        zh("case show", "case", "show", "C-1", now="2025-03-06T15:00+08:00")
        zh("case show overdue", "case", "show", "C-2", now=later)
        zh("case quote", "case", "quote", "C-1", now="2025-03-06T15:00+08:00")
        zh("case list", "case", "list", now=later)
        zh("case list empty", "case", "list", "--state", "closed")
        zh("deposit show", "deposit", "show", "D-1")
        zh("deposit list", "deposit", "list")
        zh("overdue", "overdue", now=later)
        zh("overdue within", "overdue", "--within", "30d", now="2025-03-04T15:00+08:00")
        zh("overdue none", "overdue", now="2025-03-03T10:00+08:00")
        zh("tick", "tick", now=later)
        zh("verify", "verify")
        zh("policy show", "policy", "show")
        zh("policy default", "policy", "default", "POS-STD")
        cls.out["policy show"] = cls.out["policy show"].splitlines()[0]  # the rest is policy text

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def test_no_english_label_left(self):
        for name, text in self.out.items():
            with self.subTest(command=name):
                left = ENGLISH_RE.findall(strip_data(text))
                self.assertEqual(left, [], "%s:\n%s" % (name, text))

    def test_chinese_labels(self):
        expect = {
            "init": ["已创建", "已发布退款政策 POS-STD 第 1 版", "新案件默认使用该政策"],
            "deposit add": ["已登记押金 D-3", "商户 M-3", "代理商 AG-7", "终端 SN-D-3"],
            "deposit usage": ["已使用 200 天", "交易量 2000.00 CNY"],
            "case open": ["已开立退款案件 C-1", "设备故障或损坏", "所需材料：押金收据、合同协议"],
            "attach": ["添加材料（准备材料）", "仍缺少材料：合同协议、支付凭证、故障报告单"],
            "submit": ["提交申请：准备材料 -> 已提交申请"],
            "review": ["开始审核：已提交申请 -> 审核中；审核中期限"],
            "approve": ["批准：审核中 -> 等待退还终端"],
            "receive": ["收到退还终端：等待退还终端 -> 终端检查中"],
            "inspect": ["检查终端：终端检查中 -> 等待签署退款协议"],
            "offer": ["提出退款协议（等待签署退款协议）"],
            "accept": ["签署退款协议：等待签署退款协议 -> 退款中"],
            "pay-failed": ["付款失败 第 1 期（退款中）"],
            "pay": ["付款 第 1 期（退款中）"],
            "case show": ["退款案件 C-1", "  押金          D-1", "  状态          退款中",
                          "  退款原因      设备故障或损坏", "POS-STD 第 1 版",
                          "  已有材料      押金收据、合同协议、支付凭证、故障报告单",
                          "  缺少材料      无", "  升级投诉至    无",
                          "退款中期限", "（还剩 8天0小时），到期后升级投诉", "分期退款：",
                          "已付款", "待付款", "尝试 2 次", "凭证 TX1",
                          "退款报价（CNY）：", "使用档位",
                          "损坏赔偿", "配件缺失", "手续费", "预计退还", "审核批准",
                          "处理记录：", "开案", "M-1（申请人）", "AG-7（代理商）",
                          "R-1（审核员）", "F-1（财务）", "金额 490.00 CNY", "：按时完成",
                          "下一步: 财务逐期付款"],
            "case show overdue": ["（已逾期 22天5小时）", "尚未批准"],
            "case quote": ["退款案件 C-1 退款报价（CNY）：", "押金余额 500.00 CNY"],
            "case list": ["退款中", "已提交申请", "设备故障或损坏", "需求变化或合同到期",
                          "（已逾期）"],
            "case list empty": ["没有退款案件"],
            "deposit show": ["押金 D-1", "  商户          M-1", "  代理商        AG-7",
                             "  缴纳时间      2024-01-01", "  进行中的案件  C-1",
                             "押金 500.00 = 已退还 160.00 + 已扣款 180.00 + 余额 160.00 CNY",
                             "  台账:", "损坏赔偿", "经办 AG-7（代理商）", "案件 C-1"],
            "deposit list": ["余额 160.00  案件 C-1", "余额 500.00  案件 -"],
            "overdue": ["已逾期 22天5小时", "到期后升级投诉", "已提交申请"],
            "overdue within": ["还剩 10天0小时", "已逾期 5小时0分钟"],
            "overdue none": ["没有逾期的案件"],
            "tick": ["期限检查于", "到期处理", "升级投诉", "提醒", "，已过）",
                     "执行到期后果"],
            "verify": ["已核查 2 个退款案件、3 笔押金、1 笔付款", "审计链全部验证通过"],
            "policy show": ["# 退款政策 POS-STD 第 1 版（CNY）"],
            "policy default": ["新案件默认使用退款政策 POS-STD"],
        }
        for name, parts in expect.items():
            for part in parts:
                with self.subTest(command=name, text=part):
                    self.assertIn(part, self.out[name])

    def assertAligned(self, rows, columns, what):
        self.assertGreaterEqual(len(rows), 2, what)
        got = [starts(r)[:columns] for r in rows]
        self.assertTrue(all(len(g) == columns for g in got), "%s: %r" % (what, rows))
        self.assertEqual(len(set(map(tuple, got))), 1, "%s not aligned:\n%s" % (
            what, "\n".join(rows)))

    def test_tables_aligned(self):
        self.assertAligned(self.out["case list"].splitlines(), 5, "case list")
        self.assertAligned(self.out["deposit list"].splitlines(), 5, "deposit list")
        self.assertAligned(self.out["overdue"].splitlines(), 4, "overdue")
        self.assertAligned(self.out["tick"].splitlines()[1:-1], 3, "tick")

    def test_case_show_aligned(self):
        lines = self.out["case show"].splitlines()
        fields = lines[1:9]
        self.assertEqual({starts(l)[1] for l in fields}, {16}, "\n".join(fields))
        quote = lines[lines.index("退款报价（CNY）：") + 1:][:10]
        self.assertEqual({width(l) for l in quote}, {29}, "\n".join(quote))
        events = [l for l in lines if re.match(r"^\s+\d+  \d{4}-", l)]
        # seq, time, action, then the actor after the 34 columns of the move
        self.assertEqual(len({(starts(l)[2], starts(l)[-1]) for l in events}), 1,
                         "\n".join(events))
        parts = [l for l in lines if "到期 2025" in l]
        self.assertEqual(len(parts), 2)
        self.assertEqual(len({column_of(l, "尝试") for l in parts}), 1, "\n".join(parts))

    def test_ledger_aligned(self):
        rows = [l for l in self.out["deposit show"].splitlines() if "经办" in l]
        self.assertGreaterEqual(len(rows), 4)
        self.assertEqual(len({column_of(l, "经办") for l in rows}), 1, "\n".join(rows))

    def test_environment_and_json(self):
        env = rctl.clean_env(self.db.path)
        env["REFUNDCTL_LANG"] = "zh-CN"
        r = rctl.run(self.db.path, "case", "show", "C-1", env=env,
                     now="2025-03-06T15:00+08:00")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("处理记录：", r.out)
        self.assertEqual(r.out, self.db.ok(*ZH, "case", "show", "C-1",
                                           now="2025-03-06T15:00+08:00").out)
        # --json: the same keys and enum values in both languages; only the
        # explanation, human text, follows --lang.
        for args in (("case", "show", "C-1"), ("overdue",), ("deposit", "show", "D-1"),
                     ("case", "list"), ("verify",)):
            en = self.db.ok("--json", *args, now="2025-03-06T15:00+08:00").json()
            zh = self.db.ok(*ZH, "--json", *args, now="2025-03-06T15:00+08:00").json()
            if "explanation" in zh:
                self.assertRegex(zh["explanation"], "押金余额")
                en.pop("explanation")
                zh.pop("explanation")
            self.assertEqual(en, zh, args)

    def test_errors_in_chinese(self):
        r = self.db.run(*ZH, "case", "approve", "C-2", actor="M-2:applicant")
        self.assertEqual(r.rc, rctl.STATE, r)
        self.assertIn("案件 C-2 当前状态：已提交申请", r.err)
        self.assertIn("提示: ", r.err)
        # The first line quotes the library's own message; the rest is refundctl's.
        rest = strip_data("\n".join(r.err.splitlines()[1:]))
        self.assertEqual(ENGLISH_RE.findall(rest), [], r.err)


class ChineseDemo(unittest.TestCase):
    def demo(self):
        env = rctl.clean_env("/nonexistent/refund.db")
        env["REFUNDCTL_LANG"] = "zh-CN"
        p = subprocess.run([rctl.REFUNDCTL, "demo"], capture_output=True, text=True,
                           env=env, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
        return p.stdout

    def test_demo_in_chinese(self):
        out = self.demo()
        self.assertEqual(out, self.demo(), "the demo must print the same every time")
        for line in ("演示：以下时间均为北京时间", "== 准备工作 ==", "== 1. 设备故障",
                     "== 2. 交易纠纷", "== 3. 无人完成的审核", "== 4. 分期退款",
                     "被拒绝（REFUND_EEVIDENCE）：缺少押金收据", "被拒绝（REFUND_EDENIED）",
                     "再次付款 第 1 期", "终端检查中 -> 等待签署退款协议",
                     "CASE-2：过期，等待补充材料 -> 已过期", "CASE-3：升级投诉（仍为审核中）",
                     "监管机构 消费者协会", "付款失败 第 2 期",
                     "第 2 期：400.00 CNY，尝试 2 次，凭证 BANK-TX-9002-R",
                     "退款案件 CASE-4 状态：已结案",
                     "DEP-1001（M-1001）：押金 500.00 = 已退还 355.00 + 已扣款 145.00 + "
                     "余额 0.00",
                     "审计链：4/4 个退款案件验证通过"):
            self.assertIn(line, out)
        data = {"pos-standard", "pos-rental", "librefund", "CNY", "UTC", "SHA"}
        left = [w for w in ENGLISH_RE.findall(strip_data(out)) if w not in data]
        self.assertEqual(left, [], out)

    def test_demo_columns(self):
        steps = [l for l in self.demo().splitlines()
                 if re.match(r"^  \d{4}-\d\d-\d\d \d\d:\d\d  ", l)]
        self.assertGreater(len(steps), 40)
        for line in steps:
            col = starts(line)
            # date, time, who (column 20), what (column 41), outcome (column 59)
            self.assertEqual(col[2], 20, line)
            self.assertIn(41, col, line)
            self.assertIn(59, col, line)


if __name__ == "__main__":
    rctl.main()
