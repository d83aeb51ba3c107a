"""Runs the shared scenario files (tests/scenarios/README.md) through the
Python binding.

A scenario is executed line by line on one engine over a fresh store with
an injected clock; the first line that does not do what it says raises
ScenarioError naming the file and the line.  The C suite and the Go binding
run the same files, so the three agree on every decision, amount and state.
"""
import decimal
import os
from dataclasses import dataclass, field

import refund
from refund import (Account, DictStore, Engine, Evidence, Grade, MemoryStore, Party,
                    PartStatus, PayoutMethod, Reason, RefundError, RejectReason, State)

ERROR_NAMES = {refund.errors.error_name(code): code for code in range(-1, -23, -1)}
STATE_NAMES = {refund.state_name(s): s for s in State}
QUOTE_FIELDS = ("remaining", "gross", "forfeited", "damage", "missing_parts", "fee",
                "offset", "net", "approved")
BALANCE_FIELDS = ("held", "refunded", "deducted", "remaining")
# The clock before the first 'clock' line, as the C runner's fixture has it.
INITIAL_CLOCK = 1735689600  # 2025-01-01T00:00:00Z


class ScenarioError(AssertionError):
    """A scenario line failed; str() starts with "FILE:LINE: "."""

    def __init__(self, path, lineno, message):
        self.path = path
        self.lineno = lineno
        super().__init__(f"{path}:{lineno}: {message}")


class LineError(Exception):
    """What is wrong with the current line (the runner adds file and line)."""


# ---- lexical rules -------------------------------------------------------------

@dataclass
class Token:
    text: str
    quoted: bool = False
    key: object = None  # set for key=value options

    @property
    def is_option(self):
        return self.key is not None


def _quoted(line, i):
    """The text of a quoted token starting at line[i] == '"', and the index after it."""
    end = line.find('"', i + 1)
    if end < 0:
        raise LineError("unterminated quoted token")
    after = end + 1
    if after < len(line) and line[after] not in " \t":
        raise LineError("a closing quote must be followed by a space, a tab or the end")
    return line[i + 1:end], after


def tokenize(line):
    """The tokens of one line; '#' outside a quoted token starts a comment."""
    tokens = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c in " \t":
            i += 1
            continue
        if c == "#":
            break
        if c == '"':
            text, i = _quoted(line, i)
            tokens.append(Token(text, quoted=True))
            continue
        start = i
        while i < n and line[i] not in ' \t#"':
            i += 1
        word = line[start:i]
        if i < n and line[i] == '"':
            if not (len(word) > 1 and word.endswith("=") and word.count("=") == 1):
                raise LineError("a quote may only start a token or the value of key=\"value\"")
            value, i = _quoted(line, i)
            tokens.append(Token(value, quoted=True, key=word[:-1]))
            continue
        key, sep, value = word.partition("=")
        if sep and key:
            tokens.append(Token(value, key=key))
        else:
            tokens.append(Token(word))
    return tokens


@dataclass
class Line:
    """One parsed line: command, positionals, options, actor, expected outcome."""
    words: list
    options: dict = field(default_factory=dict)
    actor: object = None
    outcome: object = None  # the expected error name, or None for success

    @classmethod
    def parse(cls, tokens):
        tokens = list(tokens)
        line = cls(words=[])
        if len(tokens) >= 2 and not tokens[-2].quoted and tokens[-2].text == "=>" \
                and tokens[-2].key is None:
            line.outcome = tokens[-1].text
            if tokens[-1].is_option or tokens[-1].quoted or line.outcome not in ERROR_NAMES:
                raise LineError(f"unknown outcome {line.outcome!r}: expected a REFUND_E* name")
            del tokens[-2:]
        i = 0
        seen_option = False
        while i < len(tokens):
            tok = tokens[i]
            if tok.is_option:
                if tok.key in line.options:
                    raise LineError(f"option {tok.key}= is given twice")
                line.options[tok.key] = tok.text
                seen_option = True
            elif not tok.quoted and tok.text == "as":
                if line.actor is not None:
                    raise LineError("'as' is given twice")
                if i + 1 >= len(tokens) or tokens[i + 1].is_option:
                    raise LineError("'as' must be followed by ACTOR:ROLE")
                line.actor = _actor(tokens[i + 1].text)
                seen_option = True
                i += 1
            elif not tok.quoted and tok.text == "=>":
                raise LineError("'=>' must be followed by one error name at the end of the line")
            else:
                if seen_option:
                    raise LineError(f"positional {tok.text!r} after the options")
                line.words.append(tok.text)
            i += 1
        return line


