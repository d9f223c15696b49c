"""Chapter 7 of seed 000, the goals (p. 24-31): every stated target against the result, with a test.

>>> from evalkit.report.udgaaende.prepare import sample_context
>>> goals(sample_context()).cell("gennemfoerelse_70", "opfyldt").value
'✓'
"""

from __future__ import annotations

from evalkit.report._build import (
    cells_of,
    count_column,
    quiet,
    share,
    share_column,
    test_row,
)
from evalkit.report.model import Cell, Column, Table, Text
from evalkit.report.spec import Context
from evalkit.report.udgaaende.common import Declared, joined, persons, prep
from evalkit.report.udgaaende.prepare import Prepared
from evalkit.report.udgaaende.vocabulary import TXT, constants, txt

__all__ = ["GOALS", "GOAL_MEASURES", "goal_counts", "goals"]

GOALS = Declared("goals", "000-G7-maal", "results against the stated targets")

GOAL_MEASURES = ("completion", "reduction", "reduction_completers", "improved", "stopped")
"""The denominators a goal of ``constants.yaml`` may use (labels ``goals.measure.<code>`` in ``text.yaml``)."""


def goal_counts(p: Prepared, measure: str) -> tuple[int, int]:
    """(successes, denominator) of a goal measure, over the persons with a known school type.

    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> goal_counts(prep(sample_context()), "reduction_completers")
    (193, 333)
    """
    known = p.school >= 0
    red = p.reduction
    if measure == "completion":
        valid = known & (p.status >= 0)
        return int((valid & p.completer).sum()), int(valid.sum())
    if measure == "stopped":
        return int((red.stopped & known).sum()), int((red.eligible & known).sum())
    if measure == "reduction":
        return int(((red.stopped | red.halved) & known).sum()), int((red.eligible & known).sum())
    if measure == "reduction_completers":
        return int(((red.stopped | red.halved) & known).sum()), int((red.observed & known).sum())
    if measure == "improved":
        change = p.improved[constants()["who5"]["improved_rule"]]
        return int((change.improved & known).sum()), int((change.valid & known).sum())
    raise ValueError(f"udgaaende constants.yaml: unknown goal measure {measure!r} ({', '.join(GOAL_MEASURES)})")


def goals(ctx: Context) -> Table:
    """000-G7-maal: the results against every stated target, with an exact 95 % interval and a test.

    One row per goal statement of ``constants.goals`` (seed 000 states some targets twice with
    different values: completion 70 vs 75, reduction 70 vs 75, audit I-3/I-4). The result is
    :math:`100 k / n`; the interval is Clopper-Pearson; "opfyldt" compares the point estimate with
    the target as the report does, and the test is :func:`evalkit.compare.goal_test`, the exact
    one-sided binomial test of :math:`H_0: \\pi \\le` target (R ``binom.test(k, n, target, alternative =
    "greater")``; its estimate is the share with the one-sided lower bound); the two-sided interval
    of the table is :func:`evalkit.compare.clopper_pearson_ci`.

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows = goal keys; columns ``antal``, ``n``, ``resultat``, ``ci_lav``, ``ci_hoej``, ``maal``,
        ``forskel`` (percentage points), ``opfyldt`` (✓ / ✗).

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = goals(sample_context())
    >>> round(t.cell("trivsel_60", "resultat").value, 2), t.cell("trivsel_60", "opfyldt").value
    (75.38, '✓')
    >>> round(t.cell("reduktion_gennemfoerte_70", "resultat").value, 2)
    57.96
    """
    from evalkit.compare import clopper_pearson_ci, goal_test

    p = prep(ctx)
    over = ("resultat", "ci_lav", "ci_hoej", "forskel", "opfyldt")
    columns: list[Column] = [count_column("antal", TXT("goals.antal")), count_column("n", TXT("goals.n"))]
    columns += [share_column(c, TXT(f"goals.{c}")) for c in over[:3]]
    columns += [share_column("maal", TXT("goals.maal"))] + [share_column(c, TXT(f"goals.{c}")) for c in over[3:]]
    table = GOALS.table(columns)
    for goal in constants()["goals"]:
        key = goal["key"]
        k, n = goal_counts(p, goal["measure"])
        target = float(goal["target"])
        both = joined(key, "antal", "n")
        cells = {"antal": persons(k, "completers"),
                 "n": persons(n, "enrolled" if goal["measure"] == "completion" else "completers"),
                 "resultat": share(k, n, count_of=both), "maal": Cell(target, "number", decimals=0)}
        if n:
            result = quiet(goal_test, k, n, target / 100.0)
            outcome = txt("goals.test", goal=TXT(f"goals.goal.{key}"), target=f"{target:g}")
            table.tests.append(test_row(key, outcome, result, over=cells_of([key], ("antal", "n"))))
            low, high = clopper_pearson_ci(k, n)       # the printed two-sided interval beside the one-sided test
            cells["ci_lav"] = Cell(100.0 * low, "percent", n=n, count_of=both)
            cells["ci_hoej"] = Cell(100.0 * high, "percent", n=n, count_of=both)
            cells["forskel"] = Cell(100.0 * k / n - target, "number", decimals=1, n=n, count_of=both)
            cells["opfyldt"] = Cell("✓" if 100.0 * k / n >= target else "✗", "text", count_of=both)
        else:
            cells.update({c: Cell(None, "percent") for c in ("ci_lav", "ci_hoej")})
            cells["forskel"] = Cell(None, "number")
            cells["opfyldt"] = Cell(None, "text")
        table.add_row(key, TXT(f"goals.goal.{key}"), cells)
    measures = [TXT(f"goals.measure.{m}") for m in GOAL_MEASURES]
    denominators = Text("; ".join(t.da for t in measures), "; ".join(t.en for t in measures))
    table.notes += [txt("goals.note", measures=denominators), TXT("goals.note_targets")]
    return table
