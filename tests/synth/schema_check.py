"""One schema check for every synthetic generator: frames match the data dictionary exactly."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from evalkit.io.schema import DatasetSpec

ARROW = {"id": pa.string(), "string": pa.string(), "int": pa.int64(), "float": pa.float64(),
         "bool": pa.bool_(), "date": pa.date32()}


def check_schema(tables: dict[str, pd.DataFrame], spec: DatasetSpec) -> None:
    """Tables, columns, dtypes, codes, nullability, ranges, primary and foreign keys of ``spec``."""
    assert sorted(tables) == sorted(spec.table_names)
    for tspec in spec.tables:
        frame = tables[tspec.name]
        assert list(frame.columns) == tspec.column_names
        for col in tspec.columns:
            s = frame[col.name]
            if col.dtype == "category":
                assert isinstance(s.dtype, pd.CategoricalDtype)
                assert list(s.cat.categories) == col.codes and s.cat.ordered == col.ordered
            else:
                assert s.dtype == pd.ArrowDtype(ARROW[col.dtype]), (tspec.name, col.name, s.dtype)
            if not col.nullable:
                assert s.notna().all(), (tspec.name, col.name)
            if col.min is not None:
                assert (s.dropna() >= col.min).all(), (tspec.name, col.name)
            if col.max is not None:
                assert (s.dropna() <= col.max).all(), (tspec.name, col.name)
        assert not frame.duplicated(list(tspec.primary_key)).any(), tspec.name
        for fk in tspec.foreign_keys:
            child, = fk.columns
            assert frame[child].isin(tables[fk.references][child]).all(), (tspec.name, child)
