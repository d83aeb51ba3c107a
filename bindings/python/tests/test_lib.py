"""Loading, prototypes, struct layouts and enum values against the C headers."""
import ctypes
import os
import re
import shutil
import subprocess
import sys

import pytest

import refund
from refund import _lib
from refund import case as case_mod
from refund import deposit as deposit_mod
from refund import engine as engine_mod
from refund import policy as policy_mod
from refund import store as store_mod

from conftest import SOURCE_ROOT

INCLUDE = os.path.join(SOURCE_ROOT, "include")
HEADERS = [os.path.join(d, f) for d in (os.path.join(INCLUDE, "refund"),
                                        os.path.join(INCLUDE, "refund", "sys"))
           for f in sorted(os.listdir(d)) if f.endswith(".h")]

ENUMS = {
    "Role": refund.Role, "Lang": refund.Lang, "NoticeKind": refund.NoticeKind,
    "RecordKind": refund.RecordKind, "EntryKind": refund.EntryKind,
    "Reason": refund.Reason, "Evidence": refund.Evidence,
    "WindowAnchor": refund.WindowAnchor, "Grade": refund.Grade, "DayUnit": refund.DayUnit,
    "Consequence": refund.Consequence, "Party": refund.Party, "State": refund.State,
    "Action": refund.Action, "PayoutMethod": refund.PayoutMethod,
    "RejectReason": refund.RejectReason, "PartStatus": refund.PartStatus,
}
PREFIXES = {
    "Role": "REFUND_ROLE_", "Lang": "REFUND_LANG_", "NoticeKind": "REFUND_NOTICE_",
    "RecordKind": "REFUND_RECORD_", "EntryKind": "REFUND_ENTRY_",
    "Reason": "REFUND_REASON_", "Evidence": "REFUND_EVIDENCE_",
    "WindowAnchor": "REFUND_WINDOW_", "Grade": "REFUND_GRADE_", "DayUnit": "REFUND_",
    "Consequence": "REFUND_ON_DUE_", "Party": "REFUND_PARTY_", "State": "REFUND_STATE_",
    "Action": "REFUND_ACTION_", "PayoutMethod": "REFUND_PAYOUT_",
    "RejectReason": "REFUND_REJECT_", "PartStatus": "REFUND_PART_",
}


def header_text():
    return "\n".join(open(h, encoding="utf-8").read() for h in HEADERS)


def layout_lines():
    """The output of tests/layout.c: built by meson, or compiled here."""
    program = os.environ.get("REFUND_LAYOUT_PROGRAM")
    if not program:
        cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") \
            or shutil.which("clang")
        assert cc, "no C compiler to build tests/layout.c (set REFUND_LAYOUT_PROGRAM)"
        program = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"refund-py-layout-{os.getpid()}")
        subprocess.run([cc, "-std=c11", "-I", INCLUDE, "-o", program,
                        os.path.join(os.path.dirname(__file__), "layout.c")], check=True)
    # A sanitizer runtime preloaded for the interpreter is not for this program.
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    out = subprocess.run([program], check=True, capture_output=True, text=True, env=env).stdout
    return [line.split() for line in out.splitlines()]


@pytest.fixture(scope="module")
def layout():
    lines = layout_lines()
    structs = {l[0]: (int(l[1]), dict(f.split(":") for f in l[2:]))
               for l in lines if l[0].startswith("refund_")}
    versions = dict(f.split(":") for l in lines if l[0] == "versions" for f in l[1:])
    enums = {l[1]: dict(f.split(":") for f in l[2:]) for l in lines if l[0] == "enum"}
    return structs, versions, enums


def test_library_loaded_is_version_1():
    assert refund.version() == "1.0.0"
    assert refund.version_number() == 10000
    assert refund.library_path


def test_refund_library_variable_overrides_the_path(tmp_path):
    env = dict(os.environ, REFUND_LIBRARY=str(tmp_path / "nope.so"))
    proc = subprocess.run([sys.executable, "-c", "import refund"], env=env,
                          capture_output=True, text=True,
                          cwd=os.path.dirname(os.path.dirname(__file__)))
    assert proc.returncode != 0
    assert "REFUND_LIBRARY=" in proc.stderr and "nope.so" in proc.stderr


