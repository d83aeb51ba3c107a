"""The README's examples run as written."""
import contextlib
import io
import os
import re

import pytest

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def examples():
    with open(README, encoding="utf-8") as f:
        return re.findall(r"```python\n(.*?)```", f.read(), re.S)


def test_readme_has_examples():
    assert len(examples()) >= 2


@pytest.mark.parametrize("index", range(len(examples())))
def test_readme_example_runs(index):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(examples()[index], f"README.md example {index + 1}", "exec"), {})
    if index == 0:
        assert "490.00" in out.getvalue()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in out.getvalue())
