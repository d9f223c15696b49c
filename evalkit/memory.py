"""Process-level memory settings for registry-scale runs (the CLI and the benchmark apply them).

A national TEM export makes dozens of short-lived arrays of 50-100 MB (one value per form). With
glibc's defaults every such array is a fresh ``mmap``: the kernel must fault in and zero its pages
again, and with numpy's transparent-huge-page advice it may first compact memory to find huge
pages. On the 2-core benchmark machine that first touch cost more than the arithmetic: 0.15 s for a
96 MB ``np.full`` against 0.007 s once the memory is warm, and about a quarter of the 1M-youth
report (``docs/performance.md``).

:func:`tune_for_large_arrays` changes two process settings, both documented knobs:

* glibc ``mallopt(M_MMAP_THRESHOLD, 1 GiB)`` and ``M_TRIM_THRESHOLD``: blocks below 1 GiB come from
  the heap and freed blocks are reused, not unmapped and faulted in again (glibc manual,
  "Malloc Tunable Parameters"); the peak RSS is unchanged, memory is returned when the process ends;
* numpy's ``madvise(MADV_HUGEPAGE)`` off (``NUMPY_MADVISE_HUGEPAGE=0``, numpy 1.20 release notes),
  which avoids the kernel's direct compaction stalls on machines with ``defrag=madvise``.

A library must not change its host process, so ``import evalkit`` never calls it; ``evalkit`` (the
CLI) does, and a notebook may. ``EVALKIT_MEMORY_TUNING=0`` turns it off.
"""

from __future__ import annotations

import ctypes
import os
import platform

__all__ = ["tune_for_large_arrays"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_THRESHOLD = 1 << 30   # 1 GiB: every per-form array of a national export, not a whole table dump
_applied: dict[str, bool] | None = None


def tune_for_large_arrays() -> dict[str, bool]:
    """Apply the settings above once per process; returns which of them took effect.

    Returns
    -------
    dict
        ``{"glibc_malloc": bool, "numpy_hugepage_off": bool}`` -- False where the platform has no such
        knob (macOS, Windows, musl) or ``EVALKIT_MEMORY_TUNING=0``.

    Examples
    --------
    >>> sorted(tune_for_large_arrays())
    ['glibc_malloc', 'numpy_hugepage_off']
    """
    global _applied
    if _applied is not None:
        return dict(_applied)
    result = {"glibc_malloc": False, "numpy_hugepage_off": False}
    if os.environ.get("EVALKIT_MEMORY_TUNING", "1").strip() != "0":
        result["glibc_malloc"] = _tune_glibc()
        result["numpy_hugepage_off"] = _numpy_hugepage_off()
    _applied = result
    return dict(result)


def _tune_glibc() -> bool:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mmap_ok = libc.mallopt(_M_MMAP_THRESHOLD, ctypes.c_int(_THRESHOLD)) == 1
        trim_ok = libc.mallopt(_M_TRIM_THRESHOLD, ctypes.c_int(2 * _THRESHOLD)) == 1
    except (OSError, AttributeError):
        return False
    return bool(mmap_ok and trim_ok)


def _numpy_hugepage_off() -> bool:
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ:   # the user's explicit choice wins
        return os.environ["NUMPY_MADVISE_HUGEPAGE"].strip() == "0"
    try:
        # private numpy function, absent from numpy's type stubs
        from numpy._core.multiarray import _set_madvise_hugepage  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - numpy < 2
        try:
            from numpy.core.multiarray import _set_madvise_hugepage  # type: ignore[no-redef]
        except ImportError:
            return False
    _set_madvise_hugepage(False)
    return True