def _actor(text):
    actor, sep, role = text.rpartition(":")
    if not sep or not actor or not role:
        raise LineError(f"expected ACTOR:ROLE, not {text!r}")
    try:
        return refund.Act(actor, refund.role_from_name(role))
    except RefundError:
        raise LineError(f"unknown role {role!r}") from None


# ---- values ------------------------------------------------------------------------

def _name(enum_cls, text, what):
    if text == text.lower() and text.upper() in enum_cls.__members__:
        return enum_cls[text.upper()]
    names = ", ".join(m.name.lower() for m in enum_cls)
    raise LineError(f"unknown {what} {text!r} (one of: {names})")


def _names(enum_cls, text, what):
    return [_name(enum_cls, part, what) for part in text.split(",")]


def _count(text, what):
    if not text.isascii() or not text.isdigit():
        raise LineError(f"{what} must be a count, not {text!r}")
    return int(text)


def _percent_bp(text):
    if not text.endswith("%"):
        raise LineError(f"a tier is written as a percentage (80%, 12.5%), not {text!r}")
    try:
        value = decimal.Decimal(text[:-1]) * 100
    except decimal.InvalidOperation:
        raise LineError(f"bad percentage {text!r}") from None
    if value != value.to_integral_value() or value < 0 or not text[:-1].replace(".", "", 1).isdigit():
        raise LineError(f"a percentage has at most two decimals: {text!r}")
    return int(value)


def _time(text):
    try:
        return refund.time.parse(text)
    except RefundError as exc:
        raise LineError(f"bad time {text!r}: {exc.message}") from None


def _amount(engine, text, currency):
    try:
        return refund.money.parse(text, currency, engine, allow_negative=True)
    except RefundError as exc:
        raise LineError(f"bad amount {text!r} in {currency}: {exc.message}") from None


# ---- commands -------------------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    fn: object
    positionals: tuple          # names, for messages; their count is checked
    options: frozenset = frozenset()
    required: frozenset = frozenset()
    acts: bool = True           # takes "as ACTOR:ROLE"
    key: bool = False           # accepts key=KEY
    outcome: bool = True        # may end with "=> NAME"
    static: object = ()         # a check per positional (or None), before anything runs
    static_options: object = None  # {option: check}


class Scenario:
    """The state of one run: engine, store, clock, base directory."""

    def __init__(self, path, store_factory=MemoryStore):
        self.path = path
        self.base = os.path.dirname(os.path.abspath(path))
        self.clock = INITIAL_CLOCK
        self.store = store_factory()
        self.engine = Engine(self.store, clock=self._now)
        self.steps = 0

    def _now(self):
        return self.clock

    def close(self):
        self.engine.close()
        self.store.close()

    # ---- helpers ----------------------------------------------------------------

    def currency_of_deposit(self, deposit_id):
        try:
            with self.engine.load_deposit(deposit_id) as dep:
                return dep.currency
        except RefundError as exc:
            raise LineError(f"deposit {deposit_id}: {exc}") from None

    def currency_of_case(self, case_id):
        c = self.load_case(case_id)
        try:
            return self.currency_of_deposit(c.deposit_id)
        finally:
            c.close()

    def load_case(self, case_id):
        try:
            return self.engine.load_case(case_id)
        except RefundError as exc:
            raise LineError(f"case {case_id}: {exc}") from None

    def snapshot(self, case_id):
        """(state, version) of the stored case, or None if there is none."""
        try:
            with self.engine.load_case(case_id) as c:
                return c.state, c.version
        except refund.NotFoundError:
            return None

    def act(self, line, call, case_id=None):
        """Run an action and compare its outcome with the line's."""
        before = self.snapshot(case_id) if case_id is not None and line.outcome else None
        try:
            call()
            got, message = 0, ""
        except RefundError as exc:
            got, message = exc.code, exc.message
        want = ERROR_NAMES[line.outcome] if line.outcome else 0
        if got != want:
            got_name = refund.errors.error_name(got) if got else "success"
            want_name = line.outcome or "success"
            detail = f" ({message})" if message else ""
            raise LineError(f"expected {want_name}, got {got_name}{detail}")
        if case_id is not None and line.outcome:
            after = self.snapshot(case_id)
            if after != before:
                raise LineError(f"the refused call changed case {case_id}: "
                                f"{_show(before)} -> {_show(after)}")

    def with_case(self, line, case_id, fn):
        """Load the case, act on it, free it: all of it is the action."""
        def call():
            with self.engine.load_case(case_id) as c:
                fn(c)
        self.act(line, call, case_id)


