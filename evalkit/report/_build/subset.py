"""Subsets of an export: ``--where`` filters applied to a report's unit and followed into every table.

A report declares its :class:`Population`: the table whose rows are its unit (persons, episodes,
institutions), how tables that are not linked to the unit by a foreign key follow a filter, and its
intake date (for periods). :func:`subset_export` evaluates the filters on the unit table, keeps the
rows of every linked table that belong to the kept units (registrations, TEM forms, attendance, ASI
follow their person or episode), and records every removed row in the ledger with the filter as its
reason. A table that cannot follow a filter (costs recorded per municipality and year, filtered by
school type) is left out of the export, and the tables that need it are left out of the report with
a note saying why: nothing is computed on the wrong base.

>>> import pandas as pd
>>> from evalkit.report._build.subset import Population, evaluate
>>> from evalkit.report._build.where import parse_where
>>> frame = pd.DataFrame({"kommune": ["Odense", "Aarhus", None], "alder": [17, 19, 18]})
>>> evaluate(parse_where("kommune == Odense or alder >= 19"), frame).tolist()
[True, True, False]
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evalkit.report._build.values import day_numbers, floats, positions
from evalkit.report._build.where import And, Comparison, Expr, Not, Or, WhereError, parse_where
from evalkit.report.model import Text

__all__ = ["Population", "Subset", "evaluate", "subset_export"]


@dataclass(frozen=True)
class Population:
    """What a report counts, and how its other tables follow a filter.

    ``unit``: the table whose rows are the unit (one row per person, episode or institution).
    ``unit_name``: the unit in both languages (plural, lower case).
    ``intake_date``: the unit table's date column that ``--period`` splits on.
    ``own_columns``: unlinked tables filtered by the same expression when they hold all of its
    columns (costs per municipality and year), else left out.
    ``shared_column``: unlinked tables that follow the unit through a column both hold
    (sessions follow the groups of the kept participants).
    """

    unit: str
    unit_name: Text
    intake_date: str | None = None
    own_columns: tuple[str, ...] = ()
    shared_column: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Subset:
    """The filters applied, the rows each removed per table, and the tables the filters left out."""

    wheres: tuple[str, ...] = ()
    removed: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, Text] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"where": list(self.wheres), "rows_removed": dict(self.removed),
                "tables_left_out": {k: v.en for k, v in self.left_out.items()}}


# ------------------------------------------------------------------------------ evaluation


def _kind(series: pd.Series) -> str:
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        t = dtype.pyarrow_dtype
        if pa.types.is_date(t) or pa.types.is_timestamp(t):
            return "date"
        if pa.types.is_boolean(t):
            return "bool"
        if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
            return "number"
        return "text"
    if isinstance(dtype, pd.CategoricalDtype):
        return "text"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    non_null = series.dropna()
    if len(non_null) and all(hasattr(v, "year") and hasattr(v, "day") for v in non_null.iloc[:20]):
        return "date"
    return "text"


def _compare(left: np.ndarray, op: str, right: Any) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        if op == "==":
            return left == right
        if op == "!=":
            return (left != right) & ~np.isnan(left)
        if op == "<":
            return left < right
        if op == "<=":
            return left <= right
        if op == ">":
            return left > right
        return left >= right


def _text_values(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes into the distinct texts of a column (-1 missing) and those texts."""
    raw, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
    return np.asarray(raw), np.array([str(u) for u in uniques], dtype=object)


