"""Key checks of a validated export: duplicated primary keys and references to unknown rows.

Each problem is reported once: a row that refers to a row already excluded as invalid is excluded
with it (ledger reason "the row in <table> is invalid"), not reported again as "not found".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.io.ledger import Ledger
from evalkit.io.problems import Problem, ProblemList, Severity
from evalkit.io.schema import DatasetSpec

PROBLEMS_PER_KIND = 20


def _key_array(frame: pd.DataFrame, columns: tuple[str, ...]) -> pa.Array:
    """The key columns as one Arrow string array (joined with a unit separator for composite keys)."""
    # A categorical column goes to Arrow as a dictionary (codes + categories, no per-row Python objects)
    parts = [pc.cast(pa.array(frame[c]), pa.string()) for c in columns]
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, "\x1f")


def _has_duplicates(keys: pa.Array | pa.ChunkedArray) -> bool:
    """Whether any key occurs twice: sort once and compare neighbours (much cheaper than hashing 12M strings).

    An export in strictly increasing key order (a database dump in primary-key order) is proven
    duplicate-free by one comparison pass (0.05 s for 12M ids instead of a 1.6 s sort).

    >>> _has_duplicates(pa.array(["T1", "T2", "T3"])), _has_duplicates(pa.array(["T2", "T1", "T2"]))
    (False, True)
    """
    if len(keys) < 2:
        return False
    head, tail = keys.slice(0, len(keys) - 1), keys.slice(1)
    if keys.null_count == 0 and pc.all(pc.less(head, tail)).as_py():
        return False
    ordered = pc.take(keys, pc.sort_indices(keys))
    if isinstance(ordered, pa.ChunkedArray):
        ordered = ordered.combine_chunks()
    same = pc.equal(ordered.slice(1), ordered.slice(0, len(ordered) - 1))
    return bool(pc.any(same).as_py())


def _strictly_increasing(frame: pd.DataFrame, columns: tuple[str, ...]) -> bool:
    """Whether a composite key increases strictly from row to row (so it is unique), without joining it.

    Compared column by column on the columns themselves (a category by its code, so (person,
    time point) in time order counts as increasing), instead of building and sorting one string per
    row (14M joined attendance keys: 0.2 GB and a sort). Single-column keys are left to
    :func:`_has_duplicates`, which does the same check first.

    >>> f = pd.DataFrame({"p": ["a", "a", "b"], "t": pd.Categorical(["T0", "T1", "T0"], categories=["T0", "T1"])})
    >>> _strictly_increasing(f, ("p", "t")), _strictly_increasing(f.iloc[[1, 0, 2]], ("p", "t"))
    (True, False)
    """
    n = len(frame)
    if len(columns) < 2 or n < 2:
        return False
    increasing = tied = None
    for c in columns:
        col = frame[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes = col.cat.codes.to_numpy()
            if (codes < 0).any():
                return False
            arr = pa.array(codes)
        else:
            arr = pa.array(col)
            if arr.null_count:
                return False
        head, tail = arr.slice(0, n - 1), arr.slice(1)
        less, equal = pc.less(head, tail), pc.equal(head, tail)
        increasing = less if increasing is None else pc.or_(increasing, pc.and_(tied, less))
        tied = equal if tied is None else pc.and_(tied, equal)
    return bool(pc.all(increasing).as_py())


def _is_in(child: pa.Array | pa.ChunkedArray, parent: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Whether each child key is among the parent keys: one hash set of the parent's keys, probed per row.

    Probing directly is about twice as cheap as dictionary-encoding the child first (which hashes
    every row as well, into a growing table): 14M attendance rows against 1M participants 0.6 s CPU
    instead of 1.4 s, against 1.9M sessions 1.3 s instead of 2.5 s.

    >>> _is_in(pa.array(["a", "x", None]), pa.array(["a", "b"])).to_pylist()
    [True, False, False]
    """
    return pc.is_in(child, value_set=parent)


