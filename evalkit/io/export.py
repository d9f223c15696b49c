"""Read a registry export (a folder of files, one workbook, or one file) into validated canonical tables.

The path of every row: read (file) -> columns matched to the data dictionary -> values converted
and range-checked -> keys checked (duplicates, unknown persons) -> kept, or excluded with a reason in
the :class:`~evalkit.io.ledger.Ledger`. With ``on_invalid="error"`` (the default) any invalid row
stops the run with :class:`~evalkit.io.problems.InputError`; with ``on_invalid="exclude"`` invalid
rows are excluded and the reasons are carried into every report.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.io.convert import Failure, convert_column, spec_int_type
from evalkit.io.cpr import (
    MASK,
    contains_cpr,
    contains_cpr_mask,
    is_cpr_like,
    load_key,
    pseudonymise,
    scrub_column,
    scrub_text,
)
from evalkit.io.keys import _check_keys, _np_bool
from evalkit.io.ledger import Ledger
from evalkit.io.mapping import Mapping, load_mapping
from evalkit.io.problems import InputError, Problem, ProblemList, Severity
from evalkit.io.readers import (
    CSV_SUFFIXES,
    PARQUET_SUFFIXES,
    TABLE_SUFFIXES,
    XLSX_SUFFIXES,
    CsvOptions,
    NotATable,
    RawTable,
    read_csv,
    read_parquet,
    read_xlsx,
)
from evalkit.io.safetext import printable
from evalkit.io.schema import ColumnSpec, DatasetSpec, TableSpec, all_tables, dataset, normalise_name
from evalkit.io.textbuf import has_control_bytes
from evalkit.timing import step

OnInvalid = Literal["error", "exclude"]
CONTROL_CHARACTERS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
PROBLEMS_PER_KIND = 20
# Problems after which key checks would only add noise.
STRUCTURAL = frozenset({"missing-column", "duplicate-header", "ambiguous-column", "empty-table", "missing-table"})


@dataclass
class Export:
    """A validated export: canonical tables as DataFrames (pyarrow-backed dtypes) and the ledger."""

    dataset: str
    tables: dict[str, pd.DataFrame]
    ledger: Ledger
    problems: ProblemList
    files: dict[str, str] = field(default_factory=dict)
    row_numbers: dict[str, np.ndarray] = field(default_factory=dict)
    # (table, column) of free-text columns whose CPR numbers were replaced by XXXXXX-XXXX on read.
    scrubbed: set[tuple[str, str]] = field(default_factory=set)
    pseudonym_key_source: str = "none"
    source: str = ""

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]

    def __contains__(self, table: object) -> bool:
        return table in self.tables

    @property
    def spec(self) -> DatasetSpec:
        return dataset(self.dataset)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}: {len(v)} rows" for k, v in self.tables.items())
        return f"<Export {self.dataset} ({sizes})>"


# ----------------------------------------------------------------------------- discovery


def _discover(source: Path, csv_options: CsvOptions, problems: ProblemList) -> list[RawTable]:
    if not source.exists():
        raise InputError([Problem("error", "no-source", f"{source} does not exist", file=str(source))])
    if source.is_dir():
        files = sorted(p for p in source.iterdir()
                       if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES and not p.name.startswith((".", "~$")))
        if not files:
            raise InputError([Problem("error", "no-tables", "the folder holds no CSV, XLSX or Parquet files",
                                      file=str(source))])
    else:
        files = [source]
    raws: list[RawTable] = []
    fatal: list[Problem] = []
    for path in files:
        suffix = path.suffix.lower()
        try:
            if suffix in XLSX_SUFFIXES:
                sheets = read_xlsx(path, decimal=csv_options.decimal or ",",
                                   thousands=csv_options.thousands if csv_options.thousands is not None else ".")
                if not sheets:
                    fatal.append(Problem("error", "empty-file", "the workbook has no sheet with data", file=path.name))
                raws.extend(sheets)
            elif suffix in PARQUET_SUFFIXES:
                raws.append(read_parquet(path, path.stem))
            elif suffix in CSV_SUFFIXES or not source.is_dir():
                raws.append(read_csv(path, path.stem, csv_options))
        except NotATable as exc:
            code = "empty-file" if "empty" in str(exc) else "not-a-table"
            fatal.append(Problem("error", code, str(exc), file=path.name))
        except OSError as exc:
            fatal.append(Problem("error", "unreadable", f"cannot be read: {exc.strerror or exc}", file=path.name))
    if fatal:
        problems.extend(fatal)
        raise InputError(problems)
    return raws


def _match_header(header: str, spec: TableSpec, mapped: dict[str, str]) -> str | None:
    key = normalise_name(header)
    for canonical, source_header in mapped.items():
        if normalise_name(source_header) == key:
            return canonical
    for col in spec.columns:
        if col.name in mapped:
            continue
        if key == normalise_name(col.name) or key in {normalise_name(a) for a in col.aliases}:
            return col.name
    return None


def _identify(raw: RawTable, mapping: Mapping, candidates: dict[str, TableSpec]) -> str | None:
    by_mapping = mapping.for_source(raw.name)
    if by_mapping:
        return by_mapping
    key = normalise_name(raw.name)
    for name, spec in candidates.items():
        if key == normalise_name(name) or key in {normalise_name(a) for a in spec.aliases}:
            return name
    # Fall back on the headers: the table whose required columns are best covered.
    best, best_score = None, 0.0
    for name, spec in candidates.items():
        mapped = mapping.tables[name].columns if name in mapping.tables else {}
        hits = {_match_header(h, spec, mapped) for h in raw.headers} - {None}
        required = [c.name for c in spec.columns if c.required]
        score = len(hits & set(required)) / max(1, len(required))
        if score > best_score:
            best, best_score = name, score
    return best if best_score >= 0.6 else None


# ----------------------------------------------------------------------------- one table


@dataclass
class _TableResult:
    frame_columns: dict[str, pa.Array]
    invalid_reasons: list[tuple[str, np.ndarray]]
    row_numbers: np.ndarray


def _problems_for(failure: Failure, column: ColumnSpec, header: str, raw: RawTable, raw_values: pa.Array,
                  table: str, severity: Severity, problems: ProblemList) -> None:
    idx = np.flatnonzero(failure.mask)
    shown = idx[:PROBLEMS_PER_KIND]
    values = pc.take(raw_values, pa.array(shown)).to_pylist() if len(shown) else []
    for i, v in zip(shown, values, strict=True):
        problems.add(Problem(severity, failure.code, f"the value {failure.message}", file=raw.file, table=table,
                             row=int(raw.row_numbers[i]), column=header, value=None if v is None else str(v)))
    problems.add_suppressed(table, header, failure.code, severity, len(idx) - len(shown))


def _convert_table(raw: RawTable, spec: TableSpec, mapping: Mapping, severity: Severity, key: bytes | None,
                   problems: ProblemList, scrubbed: set[tuple[str, str]]) -> _TableResult | None:
    tmap = mapping.tables.get(spec.name)
    mapped = tmap.columns if tmap else {}
    matched: dict[str, int] = {}
    seen_headers: dict[str, int] = {}
    ok = True
    for j, header in enumerate(raw.headers):
        norm = normalise_name(header)
        if norm and norm in seen_headers:
            problems.add(Problem("error", "duplicate-header", f"the column name appears twice (columns "
                                 f"{seen_headers[norm] + 1} and {j + 1})", file=raw.file, table=spec.name,
                                 column=header))
            ok = False
            continue
        seen_headers[norm] = j
        canonical = _match_header(header, spec, mapped)
        if canonical is None:
            if len(raw.columns[j]) and contains_cpr(raw.columns[j]):
                problems.add(Problem("warning", "cpr-in-extra-column", "the column is not in the data dictionary and "
                                     "holds CPR-like values; it is dropped and never printed", file=raw.file,
                                     table=spec.name, column=header))
            else:
                problems.add(Problem("info", "extra-column", "the column is not in the data dictionary; ignored",
                                     file=raw.file, table=spec.name, column=header))
            continue
        if canonical in matched:
            other = raw.headers[matched[canonical]]
            problems.add(Problem("error", "ambiguous-column", f"both '{other}' and '{header}' match column "
                                 f"'{canonical}'; name one in a --mapping file", file=raw.file, table=spec.name,
                                 column=header))
            ok = False
            continue
        matched[canonical] = j
    missing = [col for col in spec.columns if col.required and col.name not in matched]
    unused = [h for j, h in enumerate(raw.headers) if j not in matched.values()]
    for col in missing:
        problems.add(Problem("error", "missing-column", f"required column '{col.name}' ({col.label_en}) is missing"
                             f"{_nearest_header(col.name, unused)}", file=raw.file, table=spec.name, column=col.name))
        ok = False
    if missing:
        problems.add(Problem("info", "mapping-hint", "if the file holds these columns under other names, "
                             "`evalkit init` proposes a mapping file naming them; pass it with --mapping",
                             file=raw.file, table=spec.name))
    if not ok:
        return None

    n = len(raw.row_numbers)
    columns: dict[str, pa.Array] = {}
    reasons: list[tuple[str, np.ndarray]] = []
    for col in spec.columns:
        if col.name not in matched:
            columns[col.name] = pa.nulls(n, _arrow_type(col))
            continue
        header = raw.headers[matched[col.name]]
        raw_values = raw.columns[matched[col.name]]
        recode = tmap.values.get(col.name) if tmap else None
        conv = convert_column(raw_values, col, raw.decimal, raw.thousands, recode)
        values = conv.values
        failures = list(conv.failures)
        if col.dtype in ("id", "string"):
            if has_control_bytes(values):
                bad = _np_bool(pc.match_substring_regex(values, CONTROL_CHARACTERS))
                failures.append(Failure("control-character", "holds a control character (an invisible NUL, vertical "
                                        "tab or escape); remove it", bad))
                values = pc.if_else(pa.array(bad), pa.scalar(None, pa.string()), values)
            # Ids are pseudonymised when the whole value is a CPR number (an anchored scan: the hot path);
            # free text is searched anywhere.
            holds = is_cpr_like(values) if col.dtype == "id" else contains_cpr_mask(values)
            if holds.any() and col.dtype == "id" and key is not None:
                values = pseudonymise(values, key, holds)
            elif holds.any():
                # Free text with CPR numbers: the numbers are replaced here, so labels built from the
                # column are printed without them (the rest of the text is kept).
                scrubbed.add((spec.name, col.name))
                values = scrub_column(values, holds)
                problems.add(Problem("warning", "cpr-in-text", f"{int(holds.sum())} value(s) hold a CPR-like number; "
                                     f"the numbers are replaced by {MASK} and the column is printed without them",
                                     file=raw.file, table=spec.name, column=header))
        if not col.nullable:
            absent = np.asarray(pc.is_null(values).to_numpy(zero_copy_only=False), dtype=bool)
            for failure in failures:  # a value that failed is not also "missing"
                absent &= ~failure.mask
            if absent.any():
                failures.append(Failure("missing-value", "is missing", absent))
        for failure in failures:
            _problems_for(failure, col, header, raw, raw_values, spec.name, severity, problems)
            reasons.append((f"{col.name}: {failure.message}", failure.mask))
        columns[col.name] = values
    return _TableResult(columns, reasons, raw.row_numbers)


def _nearest_header(column: str, headers: list[str]) -> str:
    """``"; did you mean 'X'?"`` for the unused header closest to ``column`` (numbers must agree), or ``""``.

    >>> _nearest_header("who5_1", ["who5_5", "trivsel_1"]), _nearest_header("alder", ["Alder i år"])
    ('', "; did you mean 'Alder i år'?")
    """
    digits = "".join(ch for ch in column if ch.isdigit())
    names = {normalise_name(h): h for h in headers if "".join(ch for ch in normalise_name(h) if ch.isdigit()) == digits}
    hint = difflib.get_close_matches(column, list(names), n=1, cutoff=0.6)
    return f"; did you mean '{names[hint[0]]}'?" if hint else ""


def _arrow_type(col: ColumnSpec) -> pa.DataType:
    types = {"int": spec_int_type(col), "float": pa.float64(), "bool": pa.bool_(), "date": pa.date32()}
    return types.get(col.dtype, pa.string())


def with_read_dtypes(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """``frame`` with the integer dtypes :func:`read_export` gives (the dictionary's range decides the width).

    For comparing frames built elsewhere (a generator writes ``int64``) with frames read back.

    >>> from evalkit.io.schema import dataset
    >>> spec = dataset("udgaaende").table("registreringer")
    >>> frame = pd.DataFrame({"who5_1": pd.Series([3, None], dtype="int64[pyarrow]")})
    >>> str(with_read_dtypes(frame, spec)["who5_1"].dtype)
    'int8[pyarrow]'
    """
    types = {c.name: pd.ArrowDtype(_arrow_type(c)) for c in spec.columns if c.dtype == "int" and c.name in frame}
    return frame.astype(types)


def _to_frame(columns: dict[str, pa.Array], spec: TableSpec) -> pd.DataFrame:
    data = {}
    for col in spec.columns:
        arr = columns[col.name]
        if col.dtype == "category":
            if pa.types.is_dictionary(arr.type):   # from convert.to_category: indices over col.codes
                codes = pc.fill_null(arr.indices, -1)
            else:
                codes = pc.fill_null(pc.index_in(arr, value_set=pa.array(col.codes, pa.string())), -1)
            data[col.name] = pd.Categorical.from_codes(codes.to_numpy(zero_copy_only=False), categories=col.codes,
                                                       ordered=col.ordered)
        else:
            data[col.name] = pd.Series(arr, dtype=pd.ArrowDtype(arr.type))
    return pd.DataFrame(data)


# ----------------------------------------------------------------------------- entry point


def read_export(source: str | Path, mapping: str | Path | Mapping | None = None, *,
                dataset_name: str | None = None, csv_options: CsvOptions | None = None,
                on_invalid: OnInvalid = "error", pseudonym_key_file: str | Path | None = None) -> Export:
    """Read and validate a registry export.

    Parameters
    ----------
    source
        A folder of CSV/XLSX/Parquet files (one table per file, named after the table or one of its
        aliases), one XLSX workbook (one table per sheet), or one file.
    mapping
        A mapping file (see :mod:`evalkit.io.mapping`) for exports whose names differ from the data
        dictionary's canonical names and aliases.
    dataset_name
        ``udgaaende``, ``ung-rusmidler`` or ``hcs``; inferred from the tables when omitted.
    csv_options
        Encoding, delimiter, decimal mark and thousands separator for CSV files (detected if omitted).
    on_invalid
        ``"error"`` (default): any invalid value, duplicated key or unknown reference stops the run.
        ``"exclude"``: such rows are excluded and counted in the ledger with their reason.
    pseudonym_key_file
        Key for the HMAC pseudonyms that replace CPR numbers in id columns (else the environment
        variable ``EVALKIT_PSEUDONYM_KEY``, else a random key for this run).

    Returns
    -------
    Export
        ``export.tables`` maps table names to DataFrames; ``export.ledger`` accounts for every row.

    Raises
    ------
    InputError
        With the list of problems (file, row, column, value) when the export cannot be used.

    Examples
    --------
    >>> export = read_export("data/samples/udgaaende")
    >>> export.dataset, len(export["deltagere"])
    ('udgaaende', 405)
    >>> export.ledger.lines()[0]
    'deltagere: read 405, kept 405, excluded 0'
    """
    source = Path(source)
    csv_options = csv_options or CsvOptions()
    problems = ProblemList(per_kind_limit=PROBLEMS_PER_KIND)
    user_mapping = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    dataset_name = dataset_name or user_mapping.dataset
    candidates = {t.name: t for t in dataset(dataset_name).tables} if dataset_name else all_tables()
    with step("read"):
        raws = _discover(source, csv_options, problems)
    with step("validate"):
        return _validate(source, raws, user_mapping, dataset_name, candidates, problems, on_invalid,
                         pseudonym_key_file)


def _validate(source: Path, raws: list[RawTable], user_mapping: Mapping, dataset_name: str | None,
              candidates: dict[str, TableSpec], problems: ProblemList, on_invalid: OnInvalid,
              pseudonym_key_file: str | Path | None) -> Export:

    identified: dict[str, RawTable] = {}
    for raw in raws:
        name = _identify(raw, user_mapping, candidates)
        if name is None:
            msg = ("cannot tell which table this is: name the file or sheet after a table "
                   f"({', '.join(sorted(candidates))}) or give a --mapping file")
            if len(raws) == 1:
                problems.add(Problem("error", "unknown-table", msg, file=raw.file))
            else:
                problems.add(Problem("warning", "unknown-table", msg + "; the file is ignored", file=raw.file))
            continue
        if name in identified:
            problems.add(Problem("error", "duplicate-table", f"both {identified[name].file} and {raw.file} hold table "
                                 f"'{name}'", file=raw.file))
            continue
        identified[name] = raw
    severity: Severity = "warning" if on_invalid == "exclude" else "error"
    for raw in identified.values():
        for p in raw.problems:
            row_level = p.row is not None and p.severity == "error"
            problems.add(dataclasses.replace(p, severity=severity, table=_identify(raw, user_mapping, candidates))
                         if row_level else p)
    if problems.errors:
        raise InputError(problems)
    datasets = {candidates[name].dataset for name in identified}
    if len(datasets) != 1:
        what = "no known table" if not datasets else "tables of several datasets: " + ", ".join(sorted(datasets))
        raise InputError(problems.problems + [Problem("error", "dataset", f"the export holds {what}",
                                                      file=str(source))])
    spec = dataset(datasets.pop())
    for tspec in spec.tables:
        if tspec.name not in identified and not tspec.optional_table:
            problems.add(Problem("error", "missing-table", f"table '{tspec.name}' ({tspec.label_en}) is missing",
                                 file=str(source.name), table=tspec.name))

    key, key_source = (None, "none")
    needs_key = any(c.dtype == "id" for t in identified for c in candidates[t].columns)
    if needs_key:
        key, key_source = load_key(pseudonym_key_file)

    ledger = Ledger()
    frames: dict[str, pd.DataFrame] = {}
    rows: dict[str, np.ndarray] = {}
    files: dict[str, str] = {}
    scrubbed: set[tuple[str, str]] = set()
    rejected: dict[str, list[pd.DataFrame]] = {}
    for tspec in spec.tables:
        raw_table = identified.get(tspec.name)
        if raw_table is None:
            continue
        files[tspec.name] = printable(raw_table.file)  # a file or sheet name may hold a CPR number
        entry = ledger.start(tspec.name, raw_table.file, raw_table.n_read)
        for reason, numbers in raw_table.excluded.items():
            entry.exclude(reason, len(numbers))
            if reason == "blank row":
                for r in numbers[:PROBLEMS_PER_KIND]:
                    problems.add(Problem("warning", "blank-row", "the row is empty; excluded", file=raw_table.file,
                                         table=tspec.name, row=r))
        if len(raw_table.row_numbers) == 0 and not raw_table.excluded:
            problems.add(Problem("error", "empty-table", "the table has a header but no rows", file=raw_table.file,
                                 table=tspec.name))
            continue
        result = _convert_table(raw_table, tspec, user_mapping, severity, key, problems, scrubbed)
        if result is None:
            continue
        frame = _to_frame(result.frame_columns, tspec)
        invalid = np.zeros(len(frame), dtype=bool)
        # Each invalid row is counted once, under the first reason found for it.
        for reason, mask in result.invalid_reasons:
            new = mask & ~invalid
            entry.exclude(reason, int(new.sum()))
            invalid |= mask
        frames[tspec.name] = frame.loc[~invalid].reset_index(drop=True)
        rows[tspec.name] = result.row_numbers[~invalid]
        if invalid.any():
            rejected[tspec.name] = [frame.loc[invalid]]

    if all(p.code not in STRUCTURAL for p in problems.errors):
        _check_keys(frames, rows, files, spec, severity, problems, ledger, on_invalid == "exclude", rejected)
    ledger.check(frames)
    if problems.has_errors:
        raise InputError(problems, ledger)
    return Export(dataset=spec.name, tables=frames, ledger=ledger, problems=problems, files=files, row_numbers=rows,
                  scrubbed=scrubbed, pseudonym_key_source=key_source, source=scrub_text(str(source)))
