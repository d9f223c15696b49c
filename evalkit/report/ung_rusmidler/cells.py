"""Cells and test rows of the report (to be replaced by the shared toolkit)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from evalkit.report.model import Cell, TestRow, Text
from evalkit.report.spec import Context
from evalkit.report.ung_rusmidler.settings import _ctx_constants
from evalkit.report.ung_rusmidler.tem_measures import Measure


def _pct(k: float, n: float) -> float | None:
    return 100.0 * float(k) / float(n) if n else None


def _count(v: int, link: str | None = None) -> Cell:
    return Cell(int(v), "count", link=link)


def _percent(k: float, n: int, count_of: str | None = None, decimals: int = 1, link: str | None = None) -> Cell:
    return Cell(_pct(k, n), "percent", decimals=decimals, n=int(n), count_of=count_of, link=link)


def _mean(values: np.ndarray, decimals: int = 1) -> Cell:
    v = values[~np.isnan(values)]
    return Cell(float(v.mean()) if v.size else None, "mean", decimals=decimals, n=int(v.size))


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _test_row(row: str, outcome: Text, res: Any, hide: bool = False, note: str | None = None) -> TestRow:
    """A :class:`TestRow` from an :mod:`evalkit.compare` result (NaN fields become ``None``)."""
    es_ci = getattr(res, "effect_size_ci", (None, None))
    est_ci = getattr(res, "estimate_ci", (None, None))
    return TestRow(row=row, outcome=outcome, method=str(res.method), n=int(res.n), statistic=_f(res.statistic),
                   p_value=_f(res.p_value), effect_size=_f(res.effect_size),
                   effect_size_name=getattr(res, "effect_size_name", None) or None,
                   effect_size_ci=(_f(es_ci[0]), _f(es_ci[1])), estimate=_f(getattr(res, "estimate", None)),
                   estimate_name=getattr(res, "estimate_name", None) or None,
                   estimate_ci=(_f(est_ci[0]), _f(est_ci[1])), suppressed=hide,
                   note=note or getattr(res, "note", None) or None)


def _small(ctx: Context, *counts: float) -> bool:
    """Whether any count is 1..min_cell-1 while disclosure control is on (the test would reveal it)."""
    if not ctx.options.disclosure:
        return False
    return any(0 < float(k) < ctx.options.min_cell for k in counts)


def _quiet(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    from evalkit.compare.results import CompareWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kwargs)


def _paired(ctx: Context, m: Measure, first: np.ndarray, last: np.ndarray, row: str, outcome: Text) -> TestRow:
    """First vs 12th registration: paired t / Wilcoxon / exact McNemar as ``constants.tests.paired``."""
    from evalkit import compare

    kind = _ctx_constants(ctx)["tests"]["paired"][m.test]
    if kind == "mcnemar":
        res = _quiet(compare.mcnemar, first, last)
        hide = _small(ctx, res.n_both, res.n_before_only, res.n_after_only, res.n_neither)
        return _test_row(row, outcome, res, hide)
    fn = {"paired_t": compare.paired_t, "wilcoxon": compare.wilcoxon, "sign_test": compare.sign_test}[kind]
    return _test_row(row, outcome, _quiet(fn, first, last))


def _kruskal(ctx: Context, values: np.ndarray, groups: np.ndarray) -> Any:
    """Kruskal-Wallis by evalkit.compare. The epsilon-squared bootstrap interval is off by default (about
    1 ms per resample and test); the option ``kruskal_intervals`` turns it on with compare's own resample
    count (``compare.yaml``, the one place it is configured) for tests over at most
    ``tests.kruskal_bootstrap_max_n`` persons (constants)."""
    from evalkit.compare import kruskal_wallis

    max_n = _ctx_constants(ctx)["tests"]["kruskal_bootstrap_max_n"]
    ok = ~np.isnan(values) & (groups >= 0)
    wanted = _flag(ctx.options.extra.get("kruskal_intervals", False))
    small = max_n is None or int(ok.sum()) <= int(max_n)
    n_res = None if wanted and small else 0   # None: compare's default
    return _quiet(kruskal_wallis, values[ok], groups[ok], n_resamples=n_res)


def _flag(value: Any) -> bool:
    """A yes/no option given as a bool or as ``--set`` text."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "ja", "on")
    return bool(value)


@dataclass(frozen=True)
class _NotComputed:
    """A test evalkit.compare could not compute for this table (shown without statistics, with the reason)."""

    method: str
    n: int
    note: str = ""
    statistic: float = math.nan
    p_value: float = math.nan
    effect_size: float = math.nan


def _chi_square(ctx: Context, table: np.ndarray) -> tuple[Any, bool]:
    """Chi-square test of independence (Fisher's exact test when expected counts are small), via compare."""
    from evalkit.compare import chi_square

    table = np.asarray(table, dtype=np.int64)
    try:
        res = _quiet(chi_square, table)
    except (TypeError, ValueError) as exc:   # e.g. an r x c Fisher test on a tiny table
        res = _NotComputed(method="Chi-square/Fisher (not computed)", n=int(table.sum()),
                           note=f"evalkit.compare.chi_square failed on this table: {exc}")
    return res, _small(ctx, *table.ravel())
