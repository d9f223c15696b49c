"""Custom tables: an analyst's own crosstab or summary, under the reports' disclosure control.

``evalkit.table(export, rows="skoletype", cols="koen")`` (and ``evalkit table SOURCE --rows ...``)
returns the same :class:`~evalkit.report.model.Report` object the reports do, holding one table, so
every renderer, the label packs, disclosure control and the row ledger apply. The variables are the
columns of the report's unit table (persons, episodes, institutions) or derived measures and
profiles the dataset's report declares by name.

What it computes (every statistic from :mod:`evalkit.compare`):

- a categorical ``rows`` variable: counts and shares of each level per column group (shares of the
  known values, Wilson 95 % intervals with ``ci``), missing values counted in their own row;
- a numeric ``rows`` variable: n, mean (t 95 % interval with ``ci``), sd, median and quartiles per
  column group;
- with ``cols`` and ``test="auto"``: Pearson's chi-square test (Fisher's exact test when expected
  counts are small) for two categorical variables, the Cochran-Armitage trend test when a yes/no
  variable meets an ordered grouping, Mann-Whitney's test for a numeric variable in two groups and
  Kruskal-Wallis' test in more.

>>> from evalkit.synth.udgaaende import generate
>>> from evalkit.report.udgaaende import context_from_tables
>>> export = context_from_tables(generate()).export
>>> rep = custom_table(export, rows="skoletype", cols="koen")
>>> rep.tables[0].cell("erhvervsskole", "mand").value, rep.tables[0].tests[0].method
(87, 'Pearson chi-square')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from evalkit.report._build.cells import count, count_column, number, share, share_column
from evalkit.report._build.subset import Population, subset_export
from evalkit.report._build.tables import TOTAL, UNKNOWN
from evalkit.report._build.testrows import cells_of, quiet, test_row
from evalkit.report._build.values import codes, slug
from evalkit.report._build.where import WhereError
from evalkit.report.model import Cell, Column, Report, T, Table, Text

__all__ = ["CATEGORICAL_STATS", "NUMERIC_STATS", "custom_table", "default_population"]

CATEGORICAL_STATS = ("n", "pct", "ci")
NUMERIC_STATS = ("n", "mean", "sd", "median", "iqr", "ci", "min", "max")
TESTS = ("auto", "none", "chi_square", "trend", "mann_whitney", "kruskal_wallis")
_DEFAULT = {"categorical": ("n", "pct"), "numeric": ("n", "mean", "sd", "median", "iqr")}

Variable = Callable[[Any], pd.Series]


def default_population(export: Any) -> Population:
    """The population of the dataset's report, else the first table no other table's key points into."""
    from evalkit.report.spec import get_spec, report_for_dataset

    try:
        spec = get_spec(report_for_dataset(export.dataset))
        if spec.population is not None:
            return spec.population
    except KeyError:
        pass
    referenced = [fk.references for t in export.spec.tables for fk in t.foreign_keys]
    unit = next((t for t in referenced if t in export.tables), next(iter(export.tables)))
    return Population(unit, T("enheder", "units"))


def _variables(export: Any) -> Mapping[str, Variable]:
    from evalkit.report.spec import get_spec, report_for_dataset

    try:
        return dict(getattr(get_spec(report_for_dataset(export.dataset)), "variables", None) or {})
    except KeyError:
        return {}


def _resolve(name: str, export: Any, population: Population, option: str) -> tuple[pd.Series, bool, list[str] | None]:
    """The variable's values on the unit rows, whether it is numeric, and its levels in display order
    (the dictionary's or the categorical's order; ``None``: sorted). Whether the levels are *ordered*
    (for the trend test) is :func:`_is_ordered`."""
    unit = export[population.unit]
    derived = _variables(export)
    if name in unit.columns:
        series = unit[name]
        try:
            col = export.spec.table(population.unit).column(name)
            if col.values:
                return series, False, list(col.codes)
            if col.dtype in ("category", "text", "string", "id", "bool", "boolean"):
                return series, False, None
        except (KeyError, AttributeError):
            pass
        numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
        return series, numeric, None
    if name in derived:
        series = derived[name](export)
        numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
        levels = [str(c) for c in series.cat.categories] if isinstance(series.dtype, pd.CategoricalDtype) else None
        return series, numeric, levels
    import difflib

    choices = list(unit.columns) + list(derived)
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else f"; one of: {', '.join(choices)}"
    raise WhereError(f"{option}: unknown variable {name!r}{hint}")


def _is_ordered(export: Any, population: Population, name: str, series: pd.Series | None) -> bool:
    """Whether a categorical variable's levels are ordered (dictionary ``ordered``, or an ordered categorical)."""
    try:
        return bool(export.spec.table(population.unit).column(name).ordered)
    except (KeyError, AttributeError):
        return series is not None and isinstance(series.dtype, pd.CategoricalDtype) and bool(series.cat.ordered)


