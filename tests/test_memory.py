"""evalkit.memory: the process settings the CLI applies for registry-scale arrays."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

MODULE = Path(__file__).resolve().parents[1] / "evalkit" / "memory.py"
# evalkit.memory loaded from its file alone: `import evalkit` would load pandas, scipy and statsmodels
# first (about 4 s per process), and the settings must be checked in a fresh process each time.
SCRIPT = ("import importlib.util, json, sys; "
          "spec = importlib.util.spec_from_file_location('evalkit_memory', sys.argv[1]); "
          "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); "
          "print(json.dumps([m.tune_for_large_arrays(), m.tune_for_large_arrays()]))")


def _run(env_extra: dict[str, str]) -> list[dict[str, bool]]:
    env = {k: v for k, v in os.environ.items() if k not in ("EVALKIT_MEMORY_TUNING", "NUMPY_MADVISE_HUGEPAGE")}
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(MODULE)], capture_output=True, text=True, env=env,
                         check=True)
    return json.loads(out.stdout)


def test_switched_off_by_the_environment() -> None:
    first, again = _run({"EVALKIT_MEMORY_TUNING": "0"})
    assert first == again == {"glibc_malloc": False, "numpy_hugepage_off": False}


def test_a_users_numpy_choice_wins() -> None:
    first, _ = _run({"NUMPY_MADVISE_HUGEPAGE": "1"})
    assert first["numpy_hugepage_off"] is False


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_applied_once_on_glibc() -> None:
    first, again = _run({})
    assert first == again == {"glibc_malloc": True, "numpy_hugepage_off": True}
