"""The tests of the report: which compare function each comparison gets (the rows come from the toolkit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from evalkit.report._build import quiet, test_row
from evalkit.report.model import TestRow, Text
from evalkit.report.spec import Context
from evalkit.report.ung_rusmidler.settings import _ctx_constants, _option
from evalkit.report.ung_rusmidler.tem_measures import Measure


def _row(row: str, outcome: Text, res: Any, hide: bool = False) -> TestRow:
    """The toolkit's test row, with compare's own note on the result (if any) printed."""
    return test_row(row, outcome, res, suppressed=hide, note=getattr(res, "note", None) or None)


def _small(ctx: Context, *counts: float) -> bool:
    """Whether any count is 1..min_cell-1 while disclosure control is on (the test would reveal it)."""
    if not ctx.options.disclosure:
        return False
    return any(0 < float(k) < ctx.options.min_cell for k in counts)


def _paired(ctx: Context, m: Measure, first: np.ndarray, last: np.ndarray, row: str, outcome: Text) -> TestRow:
    """First vs 12th registration: paired t / Wilcoxon / exact McNemar as ``constants.tests.paired``."""
    from evalkit import compare

    kind = _ctx_constants(ctx)["tests"]["paired"][m.test]
    if kind == "mcnemar":
        res = quiet(compare.mcnemar, first, last)
        hide = _small(ctx, res.n_both, res.n_before_only, res.n_after_only, res.n_neither)
        return _row(row, outcome, res, hide)
    tests: dict[str, Callable[..., Any]] = {"paired_t": compare.paired_t, "wilcoxon": compare.wilcoxon,
                                            "sign_test": compare.sign_test}
    fn = tests[kind]
    return _row(row, outcome, quiet(fn, first, last))


def _kruskal(ctx: Context, values: np.ndarray, groups: np.ndarray) -> Any:
    """Kruskal-Wallis by evalkit.compare. The epsilon-squared bootstrap interval is off by default (about
    1 ms per resample and test); the option ``kruskal_intervals`` turns it on with compare's own resample
    count (``compare.yaml``, the one place it is configured) for tests over at most
    ``tests.kruskal_bootstrap_max_n`` persons (constants)."""
    from evalkit.compare import kruskal_wallis

    max_n = _ctx_constants(ctx)["tests"]["kruskal_bootstrap_max_n"]
    ok = ~np.isnan(values) & (groups >= 0)
    wanted = bool(_option(ctx, "kruskal_intervals"))
    small = max_n is None or int(ok.sum()) <= int(max_n)
    n_res = None if wanted and small else 0   # None: compare's default
    return quiet(kruskal_wallis, values[ok], groups[ok], n_resamples=n_res)


def _chi_square(ctx: Context, table: np.ndarray) -> tuple[Any, bool]:
    """Chi-square test of independence (Fisher's exact test when expected counts are small), via compare
    (which returns a status, not an exception, on a degenerate table)."""
    from evalkit.compare import chi_square

    table = np.asarray(table, dtype=np.int64)
    return quiet(chi_square, table), _small(ctx, *table.ravel())