def _resolve_text(value: Any, texts: Sequence[str], column: str, lookup: Mapping[str, str] | None) -> str:
    """The text a filter value names: exact, via the dictionary's labels and aliases, else an error."""
    text = str(value)
    if text in texts:
        return text
    if lookup:
        from evalkit.io.schema import normalise_name

        code = lookup.get(normalise_name(text))
        if code is not None:
            return code
    folded = {t.casefold(): t for t in texts}
    if text.casefold() in folded:
        return folded[text.casefold()]
    choices = sorted(set(texts) | set((lookup or {}).values()))
    close = difflib.get_close_matches(text, choices, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else (
        f"; its values: {', '.join(choices[:12])}{', ...' if len(choices) > 12 else ''}" if choices else "")
    raise WhereError(f"column {column!r} has no value {text!r}{hint}")


def evaluate(expr: Expr, frame: pd.DataFrame, lookups: Mapping[str, Mapping[str, str]] | None = None) -> np.ndarray:
    """The rows of ``frame`` that ``expr`` keeps (a boolean array); a missing value never matches.

    ``lookups`` maps a category column to the dictionary's spellings of its codes (labels, aliases).
    """
    if isinstance(expr, And):
        out = np.ones(len(frame), dtype=bool)
        for p in expr.parts:
            out &= evaluate(p, frame, lookups)
        return out
    if isinstance(expr, Or):
        out = np.zeros(len(frame), dtype=bool)
        for p in expr.parts:
            out |= evaluate(p, frame, lookups)
        return out
    if isinstance(expr, Not):
        return ~evaluate(expr.part, frame, lookups)
    return _comparison(expr, frame, lookups or {})


def _comparison(c: Comparison, frame: pd.DataFrame, lookups: Mapping[str, Mapping[str, str]]) -> np.ndarray:
    series = frame[c.column]
    kind = _kind(series)
    values = list(c.value) if c.op in ("in", "not in") else [c.value]
    if kind in ("date", "number", "bool"):
        import datetime as dt

        left = day_numbers(series) if kind == "date" else floats(series)
        right: list[float] = []
        for v in values:
            if kind == "date":
                if not isinstance(v, dt.date):
                    raise WhereError(f"column {c.column!r} holds dates: compare it with a date such as 2014-01-31, "
                                     f"not {v!r}")
                right.append(float((v - dt.date(1970, 1, 1)).days))
            elif isinstance(v, (bool, int, float)) and not isinstance(v, dt.date):
                right.append(float(v))
            else:
                raise WhereError(f"column {c.column!r} holds {'yes/no values' if kind == 'bool' else 'numbers'}: "
                                 f"compare it with {'true or false' if kind == 'bool' else 'a number'}, not {v!r}")
        if c.op in ("in", "not in"):
            hit = np.isin(left, right)
            return hit if c.op == "in" else (~hit & ~np.isnan(left))
        return _compare(left, c.op, right[0])
    if c.op not in ("==", "!=", "in", "not in"):
        raise WhereError(f"column {c.column!r} holds text: compare it with ==, != or in, not {c.op}")
    codes, texts = _text_values(series)
    wanted = {_resolve_text(v, list(texts), c.column, lookups.get(c.column)) for v in values}
    hit_text = np.array([t in wanted for t in texts] + [False], dtype=bool)
    hit = hit_text[np.where(codes < 0, len(texts), codes)]
    if c.op in ("==", "in"):
        return hit
    return ~hit & (codes >= 0)


# ------------------------------------------------------------------------------ the export


def _lookups(export: Any, table: str) -> dict[str, Mapping[str, str]]:
    try:
        spec = export.spec.table(table)
    except (KeyError, AttributeError):
        return {}
    return {col.name: col.value_lookup() for col in spec.columns if col.values}


def _check_columns(expr: Expr, text: str, export: Any, population: Population) -> None:
    unit_cols = list(export[population.unit].columns)
    for column in expr.columns():
        if column in unit_cols:
            continue
        elsewhere = [t for t, f in export.tables.items() if column in f.columns]
        if elsewhere:
            raise WhereError(f"filter {text!r}: a filter selects {population.unit_name.en} (table "
                             f"{population.unit!r}); column {column!r} is in table {elsewhere[0]!r}, not in it")
        every = sorted({c for f in export.tables.values() for c in f.columns})
        close = difflib.get_close_matches(column, every, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else f"; the columns of {population.unit!r}: {', '.join(unit_cols)}"
        raise WhereError(f"filter {text!r}: unknown column {column!r}{hint}")


def _children(export: Any) -> dict[str, list[tuple[str, tuple[str, ...], str]]]:
    """For each table, the (parent table, its key columns, referencing column) it references."""
    out: dict[str, list[tuple[str, tuple[str, ...], str]]] = {}
    for name in export.tables:
        try:
            spec = export.spec.table(name)
        except (KeyError, AttributeError):
            continue
        for fk in spec.foreign_keys:
            if fk.references in export.tables and len(fk.columns) == 1:
                parent_key = export.spec.table(fk.references).primary_key
                out.setdefault(name, []).append((fk.references, tuple(parent_key), fk.columns[0]))
    return out


def subset_export(export: Any, population: Population, wheres: Sequence[str]) -> tuple[Any, Subset]:
    """A copy of ``export`` holding only the units that pass every filter, and what was removed.

    Raises :class:`WhereError` for a filter that cannot be read, names an unknown column or value, or
    a column outside the unit table.
    """
    info = Subset(wheres=tuple(wheres))
    if not wheres:
        return export, info
    exprs = [parse_where(w) for w in wheres]
    for e, w in zip(exprs, wheres, strict=True):
        _check_columns(e, w, export, population)
    unit = export[population.unit]
    keep_unit = np.ones(len(unit), dtype=bool)
    for e in exprs:
        keep_unit &= evaluate(e, unit, _lookups(export, population.unit))
    kept: dict[str, np.ndarray] = {population.unit: keep_unit}
    combined = And(tuple(exprs)) if len(exprs) > 1 else exprs[0]
    links = _children(export)
    pending = [t for t in export.tables if t != population.unit]
    while pending:
        progressed = False
        for name in list(pending):
            frame = export[name]
            if name in links and all(p in kept or p not in pending for p, _, _ in links[name]):
                mask = np.ones(len(frame), dtype=bool)
                for parent, key, column in links[name]:
                    if parent in kept and len(key) == 1:
                        parent_frame = export[parent]
                        kept_keys = parent_frame[key[0]][kept[parent]]
                        mask &= positions(frame[column], kept_keys) >= 0
                kept[name] = mask
            elif name in population.shared_column:
                col = population.shared_column[name]
                kept[name] = positions(frame[col], unit[col][keep_unit].dropna()) >= 0
            elif name in population.own_columns:
                if all(c in frame.columns for c in combined.columns()):
                    kept[name] = evaluate(combined, frame, _lookups(export, name))
                else:
                    info.left_out[name] = Text(
                        f"Tabellen er udeladt: filteret ({'; '.join(wheres)}) kan ikke følge tabellen {name}, "
                        "som kun er opgjort på sine egne kolonner; tal på et forkert grundlag vises ikke.",
                        f"Left out: the filter ({'; '.join(wheres)}) cannot follow table {name}, which is "
                        "recorded only by its own columns; numbers on the wrong base are not shown.")
            else:
                info.left_out[name] = Text(f"Tabellen {name} er udeladt: filteret kan ikke følge den.",
                                           f"Table {name} is left out: the filter cannot follow it.")
            if name in kept or name in info.left_out:
                pending.remove(name)
                progressed = True
        if not progressed:   # a cycle of references: follow the unit only
            for name in pending:
                info.left_out[name] = Text(f"Tabellen {name} er udeladt: filteret kan ikke følge den.",
                                           f"Table {name} is left out: the filter cannot follow it.")
            break
    return _apply(export, kept, info, "; ".join(wheres)), info


def _apply(export: Any, kept: Mapping[str, np.ndarray], info: Subset, reason_text: str) -> Any:
    import copy

    ledger = copy.deepcopy(export.ledger)
    tables: dict[str, pd.DataFrame] = {}
    row_numbers = dict(getattr(export, "row_numbers", {}) or {})
    for name, frame in export.tables.items():
        if name in info.left_out:
            if name in ledger.tables:
                ledger.exclude(name, f"filter cannot follow this table: {reason_text}", ledger.kept(name))
            info.removed[name] = len(frame)
            row_numbers.pop(name, None)
            continue
        mask = kept.get(name)
        if mask is None or mask.all():
            tables[name] = frame
            info.removed[name] = 0
            continue
        tables[name] = frame[mask].reset_index(drop=True)
        removed = int((~mask).sum())
        info.removed[name] = removed
        if name in ledger.tables:
            ledger.exclude(name, f"filter: {reason_text}", removed)
        if name in row_numbers and len(row_numbers[name]) == len(frame):
            row_numbers[name] = np.asarray(row_numbers[name])[mask]
    return dataclasses.replace(export, tables=tables, ledger=ledger, row_numbers=row_numbers)