def _labels(export: Any, population: Population, name: str) -> tuple[Text, dict[str, Text]]:
    """The dictionary's label of a unit column and of its category codes (the name itself otherwise)."""
    try:
        col = export.spec.table(population.unit).column(name)
    except (KeyError, AttributeError):
        return Text(name, name), {}
    return (Text(col.label_da or name, col.label_en or name),
            {v.code: Text(v.label_da or v.code, v.label_en or v.code) for v in col.values})


def _levels(series: pd.Series, ordered: list[str] | None) -> list[str]:
    present = [str(v) for v in pd.unique(series.dropna().astype(str))]
    if ordered is not None:
        return [lv for lv in ordered if lv in present] + sorted(v for v in present if v not in ordered)
    return sorted(present)


def custom_table(export: Any, rows: str, cols: str | None = None, *, stats: Sequence[str] | str | None = None,
                 test: str = "auto", where: Sequence[str] | str = (), lang: str = "da", min_cell: int = 5,
                 disclosure: bool = True) -> Report:
    """One custom table of ``rows`` (by ``cols``) as a report (see the module docstring).

    Raises :class:`~evalkit.report._build.where.WhereError` (a usage error) for an unknown variable,
    statistic or test, or a filter that does not fit the export.
    """
    from evalkit.report.spec import ReportOptions, finish_report

    if test not in TESTS:
        raise WhereError(f"--test: {test!r} is not one of {', '.join(TESTS)}")
    wheres = (where,) if isinstance(where, str) else tuple(where)
    population = default_population(export)
    export, _subset = subset_export(export, population, wheres)
    y, y_numeric, y_order = _resolve(rows, export, population, "--rows")
    if cols is not None:
        g, g_numeric, g_order = _resolve(cols, export, population, "--cols")
        if g_numeric and pd.Series(g).nunique() > 12:
            raise WhereError(f"--cols: {cols!r} is a number with many values; group by a category")
    else:
        g, g_order = None, None
    kind = "numeric" if y_numeric else "categorical"
    allowed = NUMERIC_STATS if y_numeric else CATEGORICAL_STATS
    wanted = tuple(s.strip() for s in (stats.split(",") if isinstance(stats, str) else stats or _DEFAULT[kind]))
    bad = [s for s in wanted if s not in allowed]
    if bad:
        raise WhereError(f"--stats: {bad[0]!r} does not apply to a {'numeric' if y_numeric else 'categorical'} "
                         f"variable; choose from {', '.join(allowed)}")
    groups = _levels(g, g_order) if g is not None else []
    gcodes = codes(g, groups) if g is not None else np.zeros(len(y), dtype=np.int64)
    y_label, y_levels = _labels(export, population, rows)
    g_label, g_levels = _labels(export, population, cols) if cols else (None, {})
    title = y_label if g_label is None else Text(f"{y_label.da} efter {g_label.da.lower()}",
                                                   f"{y_label.en} by {g_label.en.lower()}")
    if y_numeric:
        table = _numeric_table(y, gcodes, groups, wanted, title, g_levels)
    else:
        table = _categorical_table(y, y_order, gcodes, groups, wanted, title, y_levels, g_levels)
    if g is not None and test != "none":
        g_ordered = g_order if _is_ordered(export, population, cols or "", g) else None
        _add_test(table, y, y_numeric, y_order, gcodes, groups, g_ordered, test, rows, cols)
    if g is not None and (gcodes < 0).any():
        k = int((gcodes < 0).sum())
        table.notes.append(Text(f"{k} {population.unit_name.da} uden oplysning om {cols} indgår kun i totalen.",
                                f"{k} {population.unit_name.en} with no {cols} are counted in the total only."))
    options = ReportOptions(lang=lang, min_cell=min_cell, disclosure=disclosure, where=wheres)
    report = Report(name="table", title=T("Egen tabel", "Custom table"), tables=[table], lang=lang,
                    settings={**options.to_dict(), "rows": rows, "cols": cols, "stats": ",".join(wanted),
                              "test": test})
    return finish_report(report, export, options)