def _show(snap):
    if snap is None:
        return "no case"
    return f"{snap[0].name.lower()} version {snap[1]}"


# ---- setup ----------------------------------------------------------------------------

def cmd_clock(sc, line):
    sc.clock = _time(line.words[0])


def cmd_policy(sc, line):
    path = os.path.join(sc.base, line.words[0])
    try:
        with open(path, "rb") as f:
            text = f.read()
    except OSError as exc:
        raise LineError(f"cannot read policy file: {exc}") from None

    def call():
        with sc.engine.parse_policy(text) as p:
            p.publish(line.actor)
    sc.act(line, call)


def cmd_deposit(sc, line):
    deposit_id, amount, currency = line.words
    o = line.options
    value = _amount(sc.engine, amount, currency)
    paid = _time(o["paid"])
    end = _time(o["end"]) if "end" in o else None

    def call():
        sc.engine.create_deposit(deposit_id, holder=o["holder"], agent=o["agent"],
                                 terminal_serial=o["terminal"], amount=value,
                                 currency=currency, paid_at=paid, actor=line.actor,
                                 contract_id=o.get("contract"), receipt=o.get("receipt"),
                                 contract_end=end).close()
    sc.act(line, call)


def cmd_usage(sc, line):
    deposit_id, days, volume = line.words
    days = _count(days, "DAYS")
    volume = _amount(sc.engine, volume, sc.currency_of_deposit(deposit_id))

    def call():
        with sc.engine.load_deposit(deposit_id) as dep:
            dep.set_usage(days, volume, line.actor)
    sc.act(line, call)


# ---- case actions ------------------------------------------------------------------------

def _act_of(line):
    act = line.actor
    if "key" in line.options:
        act = refund.Act(act.actor, act.role, key=line.options["key"])
    return act


def cmd_open(sc, line):
    case_id, deposit_id, policy_id, reason = line.words
    reason = _name(Reason, reason, "reason")
    version = _count(line.options.get("version", "0"), "version")

    def call():
        sc.engine.open_case(case_id, deposit_id, policy_id, reason, _act_of(line),
                            version).close()
    sc.act(line, call, case_id)


def _simple(method, convert=()):
    """A case action whose arguments after CASE are converted by ``convert``."""
    def run(sc, line):
        case_id, *rest = line.words
        args = [conv(sc, case_id, word) for conv, word in zip(convert, rest)]
        sc.with_case(line, case_id, lambda c: getattr(c, method)(_act_of(line), *args))
    return run


def _text(_sc, _case_id, word):
    return word


def _case_amount(sc, case_id, word):
    return _amount(sc.engine, word, sc.currency_of_case(case_id))


def _int(_sc, _case_id, word):
    return _count(word, "the number")


def _enum(enum_cls, what):
    return lambda _sc, _case_id, word: _name(enum_cls, word, what)


def _evidence_list(_sc, _case_id, word):
    return _names(Evidence, word, "evidence kind")


def cmd_submit(sc, line):
    case_id, method, name, number = line.words
    account = Account(_name(PayoutMethod, method, "payout method"), name, number,
                      line.options.get("bank"))
    sc.with_case(line, case_id, lambda c: c.submit(_act_of(line), account))


# ---- time and checks --------------------------------------------------------------------------

def cmd_tick(sc, line):
    now = _time(line.words[0])
    try:
        result = sc.engine.tick(now)
    except RefundError as exc:
        raise LineError(f"tick failed: {exc}") from None
    for name in ("reminders", "consequences"):
        if name in line.options:
            want = _count(line.options[name], name)
            if getattr(result, name) != want:
                raise LineError(f"tick: {name} {getattr(result, name)}, expected {want}")


def _expect_case(sc, line):
    if len(line.words) < 3:
        raise LineError("expected: expect case CASE WHAT ...")
    case_id, what, *args = line.words[1:]
    c = sc.load_case(case_id)
    try:
        _check_case(sc, c, what, args)
    finally:
        c.close()