def _check_keys(frames: dict[str, pd.DataFrame], rows: dict[str, np.ndarray], files: dict[str, str],
                spec: DatasetSpec, severity: Severity, problems: ProblemList, ledger: Ledger, exclude: bool,
                rejected: dict[str, list[pd.DataFrame]]) -> None:
    """Duplicated primary keys and references to unknown rows.

    ``rejected`` holds, per table, the rows already excluded as invalid: a reference to one of them
    is a consequence of a problem reported once already, so it is excluded with that reason and not
    reported again as "not found".
    """
    for tspec in spec.tables:
        name = tspec.name
        if name not in frames or not tspec.primary_key:
            continue
        frame = frames[name]
        if _strictly_increasing(frame, tspec.primary_key) or not _has_duplicates(_key_array(frame, tspec.primary_key)):
            continue
        dup = frame.duplicated(subset=list(tspec.primary_key), keep=False).to_numpy()
        if dup.any():
            keys = ", ".join(tspec.primary_key)
            for i in np.flatnonzero(dup)[:PROBLEMS_PER_KIND]:
                value = " / ".join(str(frame[c].iloc[i]) for c in tspec.primary_key)
                problems.add(Problem(severity, "duplicate-key", f"the key ({keys}) appears more than once",
                                     file=files[name], table=name, row=int(rows[name][i]), column=keys, value=value))
            rejected.setdefault(name, []).append(frame.loc[dup])
            _drop(frames, rows, ledger, name, dup, f"duplicated key ({keys})", exclude)
    for tspec in spec.tables:
        name = tspec.name
        if name not in frames:
            continue
        for fk in tspec.foreign_keys:
            if fk.references not in frames:
                continue
            frame = frames[name]
            parent = frames[fk.references]
            child_keys = _key_array(frame, fk.columns)
            parent_keys = _key_array(parent, tuple(fk.columns))
            found = _is_in(child_keys, parent_keys)
            orphan = np.asarray(pc.and_(pc.invert(found), pc.is_valid(child_keys)).to_numpy(zero_copy_only=False),
                                dtype=bool)
            cols = ", ".join(fk.columns)
            if orphan.any() and rejected.get(fk.references):
                invalid_parent = pd.concat(rejected[fk.references], ignore_index=True)
                invalid_keys = _key_array(invalid_parent, tuple(fk.columns))
                follows = orphan & _np_bool(pc.is_in(child_keys, value_set=invalid_keys))
                if follows.any():
                    problems.add(Problem("info", "follows-invalid-row", f"{int(follows.sum())} row(s) refer to rows of "
                                         f"table '{fk.references}' that are invalid (reported above); excluded with "
                                         "them", file=files[name], table=name, column=cols))
                    _drop(frames, rows, ledger, name, follows, f"{cols}: the row in {fk.references} is invalid",
                          exclude)
                    rejected.setdefault(name, []).append(frame.loc[follows])
                    frame, child_keys, orphan = frames[name], child_keys.filter(pa.array(~follows)), orphan[~follows]
            if orphan.any():
                for i in np.flatnonzero(orphan)[:PROBLEMS_PER_KIND]:
                    problems.add(Problem(severity, "unknown-reference", f"{cols} is not found in table "
                                         f"'{fk.references}'", file=files[name], table=name, row=int(rows[name][i]),
                                         column=cols, value=str(child_keys[int(i)].as_py())))
                problems.add_suppressed(name, cols, "unknown-reference", severity,
                                        int(orphan.sum()) - min(int(orphan.sum()), PROBLEMS_PER_KIND))
                rejected.setdefault(name, []).append(frame.loc[orphan])
                _drop(frames, rows, ledger, name, orphan, f"{cols} not found in {fk.references}", exclude)


def _np_bool(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _drop(frames: dict[str, pd.DataFrame], rows: dict[str, np.ndarray], ledger: Ledger, name: str,
          mask: np.ndarray, reason: str, exclude: bool) -> None:
    ledger.exclude(name, reason, int(mask.sum()))
    frames[name] = frames[name].loc[~mask].reset_index(drop=True)
    rows[name] = rows[name][~mask]
