"""The data dictionary as Python objects.

The dictionary itself is data (``evalkit/io/dictionary/*.yaml``, one file per dataset); this module
loads it into frozen dataclasses that the readers, the validation and the documentation share.

A *dataset* (``udgaaende``, ``ung-rusmidler``, ``hcs``, ``modelkommuner``) is a set of canonical *tables*; each table
has *columns* with a dtype from a small vocabulary:

``id``        identifier (string); CPR-like values are pseudonymised on read
``string``    short text
``int``       whole number (nullable)
``float``     decimal number (nullable)
``bool``      ja/nej, yes/no, 1/0, true/false
``date``      calendar date (dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd, Excel serials in XLSX)
``category``  one of a fixed set of codes, each with Danish/English labels and accepted aliases
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

DTYPES = frozenset({"id", "string", "int", "float", "bool", "date", "category"})


def normalise_name(name: object) -> str:
    """Fold a header or code for matching: case, accents (æ→ae, ø→oe, å→aa), spaces, punctuation.

    >>> normalise_name(" Hash dage (30) ")
    'hash_dage_30'
    >>> normalise_name("Køn")
    'koen'
    """
    return _fold(str(name))


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    """:func:`normalise_name` of a string, cached: header matching folds the same ~2,000 names per export."""
    text = text.strip().lower()
    for src, dst in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("§", "")):
        text = text.replace(src, dst)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = []
    for ch in text:
        out.append(ch if ch.isalnum() else "_")
    folded = "".join(out)
    while "__" in folded:
        folded = folded.replace("__", "_")
    return folded.strip("_")


@dataclass(frozen=True)
class CategoryValue:
    code: str
    label_da: str
    label_en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    dtype: str
    required: bool
    nullable: bool
    label_da: str
    label_en: str
    aliases: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    allowed: tuple[Any, ...] | None = None
    values: tuple[CategoryValue, ...] = ()
    ordered: bool = False
    asi_item: str | None = None

    @property
    def codes(self) -> list[str]:
        return [v.code for v in self.values]

    def value_lookup(self) -> dict[str, str]:
        """Map every accepted spelling (normalised) of a category value to its code."""
        lookup: dict[str, str] = {}
        for v in self.values:
            for spelling in (v.code, v.label_da, v.label_en, *v.aliases):
                lookup[normalise_name(spelling)] = v.code
        return lookup

    def label(self, lang: str = "da") -> str:
        return self.label_en if lang == "en" else self.label_da


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    references: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    dataset: str
    label_da: str
    label_en: str
    description: str
    source: str
    aliases: tuple[str, ...]
    primary_key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    optional_table: bool = False

    def column(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def label(self, lang: str = "da") -> str:
        return self.label_en if lang == "en" else self.label_da


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    version: int
    label_da: str
    label_en: str
    source: str
    tables: tuple[TableSpec, ...] = field(default_factory=tuple)

    def table(self, name: str) -> TableSpec:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(f"dataset {self.name!r} has no table {name!r}")

    @property
    def table_names(self) -> list[str]:
        return [t.name for t in self.tables]


def _label(raw: Mapping[str, Any] | None, key: str) -> str:
    return str((raw or {}).get(key, ""))


def _column(name: str, raw: Mapping[str, Any]) -> ColumnSpec:
    dtype = raw["dtype"]
    if dtype not in DTYPES:
        raise ValueError(f"column {name!r}: unknown dtype {dtype!r}")
    values = tuple(
        CategoryValue(
            code=str(code),
            label_da=_label(spec, "da"),
            label_en=_label(spec, "en"),
            aliases=tuple(str(a) for a in (spec or {}).get("aliases", []) or []),
        )
        for code, spec in (raw.get("values") or {}).items()
    )
    if dtype == "category" and not values:
        raise ValueError(f"column {name!r}: a category needs values")
    allowed = raw.get("allowed")
    return ColumnSpec(
        name=name,
        dtype=dtype,
        required=bool(raw.get("required", False)),
        nullable=bool(raw.get("nullable", True)),
        label_da=_label(raw.get("label"), "da"),
        label_en=_label(raw.get("label"), "en"),
        aliases=tuple(str(a) for a in raw.get("aliases", []) or []),
        min=raw.get("min"),
        max=raw.get("max"),
        allowed=tuple(allowed) if allowed is not None else None,
        values=values,
        ordered=bool(raw.get("ordered", False)),
        asi_item=raw.get("asi_item"),
    )


def _dataset(raw: Mapping[str, Any]) -> DatasetSpec:
    name = raw["dataset"]
    tables = []
    for tname, traw in raw["tables"].items():
        columns = tuple(_column(c, craw) for c, craw in traw["columns"].items())
        known = {c.name for c in columns}
        pk = tuple(traw.get("primary_key", []))
        if not set(pk) <= known:
            raise ValueError(f"table {tname!r}: primary key {pk} names unknown columns")
        fks = tuple(
            ForeignKey(columns=tuple(fk["columns"]), references=fk["references"])
            for fk in traw.get("foreign_keys", []) or []
        )
        tables.append(
            TableSpec(
                name=tname,
                dataset=name,
                label_da=_label(traw.get("label"), "da"),
                label_en=_label(traw.get("label"), "en"),
                description=str(traw.get("description", "")),
                source=str(traw.get("source", "")),
                aliases=tuple(str(a) for a in traw.get("aliases", []) or []),
                primary_key=pk,
                columns=columns,
                foreign_keys=fks,
                optional_table=bool(traw.get("optional_table", False)),
            )
        )
    return DatasetSpec(
        name=name,
        version=int(raw.get("version", 1)),
        label_da=_label(raw.get("label"), "da"),
        label_en=_label(raw.get("label"), "en"),
        source=str(raw.get("source", "")),
        tables=tuple(tables),
    )


@lru_cache(maxsize=1)
def load_dictionary() -> dict[str, DatasetSpec]:
    """Load every dataset definition shipped in ``evalkit/io/dictionary``.

    >>> sorted(load_dictionary())
    ['hcs', 'modelkommuner', 'udgaaende', 'ung-rusmidler']
    """
    folder = resources.files("evalkit.io") / "dictionary"
    datasets: dict[str, DatasetSpec] = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            spec = _dataset(yaml.safe_load(entry.read_text(encoding="utf-8")))
            datasets[spec.name] = spec
    return datasets


def dataset(name: str) -> DatasetSpec:
    """The :class:`DatasetSpec` called ``name`` (``udgaaende``, ``ung-rusmidler``, ``hcs`` or ``modelkommuner``).

    >>> dataset("udgaaende").table_names
    ['deltagere', 'registreringer', 'omkostninger']
    >>> dataset("udgaaende").table("registreringer").column("who5_1").max
    5
    """
    specs = load_dictionary()
    if name not in specs:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(sorted(specs))}")
    return specs[name]


def all_tables() -> dict[str, TableSpec]:
    """Every canonical table of every dataset, by name (table names are unique across datasets)."""
    tables: dict[str, TableSpec] = {}
    for spec in load_dictionary().values():
        for t in spec.tables:
            if t.name in tables:
                raise ValueError(f"table name {t.name!r} is used by two datasets")
            tables[t.name] = t
    return tables