def _want_args(args, count, usage):
    if len(args) != count:
        raise LineError(f"expected: expect case CASE {usage}")


def _check_case(sc, c, what, args):
    if what == "state":
        _want_args(args, 1, "state NAME")
        if args[0] not in STATE_NAMES:
            raise LineError(f"unknown state {args[0]!r}")
        _same("state", refund.state_name(c.state), args[0])
    elif what in QUOTE_FIELDS:
        _want_args(args, 1, f"{what} AMOUNT")
        quote = c.quote()
        got = getattr(quote, what)
        if what == "approved" and args[0] == "none":
            _same(what, "none" if got is None else _fmt(sc, got, quote.currency), "none")
        else:
            want = _amount(sc.engine, args[0], quote.currency)
            if got != want:
                shown = "none" if got is None else _fmt(sc, got, quote.currency)
                raise LineError(f"{what} is {shown}, expected {args[0]}")
    elif what == "tier":
        _want_args(args, 1, "tier PERCENT")
        _same("tier (bp)", c.quote().tier_bp, _percent_bp(args[0]))
    elif what == "parts":
        _want_args(args, 1, "parts N")
        _same("parts", len(c.parts()), _count(args[0], "N"))
    elif what == "part":
        _want_args(args, 2, "part N STATUS")
        number = _count(args[0], "N")
        status = _name(PartStatus, args[1], "part status")
        try:
            part = c.part(number)
        except RefundError as exc:
            raise LineError(f"part {number}: {exc}") from None
        _same(f"part {number}", part.status.name.lower(), status.name.lower())
    elif what == "escalated":
        _want_args(args, 1, "escalated PARTY[,PARTY...]|none")
        want = Party(0)
        if args[0] != "none":
            for party in _names(Party, args[0], "party"):
                want |= party
        _same("escalations", _parties(c.escalations), _parties(want))
    elif what == "events":
        _want_args(args, 1, "events N")
        _same("events", len(c.events()), _count(args[0], "N"))
    elif what == "verified":
        _want_args(args, 0, "verified")
        try:
            c.verify()
        except RefundError as exc:
            raise LineError(f"the audit chain does not verify: {exc}") from None
    else:
        raise LineError(f"unknown case check {what!r}")


def _parties(mask):
    names = [p.name.lower() for p in Party if mask & p]
    return ",".join(names) or "none"


def _fmt(sc, amount, currency):
    return refund.money.format(amount, currency, sc.engine)


def _same(what, got, want):
    if got != want:
        raise LineError(f"{what} is {got}, expected {want}")


def _expect_deposit(sc, line):
    if len(line.words) < 2:
        raise LineError("expected: expect deposit DEPOSIT ...")
    deposit_id = line.words[1]
    args = line.words[2:]
    try:
        dep = sc.engine.load_deposit(deposit_id)
    except RefundError as exc:
        raise LineError(f"deposit {deposit_id}: {exc}") from None
    with dep:
        if args:
            if len(args) != 2 or args[0] != "entries" or line.options:
                raise LineError("expected: expect deposit DEPOSIT entries N, or "
                                "expect deposit DEPOSIT held=A refunded=A deducted=A remaining=A")
            _same("entries", len(dep.entries()), _count(args[1], "N"))
            return
        unknown = set(line.options) - set(BALANCE_FIELDS)
        if unknown or not line.options:
            raise LineError("expect deposit takes held=, refunded=, deducted=, remaining=")
        balance = dep.balance()
        for name, text in line.options.items():
            want = _amount(sc.engine, text, dep.currency)
            got = getattr(balance, name)
            if got != want:
                raise LineError(f"{name} is {_fmt(sc, got, dep.currency)}, expected {text}")


def cmd_expect(sc, line):
    kind = line.words[0] if line.words else None
    if kind == "case":
        if line.options:
            raise LineError("expect case takes no options")
        _expect_case(sc, line)
    elif kind == "deposit":
        _expect_deposit(sc, line)
    else:
        raise LineError("expected 'expect case' or 'expect deposit'")


ANY = None  # any number of positionals (checked by the command itself)


def _t(word):
    _time(word)


def _n(word):
    _count(word, "count")


def _e(enum_cls, what):
    return lambda word: _name(enum_cls, word, what)


def _evidence_names(word):
    _names(Evidence, word, "evidence kind")


CASE_CHECKS = {"state": 1, "tier": 1, "parts": 1, "part": 2, "escalated": 1, "events": 1,
               "verified": 0}
