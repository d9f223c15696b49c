"""Pieces every chapter of report ``udgaaende`` uses: school-type rows, 2 x 2 counts and their test.

>>> import numpy as np
>>> two_by_two(np.array([True, False, True, True]), np.array([0, 0, 1, -1]), np.ones(4, dtype=bool)).tolist()
[[1, 1], [0, 1]]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from evalkit.report._build import cells_of, count, prepared, quiet, test_row
from evalkit.report.model import Cell, Column, Table, TestRow, Text
from evalkit.report.spec import Context, TableSpec
from evalkit.report.udgaaende.prepare import Prepared
from evalkit.report.udgaaende.vocabulary import SCHOOLS, TXT, txt

__all__ = ["Declared", "chi_square_row", "joined", "missing_note", "persons", "prep", "school_rows", "two_by_two"]


@dataclass(frozen=True)
class Declared:
    """One table of the report, declared once: id, the seed figure it reproduces, and its population.

    The title is ``<id>.title`` in ``text.yaml``; the spec list (:meth:`spec`) and the builder
    (:meth:`table`) both use this declaration. ``family`` is the population the table's person counts
    belong to (``enrolled``, ``completers``, ``dropouts``): see :func:`persons`.

    >>> d = Declared("goals", "000-G7-maal", "results against the stated targets")
    >>> d.title.en, d.table([]).source
    ('Goal attainment', '000-G7-maal')
    """

    id: str
    source: str
    description: str
    family: str = "completers"

    @property
    def title(self) -> Text:
        return TXT(f"{self.id}.title")

    def table(self, columns: list[Column], **layout: Any) -> Table:
        """The empty table (``layout``: ``additive``, ``row_lines``, ``plot``, ``plot_columns``, ...)."""
        return Table(id=self.id, source=self.source, title=self.title, columns=columns, **layout)

    def spec(self, build: Callable[[Context], Table]) -> TableSpec:
        """The entry of the report's spec list."""
        return TableSpec(self.id, self.source, self.title, build, self.description)


def persons(value: int, family: str) -> Cell:
    """A count of persons of population ``family``, linked to the equal counts of that population.

    The same person count appears in several tables under different labels (enrolled per school
    type in T3, T7.1 and F7.1; completers followed up in fn 13 and as the n of every Opfølgning
    mean). The link ``"<family>=<value>"`` makes disclosure control hide a count everywhere once it
    hides it anywhere (rule 4 of :mod:`evalkit.report.disclosure`), so no suppressed count is printed
    under another label; equal counts of one population that mean different things are hidden
    together too (over-suppression, never a leak). A count of 0 has no link.

    >>> persons(12, "enrolled").link, persons(0, "enrolled").link
    ('enrolled=12', None)
    """
    value = int(value)
    return count(value, link=f"{family}={value}" if value else None)


def prep(ctx: Context) -> Prepared:
    """The report's prepared structure (:func:`~evalkit.report.udgaaende.prepare.prepare` ran)."""
    return prepared(ctx, Prepared)


def school_rows(p: Prepared, order: Sequence[str] = SCHOOLS) -> Iterator[tuple[str, np.ndarray, Text]]:
    """``(row key, persons, label)`` per school type in ``order``, then the total over both."""
    for key in order:
        yield key, p.school == SCHOOLS.index(key), TXT(f"school.{key}")
    yield "total", p.school >= 0, TXT("school.total")


def two_by_two(success: np.ndarray, group: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """2 x 2 counts: rows = school type (ES, PS), columns = (no, yes), over ``valid`` persons."""
    sel = valid & (group >= 0)
    out = np.zeros((2, 2), dtype=np.int64)
    np.add.at(out, (group[sel], success[sel].astype(np.int64)), 1)
    return out


def chi_square_row(table_key: str, counts: np.ndarray, columns: Sequence[str]) -> TestRow:
    """Chi-square (Fisher when expected counts are small) of school type x ``columns`` (2 x 2).

    The outcome text ``<table_key>.test`` names the share whose difference (PS - ES) is the estimate.
    """
    from evalkit.compare import chi_square

    return test_row("total", TXT(f"{table_key}.test"), quiet(chi_square, counts), over=cells_of(SCHOOLS, columns))


def joined(row: str, *cols: str, total_row: str | None = None) -> str:
    """``count_of`` of a share over two cells of a row (or a row and the total row): the column
    declaration names only one count column.

    >>> joined("mand", "k", "n"), joined("mand", "k", total_row="total")
    ('mand|k+mand|n', 'mand|k+total|k')
    """
    return "+".join(cells_of([row], cols) + (cells_of([total_row], cols) if total_row else []))


def missing_note(table: Table, n: int, what: str) -> None:
    """A note counting the persons left out of ``table`` (``what``: key of ``missing.<what>``)."""
    if n:
        table.notes.append(txt("missing.note", n=n, what=TXT(f"missing.{what}")))
