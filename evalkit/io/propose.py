"""Propose a mapping file for an unknown export (``evalkit init``).

For every file or sheet the proposal guesses the canonical table, and for every header the canonical
column, from three kinds of evidence:

* names: the header against the column's canonical name, aliases and Danish/English labels
  (token overlap, numbers must agree: ``who5_3`` is never ``who5_4``);
* values: a sample of the column's values against the column's type and range (dates for date
  columns, 0–5 for WHO-5 items, known spellings for category codes, CPR-like values for ids);
* uniqueness: each canonical column is given to at most one header.

Every guess is written with a comment saying why and how sure it is; unmatched headers and missing
required columns are listed, and category values that match no code are left as ``null`` for the
user to fill in. ``evalkit validate --mapping`` then says what is still missing.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from evalkit.io.convert import convert_column
from evalkit.io.cpr import has_cpr, is_cpr_like
from evalkit.io.export import _discover
from evalkit.io.problems import ProblemList
from evalkit.io.readers import CsvOptions, RawTable
from evalkit.io.safetext import printable
from evalkit.io.schema import ColumnSpec, TableSpec, all_tables, normalise_name

SAMPLE_ROWS = 500
ACCEPT = 0.45


@dataclass
class ColumnGuess:
    header: str
    column: str | None
    score: float
    why: str


@dataclass
class TableGuess:
    raw: RawTable
    table: TableSpec | None
    columns: list[ColumnGuess] = field(default_factory=list)
    unknown_values: dict[str, list[str]] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(c.score for c in self.columns if c.column)


def _tokens(text: str) -> set[str]:
    return {t for t in normalise_name(text).split("_") if t}


def _name_score(header: str, col: ColumnSpec) -> tuple[float, str]:
    key = normalise_name(header)
    if key == normalise_name(col.name) or key in {normalise_name(a) for a in col.aliases}:
        return 1.0, "same name or a known alias"
    head_tokens = _tokens(header)
    best, why = 0.0, ""
    for cand in (col.name, *col.aliases, col.label_da, col.label_en):
        if not cand:
            continue
        cand_tokens = _tokens(cand)
        nums_h = {t for t in head_tokens if t.isdigit()}
        nums_c = {t for t in cand_tokens if t.isdigit()}
        if nums_h != nums_c and (nums_h or nums_c) and not (nums_h <= nums_c and nums_h):
            continue  # "who5 1" vs "who5 2": numbers must agree
        overlap = len(head_tokens & cand_tokens) / max(1, len(head_tokens | cand_tokens))
        ratio = difflib.SequenceMatcher(None, key, normalise_name(cand)).ratio()
        score = max(overlap, 0.85 * ratio)
        if score > best:
            best, why = score, f"resembles '{cand}'"
    return best, why


def _value_score(values: pa.Array, col: ColumnSpec, decimal: str, thousands: str | None) -> tuple[float, str]:
    sample = values.slice(0, SAMPLE_ROWS)
    present = int(pc.sum(pc.is_valid(sample)).as_py() or 0)
    if present == 0:
        return 0.0, ""
    conv = convert_column(sample, col, decimal, thousands)
    bad = int(conv.invalid().sum())
    share_ok = 1 - bad / present
    if col.dtype == "id":
        cpr = is_cpr_like(pc.cast(sample, pa.string())).mean()
        unique = len(pc.unique(sample)) / present
        return (0.3 if cpr > 0.5 else 0.1 * unique), "values look like identifiers" if cpr > 0.5 else ""
    if col.dtype in ("string",):
        return 0.0, ""
    if share_ok >= 0.98:
        span = f" {col.min:g}-{col.max:g}" if col.min is not None and col.max is not None else ""
        return 0.3, f"values fit {col.dtype}" + span
    return -0.5 * (1 - share_ok), f"{bad} of {present} sampled values do not fit"


def _guess_columns(raw: RawTable, spec: TableSpec) -> TableGuess:
    pairs = []
    for j, header in enumerate(raw.headers):
        for col in spec.columns:
            name, why_name = _name_score(header, col)
            if name < 0.2:
                continue
            value, why_value = _value_score(raw.columns[j], col, raw.decimal, raw.thousands)
            pairs.append((name + value, j, col, "; ".join(w for w in (why_name, why_value) if w)))
    pairs.sort(key=lambda p: -p[0])
    taken_headers: set[int] = set()
    taken_columns: set[str] = set()
    guess = TableGuess(raw=raw, table=spec)
    chosen: dict[int, ColumnGuess] = {}
    for score, j, col, why in pairs:
        if score < ACCEPT or j in taken_headers or col.name in taken_columns:
            continue
        taken_headers.add(j)
        taken_columns.add(col.name)
        chosen[j] = ColumnGuess(raw.headers[j], col.name, min(score, 1.0), why)
    for j, header in enumerate(raw.headers):
        guess.columns.append(chosen.get(j, ColumnGuess(header, None, 0.0, "no column of the dictionary fits")))
    for j, cg in chosen.items():
        col = spec.column(cg.column)  # type: ignore[arg-type]
        if col.dtype == "category":
            lookup = col.value_lookup()
            uniques = pc.unique(pc.utf8_trim_whitespace(pc.cast(raw.columns[j], pa.string()))).drop_null().to_pylist()
            unknown = sorted(u for u in uniques if u and normalise_name(u) not in lookup)
            if unknown:
                guess.unknown_values[col.name] = unknown[:50]
    return guess


def propose(source: str | Path, csv_options: CsvOptions | None = None) -> list[TableGuess]:
    """Guess table and columns for every file/sheet of ``source``."""
    raws = _discover(Path(source), csv_options or CsvOptions(), ProblemList())
    tables = all_tables()
    guesses = []
    for raw in raws:
        candidates = [_guess_columns(raw, spec) for spec in tables.values()]
        key = normalise_name(raw.name)
        by_name = [g for g in candidates if g.table and (key == normalise_name(g.table.name) or
                                                          key in {normalise_name(a) for a in g.table.aliases})]
        best = by_name[0] if by_name else max(candidates, key=lambda g: g.score)
        if not by_name and best.score < 1.5:
            best = TableGuess(raw=raw, table=None, columns=[ColumnGuess(h, None, 0.0, "") for h in raw.headers])
        guesses.append(best)
    # One dataset per export: keep the tables of the dataset with the most evidence.
    datasets: dict[str, float] = {}
    for g in guesses:
        if g.table:
            datasets[g.table.dataset] = datasets.get(g.table.dataset, 0) + g.score
    if datasets:
        keep = max(datasets, key=datasets.get)  # type: ignore[arg-type]
        for g in guesses:
            if g.table and g.table.dataset != keep:
                g.table = None
    return guesses


def _q(text: str) -> str:
    r"""A YAML double-quoted scalar: quotes, backslashes and every control character escaped.

    >>> print(_q('a "b"\n\x1b'))
    "a \"b\"\n\u001b"
    """
    out = json.dumps(str(text), ensure_ascii=False)
    return re.sub("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]",
                  lambda m: f"\\u{ord(m.group(0)):04x}", out)


def render_mapping(guesses: list[TableGuess]) -> str:
    """The mapping file, with every guess commented and every gap marked TODO."""
    dataset = next((g.table.dataset for g in guesses if g.table), None)
    lines = ["# evalkit mapping file, proposed by `evalkit init`.",
             "# Check every guess; lines marked TODO need a decision. Then run:",
             "#   evalkit validate SOURCE --mapping THIS_FILE",
             f"dataset: {dataset or 'null  # TODO: no known table was recognised'}",
             "tables:"]
    todo = 0
    for g in guesses:
        if g.table is None:
            lines.append(f"  # TODO: {_q(printable(g.raw.file))} matches no table of the data dictionary; it will "
                         "be ignored.")
            todo += 1
            continue
        lines.append(f"  {g.table.name}:  # {g.table.label_en}")
        source = g.raw.name if "[" in g.raw.file else g.raw.file
        if has_cpr(source):
            lines.append(f"    # TODO: the {'sheet' if '[' in g.raw.file else 'file'} name holds a CPR number and is "
                         "not written here: rename it, then write source: \"<new name>\"")
            todo += 1
        else:
            lines.append(f"    source: {_q(source)}")
        lines.append("    columns:")
        matched = {c.column for c in g.columns if c.column}
        for c in g.columns:
            if c.column and has_cpr(c.header):
                lines.append(f"      # TODO: {c.column}: the header holds a CPR number and is not written here; "
                             f"rename the column in the file, then write {c.column}: \"<new header>\"")
                todo += 1
            elif c.column:
                sure = "certain" if c.score >= 0.99 else ("likely" if c.score >= 0.7 else "guess, check it")
                lines.append(f"      {c.column}: {_q(c.header)}  # {sure}: {printable(c.why)}")
        for col in g.table.columns:
            if col.name not in matched:
                if col.required:
                    lines.append(f"      # TODO: required column '{col.name}' ({col.label_en}) not found; "
                                 f"write {col.name}: \"<header>\"")
                    todo += 1
                else:
                    lines.append(f"      # optional column '{col.name}' ({col.label_en}) not found")
        unmatched = [printable(c.header) for c in g.columns if not c.column]
        if unmatched:
            lines.append("    # headers not used (not in the data dictionary): " + ", ".join(_q(h) for h in unmatched))
        if g.unknown_values:
            lines.append("    values:")
            for cname, values in g.unknown_values.items():
                codes = ", ".join(g.table.column(cname).codes)
                lines.append(f"      {cname}:  # TODO: map each spelling to one of: {codes}")
                for v in values:
                    if not has_cpr(v):
                        lines.append(f"        {_q(v)}: null")
                        todo += 1
                hidden = sum(1 for v in values if has_cpr(v))
                if hidden:
                    lines.append(f"        # {hidden} value(s) holding a CPR number are not written here; correct "
                                 "them in the file")
    lines.append(f"# {todo} TODO item(s).")
    return "\n".join(lines) + "\n"