def test_every_public_function_is_declared():
    declared = set(re.findall(r"REFUND_API[^;(]*?\b(refund_\w+)\s*\(", header_text()))
    assert len(declared) > 100
    assert declared == set(_lib._PROTOTYPES)
    for name in declared:
        fn = getattr(_lib.lib, name)
        assert fn.argtypes is not None, name


def test_struct_layouts_match_the_headers(layout):
    structs, _, _ = layout
    assert set(structs) == set(_lib.STRUCTS)
    for name, (size, offsets) in structs.items():
        cls = _lib.STRUCTS[name]
        assert ctypes.sizeof(cls) == size, name
        fields = [f[0] for f in cls._fields_]
        assert fields == list(offsets), name
        for field, offset in offsets.items():
            assert getattr(cls, field).offset == int(offset), f"{name}.{field}"


def test_version_constants_match_the_headers(layout):
    _, versions, _ = layout
    assert versions
    for name, value in versions.items():
        assert getattr(_lib, name) == int(value), name


def test_enum_values_match_the_headers(layout):
    _, _, enums = layout
    for group, cls in ENUMS.items():
        c_values = {k: int(v) for k, v in enums[group].items()}
        py_values = {PREFIXES[group] + m.name: int(m) for m in cls}
        assert py_values == c_values, group
    codes = {k: int(v) for k, v in enums["errors"].items() if v != "0"}
    py_codes = {refund.errors.error_name(c.code): c.code
                for c in refund.RefundError.__subclasses__()}
    assert py_codes == codes


def test_no_enum_constant_of_the_headers_is_missing():
    text = header_text()
    for group, prefix in PREFIXES.items():
        if group == "DayUnit":
            continue  # REFUND_CALENDAR_DAYS / REFUND_BUSINESS_DAYS, checked above
        names = set(re.findall(rf"\b({prefix}[A-Z0-9_]+)\s*=\s*-?\d+", text))
        py = {prefix + m.name for m in ENUMS[group]}
        assert names == py, group
    error_codes = set(re.findall(r"\b(REFUND_E[A-Z]+)\s*=\s*-\d+", text))
    assert error_codes == {refund.errors.error_name(c.code)
                           for c in refund.RefundError.__subclasses__()}


def test_library_names_agree_with_the_enums():
    for s in refund.State:
        assert refund.state_name(s) == s.name.lower()
    for a in refund.Action:
        assert refund.action_name(a) == a.name.lower()
    for r in refund.Role:
        assert refund.role_name(r) == r.name.lower()
        assert refund.role_from_name(r.name.lower()) is r
    for k in refund.EntryKind:
        assert refund.entry_kind_name(k) == k.name.lower()
    assert refund.state_name(99) is None
    assert refund.role_name(0) is None


def test_labels_for_people():
    for s in refund.State:
        assert refund.state_label(s) == refund.state_name(s)
        zh = refund.state_label(s, "zh-CN")
        assert zh and zh.isprintable() and not zh.isascii()
    for a in refund.Action:
        assert refund.action_label(a, refund.Lang.EN) == refund.action_name(a)
        assert not refund.action_label(a, refund.Lang.ZH_CN).isascii()
    for r in refund.Role:
        assert refund.role_label(r) == refund.role_name(r)
    assert refund.state_label(refund.State.UNDER_REVIEW, "zh-CN") == "审核中"
    assert refund.action_label(refund.Action.ESCALATE, "zh-CN") == "升级投诉"
    assert refund.role_label(refund.Role.REVIEWER, "zh-CN") == "审核员"
    assert len({refund.state_label(s, "zh-CN") for s in refund.State}) == len(refund.State)
    assert len({refund.action_label(a, "zh-CN") for a in refund.Action}) == len(refund.Action)
    assert refund.state_label(99, "zh-CN") is None
    assert refund.state_label(refund.State.CLOSED, 7) is None  # the library knows no language 7
    with pytest.raises(refund.NotFoundError):
        refund.role_from_name("boss")


def test_modules_mirror_the_headers():
    assert engine_mod.Engine is refund.Engine
    assert store_mod.MemoryStore is refund.MemoryStore
    assert deposit_mod.Deposit is refund.Deposit
    assert policy_mod.Policy is refund.Policy
    assert case_mod.Case is refund.Case
    for name in refund.__all__:
        assert hasattr(refund, name), name
    exported = set(refund.__all__)
    for name in refund.errors.__all__:
        assert name in exported or name in ("error_name", "strerror", "error_class"), name
