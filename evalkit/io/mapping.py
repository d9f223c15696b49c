"""User mapping files: which file or sheet holds which table, and which header is which column.

A mapping file is YAML::

    # evalkit mapping, made by `evalkit init` or by hand
    dataset: udgaaende
    tables:
      deltagere:
        source: Elever.csv            # file name in the SOURCE folder, or sheet name in a workbook
        columns:
          person_id: "CPR-nummer"     # canonical column: header as it stands in the file
          skoletype: "Type af skole"
        values:
          skoletype: {EUD: erhvervsskole}   # extra spellings of a category's codes

Everything not mentioned is matched by canonical name or alias from the data dictionary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evalkit.io.schema import all_tables, normalise_name


class MappingError(ValueError):
    """The mapping file is malformed or names unknown tables/columns (a usage error)."""


@dataclass(frozen=True)
class TableMapping:
    table: str
    source: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Mapping:
    dataset: str | None = None
    tables: dict[str, TableMapping] = field(default_factory=dict)
    path: str | None = None

    def for_source(self, raw_name: str) -> str | None:
        """The canonical table whose ``source`` names this file stem or sheet."""
        key = normalise_name(raw_name)
        for tm in self.tables.values():
            if tm.source is not None and normalise_name(Path(tm.source).stem) == key:
                return tm.table
            if tm.source is not None and normalise_name(tm.source) == key:
                return tm.table
        return None


def load_mapping(path: str | Path | None) -> Mapping:
    r"""Read and check a mapping file; ``None`` gives the empty mapping.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mapping.yaml"
    >>> _ = path.write_text("tables:\n  deltagere:\n    source: Elever.csv\n    columns: {person_id: CPR-nr}\n")
    >>> load_mapping(path).tables["deltagere"].columns
    {'person_id': 'CPR-nr'}
    """
    if path is None:
        return Mapping()
    p = Path(path)
    try:
        raw: Any = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MappingError(f"mapping file {p} does not exist") from exc
    except yaml.YAMLError as exc:
        raise MappingError(f"mapping file {p} is not valid YAML: {exc}") from exc
    if raw is None:
        return Mapping(path=str(p))
    if not isinstance(raw, dict):
        raise MappingError(f"mapping file {p}: expected a mapping with 'tables'")
    known = all_tables()
    tables: dict[str, TableMapping] = {}
    for tname, traw in (raw.get("tables") or {}).items():
        if tname not in known:
            raise MappingError(f"mapping file {p}: unknown table {tname!r}; known: {', '.join(sorted(known))}")
        traw = traw or {}
        spec = known[tname]
        columns = {}
        for cname, header in (traw.get("columns") or {}).items():
            if cname not in spec.column_names:
                raise MappingError(f"mapping file {p}: table {tname!r} has no column {cname!r}")
            if header is not None:
                columns[cname] = str(header)
        values = {}
        for cname, recodes in (traw.get("values") or {}).items():
            col = spec.column(cname) if cname in spec.column_names else None
            if col is None or col.dtype != "category":
                raise MappingError(f"mapping file {p}: values given for {tname}.{cname}, which is not a category column")
            recodes = {k: v for k, v in (recodes or {}).items() if v is not None}  # null = still to decide
            for src, code in recodes.items():
                if str(code) not in col.codes:
                    raise MappingError(f"mapping file {p}: {tname}.{cname}: {code!r} is not one of {col.codes}")
            values[cname] = {str(k): str(v) for k, v in recodes.items()}
        tables[tname] = TableMapping(table=tname, source=traw.get("source"), columns=columns, values=values)
    return Mapping(dataset=raw.get("dataset"), tables=tables, path=str(p))