def _group_columns(groups: Sequence[str], labels: Mapping[str, Text]) -> list[tuple[str, Text]]:
    return [(str(gr), labels.get(str(gr), Text(str(gr), str(gr)))) for gr in groups] + [("total", TOTAL)]


def _categorical_table(y: pd.Series, order: list[str] | None, gcodes: np.ndarray, groups: Sequence[str],
                       wanted: Sequence[str], title: Text, level_labels: Mapping[str, Text],
                       group_labels: Mapping[str, Text]) -> Table:
    levels = _levels(y, order)
    ycodes = codes(y, levels)
    columns: list[Column] = []
    for key, label in _group_columns(groups, group_labels) if groups else [("total", TOTAL)]:
        prefix = "" if not groups else f"{key}_"
        n_key = f"{prefix}n" if groups else "n"
        columns.append(count_column(key if groups else "n", label if groups else T("Antal", "Number"),
                                    is_total=key == "total" and bool(groups)))
        if "pct" in wanted:
            columns.append(share_column(f"{prefix}pct", Text(f"{label.da} (%)", f"{label.en} (%)"),
                                        count_of=key if groups else "n"))
        if "ci" in wanted:
            columns.append(Column(f"{prefix}ci_low", T("95 %-KI, nedre", "95% CI, lower")))
            columns.append(Column(f"{prefix}ci_high", T("95 %-KI, øvre", "95% CI, upper")))
        del n_key
    table = Table(id="custom", source="", title=title, columns=columns, additive=True)
    ng = max(len(groups), 1)
    known_group = gcodes >= 0
    counts = np.zeros((len(levels) + 1, ng), dtype=np.int64)   # last row: missing value
    yk = np.where(ycodes < 0, len(levels), ycodes)
    np.add.at(counts, (yk[known_group], gcodes[known_group]), 1)
    totals_known = counts[:-1].sum(axis=0)
    col_keys = [str(gr) for gr in groups] if groups else []

    def cells(row_counts: np.ndarray, is_missing: bool) -> dict[str, Cell]:
        from evalkit.compare import wilson_ci

        out: dict[str, Cell] = {}
        keys = col_keys + ["total"] if groups else ["n"]
        values = list(row_counts) + [int(row_counts.sum())] if groups else [int(row_counts.sum())]
        bases = list(totals_known) + [int(totals_known.sum())] if groups else [int(totals_known.sum())]
        for key, k, base in zip(keys, values, bases, strict=True):
            prefix = f"{key}_" if groups else ""
            out[key] = count(int(k))
            if is_missing:
                continue
            if "pct" in wanted:
                out[f"{prefix}pct"] = share(int(k), int(base))
            if "ci" in wanted:
                lo, hi = wilson_ci(int(k), int(base)) if base else (np.nan, np.nan)
                out[f"{prefix}ci_low"] = number(100 * lo, decimals=1, kind="percent")
                out[f"{prefix}ci_high"] = number(100 * hi, decimals=1, kind="percent")
                out[f"{prefix}ci_low"].count_of = f"{{row}}|{key}"
                out[f"{prefix}ci_high"].count_of = f"{{row}}|{key}"
        return out

    for i, level in enumerate(levels):
        c = cells(counts[i], False)
        for cell in c.values():
            if cell.count_of and "{row}" in cell.count_of:
                cell.count_of = cell.count_of.replace("{row}", slug(level))
        table.add_row(slug(level), level_labels.get(level, Text(level, level)), c)
    if counts[-1].sum():
        table.add_row("ukendt", UNKNOWN, cells(counts[-1], True))
    table.add_row("total", TOTAL, {k: v for k, v in cells(counts.sum(axis=0), True).items()}, is_total=True)
    return table


