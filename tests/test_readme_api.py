"""The README's Python API examples and the API module's docstring examples run as doctests."""

from __future__ import annotations

import doctest
from pathlib import Path

README = Path(__file__).parent.parent / "README.md"


def test_readme_python_api_examples_run():
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 8
    assert result.failed == 0


def test_api_docstring_examples_run():
    import painloop.api

    result = doctest.testmod(painloop.api, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 2 and result.failed == 0


def test_import_painloop_is_cheap_and_the_api_is_lazy():
    import subprocess
    import sys

    code = ("import sys, painloop; heavy = [m for m in ('jax', 'numba', 'xarray') if m in sys.modules]; "
            "f = painloop.simulate; print(heavy, callable(f), f.__module__)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["[]", "True", "painloop.api"]
