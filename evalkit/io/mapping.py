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

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evalkit.io.cpr import scrub_text
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


def _section(parent: dict[str, Any], key: str, where: str) -> dict[Any, Any]:
    """``parent[key]`` as a mapping (empty when absent); a list or text there is a usage error."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        kind = "a list" if isinstance(value, list) else f"{type(value).__name__} {scrub_text(repr(value))[:60]}"
        raise MappingError(f"{where}: '{key}' must be a mapping of names (name: ...), not {kind}")
    return value


def _nearest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


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
    where = f"mapping file {scrub_text(str(p))}"
    try:
        raw: Any = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MappingError(f"{where} does not exist") from exc
    except IsADirectoryError as exc:
        raise MappingError(f"{where} is a folder; give the mapping file (YAML) itself") from exc
    except UnicodeDecodeError as exc:
        raise MappingError(f"{where} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    except OSError as exc:
        raise MappingError(f"{where} cannot be read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise MappingError(f"{where} is not valid YAML: {scrub_text(str(exc))}") from exc
    if raw is None:
        return Mapping(path=str(p))
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: expected a mapping with 'tables' (see `evalkit init`)")
    known = all_tables()
    tables: dict[str, TableMapping] = {}
    for tname, traw in _section(raw, "tables", where).items():
        if tname not in known:
            raise MappingError(f"{where}: unknown table {scrub_text(repr(tname))}; known: {', '.join(sorted(known))}")
        traw = _section({"t": traw}, "t", f"{where}: table {tname!r}")
        spec = known[tname]
        columns = {}
        for cname, header in _section(traw, "columns", f"{where}: {tname}").items():
            if cname not in spec.column_names:
                raise MappingError(f"{where}: table {tname!r} has no column {scrub_text(repr(cname))}"
                                   f"{_nearest(str(cname), spec.column_names)}")
            if header is not None:
                columns[cname] = str(header)
        values = {}
        for cname, recodes in _section(traw, "values", f"{where}: {tname}").items():
            col = spec.column(cname) if cname in spec.column_names else None
            if col is None or col.dtype != "category":
                raise MappingError(f"{where}: values given for {tname}.{scrub_text(str(cname))}, which is not a "
                                   "category column")
            recodes = {k: v for k, v in _section({"v": recodes}, "v", f"{where}: {tname}.{cname}").items()
                       if v is not None}  # null = still to decide
            for code in recodes.values():
                if str(code) not in col.codes:
                    raise MappingError(f"{where}: {tname}.{cname}: {scrub_text(repr(code))} is not one of {col.codes}")
            values[cname] = {str(k): str(v) for k, v in recodes.items()}
        source = traw.get("source")
        tables[tname] = TableMapping(table=tname, source=None if source is None else str(source), columns=columns,
                                     values=values)
    return Mapping(dataset=raw.get("dataset"), tables=tables, path=str(p))