def _numeric_table(y: pd.Series, gcodes: np.ndarray, groups: Sequence[str], wanted: Sequence[str],
                   title: Text, group_labels: Mapping[str, Text]) -> Table:
    from evalkit.compare.describe import describe

    labels = {"n": T("Antal", "Number"), "mean": T("Gennemsnit", "Mean"), "sd": T("Standardafvigelse", "SD"),
              "median": T("Median", "Median"), "q1": T("Nedre kvartil", "Lower quartile"),
              "q3": T("Øvre kvartil", "Upper quartile"), "ci_low": T("95 %-KI, nedre", "95% CI, lower"),
              "ci_high": T("95 %-KI, øvre", "95% CI, upper"), "min": T("Mindste", "Minimum"),
              "max": T("Største", "Maximum")}
    keys = ["n"]
    for s in wanted:
        keys += {"mean": ["mean"], "sd": ["sd"], "median": ["median"], "iqr": ["q1", "q3"],
                 "ci": ["ci_low", "ci_high"], "min": ["min"], "max": ["max"]}.get(s, [])
    keys = list(dict.fromkeys(keys))
    table = Table(
        id="custom",
        source="",
        title=title,
        additive=True,
        row_lines=(),
        columns=[count_column("n", labels["n"])] + [share_column(k, labels[k], count_of="n") for k in keys[1:]],
    )
    values = pd.Series(y).to_numpy(dtype="float64", na_value=np.nan)
    rows = [(str(gr), group_labels.get(str(gr), Text(str(gr), str(gr))), gcodes == i) for i, gr in enumerate(groups)]
    rows.append(("total", TOTAL, gcodes >= 0))
    for key, label, mask in rows:
        d = describe(values[mask]).iloc[0]
        out: dict[str, Cell] = {"n": count(int(d["n"]))}
        for k in keys[1:]:
            src = {"ci_low": "mean_ci_low", "ci_high": "mean_ci_high"}.get(k, k)
            kind = (
                "mean"
                if k in ("mean", "ci_low", "ci_high", "sd")
                else ("median" if k != "min" and k != "max" else "number")
            )
            out[k] = number(d[src], decimals=1 if kind != "number" else 1, n=int(d["n"]), kind=kind)
        table.add_row(slug(key) if key != "total" else "total", label, out, is_total=key == "total")
    return table


def _add_test(table: Table, y: pd.Series, y_numeric: bool, y_order: list[str] | None, gcodes: np.ndarray,
              groups: Sequence[str], g_order: list[str] | None, test: str, rows: str, cols: str | None) -> None:
    from evalkit import compare

    outcome = table.title
    known = gcodes >= 0
    result: compare.ComparisonResult
    if y_numeric:
        v = pd.Series(y).to_numpy(dtype="float64", na_value=np.nan)
        samples = [v[gcodes == i] for i in range(len(groups))]
        use = test if test != "auto" else ("mann_whitney" if len(groups) == 2 else "kruskal_wallis")
        if use == "mann_whitney":
            if len(groups) != 2:
                raise WhereError(f"--test mann_whitney needs two groups; {cols!r} has {len(groups)}")
            result = quiet(compare.mann_whitney, samples[0], samples[1])
        elif use == "kruskal_wallis":
            ok = known & ~np.isnan(v)
            result = quiet(compare.kruskal_wallis, v[ok], gcodes[ok])
        else:
            raise WhereError(f"--test {use} needs a categorical --rows variable")
        over = cells_of([slug(str(gr)) for gr in groups], ["n"])
    else:
        levels = _levels(y, y_order)
        ycodes = codes(y, levels)
        ok = known & (ycodes >= 0)
        counts = np.zeros((len(levels), len(groups)), dtype=np.int64)
        np.add.at(counts, (ycodes[ok], gcodes[ok]), 1)
        use = test
        if test == "auto":
            use = "trend" if (g_order is not None and len(levels) == 2 and len(groups) > 2) else "chi_square"
        if use == "trend":
            if len(levels) != 2:
                raise WhereError(f"--test trend needs a yes/no --rows variable; {rows!r} has {len(levels)} levels")
            result = quiet(compare.cochran_armitage, counts[1], counts.sum(axis=0))
        elif use == "chi_square":
            result = quiet(compare.chi_square, counts.T)
        else:
            raise WhereError(f"--test {use} needs a numeric --rows variable")
        over = cells_of([slug(lv) for lv in levels], [str(gr) for gr in groups])
    table.tests.append(test_row("total", outcome, result, over=over))