CASE_CHECKS.update({name: 1 for name in QUOTE_FIELDS})


def _static_expect(line):
    """What can be checked of an expect line before anything runs."""
    kind = line.words[0] if line.words else None
    if kind == "case":
        if line.options:
            raise LineError("expect case takes no options")
        if len(line.words) < 3:
            raise LineError("expected: expect case CASE WHAT ...")
        what, args = line.words[2], line.words[3:]
        if what not in CASE_CHECKS:
            raise LineError(f"unknown case check {what!r}")
        _want_args(args, CASE_CHECKS[what], what)
        if what == "state" and args[0] not in STATE_NAMES:
            raise LineError(f"unknown state {args[0]!r}")
        if what == "tier":
            _percent_bp(args[0])
        if what in ("parts", "events"):
            _count(args[0], "N")
        if what == "part":
            _count(args[0], "N")
            _name(PartStatus, args[1], "part status")
        if what == "escalated" and args[0] != "none":
            _names(Party, args[0], "party")
    elif kind == "deposit":
        if len(line.words) < 2:
            raise LineError("expected: expect deposit DEPOSIT ...")
        args = line.words[2:]
        if args:
            if len(args) != 2 or args[0] != "entries" or line.options:
                raise LineError("expected: expect deposit DEPOSIT entries N, or "
                                "expect deposit DEPOSIT held=A refunded=A deducted=A remaining=A")
            _count(args[1], "N")
        elif not line.options:
            raise LineError("expect deposit takes held=, refunded=, deducted=, remaining=")
    else:
        raise LineError("expected 'expect case' or 'expect deposit'")


def _static_deposit_amount(line):
    """A deposit's amount can be checked before running: its currency is on the line."""
    try:
        refund.money.parse(line.words[1], line.words[2], allow_negative=True)
    except RefundError as exc:
        raise LineError(f"bad amount {line.words[1]!r} in {line.words[2]}: {exc.message}") \
            from None

COMMANDS = {
    "clock": Command(cmd_clock, ("TIME",), acts=False, outcome=False, static=(_t,)),
    "policy": Command(cmd_policy, ("FILE",)),
    "deposit": Command(cmd_deposit, ("ID", "AMOUNT", "CUR"),
                       frozenset({"holder", "agent", "terminal", "paid", "contract", "end",
                                  "receipt"}),
                       required=frozenset({"holder", "agent", "terminal", "paid"}),
                       static_options={"paid": _t, "end": _t}),
    "usage": Command(cmd_usage, ("DEPOSIT", "DAYS", "VOLUME"), static=(None, _n)),
    "open": Command(cmd_open, ("CASE", "DEPOSIT", "POLICY", "REASON"), frozenset({"version"}),
                    key=True, static=(None, None, None, _e(Reason, "reason")),
                    static_options={"version": _n}),
    "attach": Command(_simple("attach", (_enum(Evidence, "evidence kind"), _text)),
                      ("CASE", "KIND", "REFERENCE"), key=True,
                      static=(None, _e(Evidence, "evidence kind"))),
    "submit": Command(cmd_submit, ("CASE", "METHOD", "NAME", "NUMBER"), frozenset({"bank"}),
                      key=True, static=(None, _e(PayoutMethod, "payout method"))),
    "start_review": Command(_simple("start_review"), ("CASE",), key=True),
    "request_documents": Command(_simple("request_documents", (_evidence_list,)),
                                 ("CASE", "KIND[,KIND...]"), key=True,
                                 static=(None, _evidence_names)),
    "provide_documents": Command(_simple("provide_documents"), ("CASE",), key=True),
    "approve": Command(_simple("approve", (_case_amount,)), ("CASE", "AMOUNT"), key=True),
    "reject": Command(_simple("reject", (_enum(RejectReason, "reject reason"), _text)),
                      ("CASE", "REASON", "TEXT"), key=True,
                      static=(None, _e(RejectReason, "reject reason"))),
    "appeal": Command(_simple("appeal"), ("CASE",), key=True),
    "receive_device": Command(_simple("receive_device", (_text,)), ("CASE", "TRACKING"),
                              key=True),
    "inspect": Command(_simple("inspect", (_enum(Grade, "grade"), _int)),
                       ("CASE", "GRADE", "MISSING_PARTS"), key=True,
                       static=(None, _e(Grade, "grade"), _n)),
    "set_offset": Command(_simple("set_offset", (_case_amount,)), ("CASE", "AMOUNT"), key=True),
    "offer": Command(_simple("offer", (_int,)), ("CASE", "PARTS"), key=True,
                     static=(None, _n)),
    "accept": Command(_simple("accept"), ("CASE",), key=True),
    "pay": Command(_simple("pay", (_int, _text)), ("CASE", "PART", "REFERENCE"), key=True,
                   static=(None, _n)),
    "pay_failed": Command(_simple("pay_failed", (_int, _text)), ("CASE", "PART", "REASON"),
                          key=True, static=(None, _n)),
    "confirm": Command(_simple("confirm"), ("CASE",), key=True),
    "withdraw": Command(_simple("withdraw"), ("CASE",), key=True),
    "escalate": Command(_simple("escalate", (_enum(Party, "party"),)), ("CASE", "PARTY"),
                        key=True, static=(None, _e(Party, "party"))),
    "reevaluate": Command(_simple("reevaluate", (_int,)), ("CASE", "VERSION"), key=True,
                          static=(None, _n)),
    "tick": Command(cmd_tick, ("TIME",), frozenset({"reminders", "consequences"}), acts=False,
                    outcome=False, static=(_t,),
                    static_options={"reminders": _n, "consequences": _n}),
    "expect": Command(cmd_expect, ANY, frozenset(BALANCE_FIELDS), acts=False, outcome=False,
                      static=_static_expect),
}


