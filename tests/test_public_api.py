"""Every public name has a docstring; every public function has an example (run by --doctest-modules)."""

from __future__ import annotations

import importlib
import inspect

import pytest

PACKAGES = ["evalkit.io", "evalkit.measures", "evalkit.profiles", "evalkit.compare", "evalkit.verify", "evalkit.synth"]


@pytest.mark.parametrize("package", PACKAGES)
def test_docstrings_and_examples(package):
    module = importlib.import_module(package)
    assert hasattr(module, "__all__"), package
    missing = []
    for name in module.__all__:
        obj = getattr(module, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        doc = inspect.getdoc(obj) or ""
        if not doc:
            missing.append(f"{name}: no docstring")
        elif inspect.isfunction(obj) and ">>>" not in doc:
            missing.append(f"{name}: no example")
    assert not missing, missing


def test_top_level_api():
    import evalkit

    assert callable(evalkit.report) and callable(evalkit.read_export)
    assert ">>>" in (inspect.getdoc(evalkit.report.make_report) or "") or "evalkit.report(" in evalkit.report.__doc__