def _check_shape(name, cmd, line):
    if cmd.positionals is not ANY and len(line.words) != len(cmd.positionals):
        usage = " ".join((name,) + cmd.positionals)
        raise LineError(f"{name} takes {len(cmd.positionals)} positional arguments: {usage}")
    allowed = cmd.options | ({"key"} if cmd.key else set())
    for key in line.options:
        if key not in allowed:
            raise LineError(f"{name} takes no option {key}=")
    for key in cmd.required - set(line.options):
        raise LineError(f"{name} needs {key}=")
    if cmd.acts and line.actor is None:
        raise LineError(f"{name} needs 'as ACTOR:ROLE'")
    if not cmd.acts and line.actor is not None:
        raise LineError(f"{name} takes no 'as ACTOR:ROLE'")
    if not cmd.outcome and line.outcome:
        raise LineError(f"{name} takes no '=> NAME'")


def prepare(text):
    """Check one line as far as possible without running it: (command, Line) or None."""
    tokens = tokenize(text)
    if not tokens:
        return None
    head = tokens[0]
    if head.quoted or head.is_option or head.text not in COMMANDS:
        raise LineError(f"unknown command {head.text!r}")
    line = Line.parse(tokens[1:])
    cmd = COMMANDS[head.text]
    _check_shape(head.text, cmd, line)
    if callable(cmd.static):
        cmd.static(line)
    else:
        for check, word in zip(cmd.static, line.words):
            if check is not None:
                check(word)
    for key, check in (cmd.static_options or {}).items():
        if key in line.options:
            check(line.options[key])
    if head.text == "deposit":
        _static_deposit_amount(line)
    return cmd, line


def run_text(text, path, store_factory=MemoryStore):
    """Run a scenario's text; returns the number of commands executed.

    The whole file is checked first (commands, token counts, options, names,
    times, counts), so a malformed line is reported even if an earlier line
    would fail when run; then the lines run in order.
    """
    prepared = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        try:
            found = prepare(raw)
        except LineError as exc:
            raise ScenarioError(path, lineno, str(exc)) from None
        if found is not None:
            prepared.append((lineno, found))
    sc = Scenario(path, store_factory)
    try:
        for lineno, (cmd, line) in prepared:
            try:
                cmd.fn(sc, line)
                sc.steps += 1
            except LineError as exc:
                raise ScenarioError(path, lineno, str(exc)) from None
            except Exception as exc:  # noqa: BLE001 - any failure names the line
                raise ScenarioError(path, lineno, f"{type(exc).__name__}: {exc}") from exc
        return sc.steps
    finally:
        sc.close()


def run_file(path, store_factory=MemoryStore):
    """Run a scenario file (UTF-8); returns the number of commands executed."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(path, data[:exc.start].count(b"\n") + 1,
                            "the file is not UTF-8") from None
    return run_text(text, path, store_factory)


STORES = {"memory": MemoryStore, "dict": DictStore}
