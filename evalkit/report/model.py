"""The report as data: tables of cells with stable keys, independent of any output format.

A :class:`Table` has columns and rows with stable keys (listed in ``docs/reports.md``); every cell
holds its value, its kind (count, percent, mean, ...), the number of persons behind it and whether
disclosure control suppressed it. Renderers (Markdown, CSV, XLSX, HTML, JSON, terminal) only read
this structure; nothing here knows about output formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

Lang = Literal["da", "en"]
CellKind = Literal["count", "percent", "mean", "median", "number", "money", "p", "text", "score"]


@dataclass(frozen=True)
class Text:
    """A label in both languages."""

    da: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.da


def T(da: str, en: str | None = None) -> Text:
    """Shorthand for a bilingual label (``en`` defaults to ``da`` for proper names)."""
    return Text(da, da if en is None else en)


@dataclass
class Cell:
    """One published number.

    ``n`` is the number of persons behind the value (the denominator of a percentage, the group
    size of a mean). ``count_of`` names the count cell (``"row_key|col_key"`` in the same table)
    that a percentage is computed from, so that suppressing the count suppresses the percentage.
    ``link`` marks the same count shown in several tables: suppressed in one, suppressed in all.
    """

    value: Any
    kind: CellKind = "number"
    decimals: int | None = None
    n: int | None = None
    count_of: str | None = None
    link: str | None = None
    suppressed: bool = False
    suppression: str | None = None  # "primary", "complementary", "derived", "linked"

    def suppress(self, why: str) -> None:
        if not self.suppressed:
            self.suppressed = True
            self.suppression = why


@dataclass
class Column:
    """A column of a table.

    ``count_of`` declares, for a share or mean column, the column of the same row holding the count
    its cells are computed from: :meth:`Table.add_row` then sets each cell's :attr:`Cell.count_of`
    to ``"<row>|<count_of>"``, so disclosure links are derived from the declaration, never typed.
    """

    key: str
    label: Text
    is_total: bool = False
    count_of: str | None = None


@dataclass
class Row:
    """A row of a table. In an additive table the count rows of a column add up to its total row;
    ``sum_of`` declares a subtotal row (the sum of the named rows, e.g. both kinds of counselling),
    and ``in_sums=False`` a row outside the sums (a count of a subset, such as those under 18), so
    that disclosure control knows every relation a reader can use."""

    key: str
    label: Text
    cells: dict[str, Cell] = field(default_factory=dict)
    is_total: bool = False
    sum_of: tuple[str, ...] | None = None
    in_sums: bool = True


@dataclass
class TestRow:
    """The significance test behind a row ("signifikant" made explicit).

    ``decimals`` is the printed precision of the estimate and its interval (default 2), for
    estimates on a fine scale such as ASI composites (0-1) or a change per session.
    ``count_of`` names the count cells of the same table the test is computed over (as
    :attr:`Cell.count_of`): disclosure control suppresses the test when any of them is suppressed.
    """

    __test__ = False  # a report row, not a pytest test class

    row: str
    outcome: Text
    method: str
    n: int | None
    statistic: float | None
    p_value: float | None
    effect_size: float | None = None
    effect_size_name: str | None = None
    effect_size_ci: tuple[float | None, float | None] = (None, None)
    estimate: float | None = None
    estimate_name: str | None = None
    estimate_ci: tuple[float | None, float | None] = (None, None)
    p_adjusted: float | None = None
    family: str | None = None
    suppressed: bool = False
    note: str | None = None
    decimals: int | None = None
    count_of: str | None = None  # "row|col" count cells the test is computed over ("+"-joined), as Cell.count_of
    result: Any = None           #: the :mod:`evalkit.compare` result itself (df, n_dropped, alternative, ...)
    status: str = "ok"           #: ``"ok"`` or the code of why no statistic could be computed
    reason: Text | None = None   #: the printed reason for a status other than ``"ok"``

    def _label(self, field: str, fallback: str | None, lang: str) -> str | None:
        code = getattr(self.result, field, None) if self.result is not None else None
        if code:
            from evalkit.compare import label

            try:
                return label(code, lang)
            except KeyError:
                pass
        return fallback

    def method_label(self, lang: str = "da") -> str:
        """The test and how its p-value was computed, in ``lang`` (from the result's codes)."""
        test = self._label("test_code", self.method, lang) or ""
        how = self._label("p_method_code", None, lang)
        return f"{test} ({how})" if how and self.result is not None and test != self.method else test

    def estimate_label(self, lang: str = "da") -> str | None:
        """What the estimate is, in ``lang``."""
        return self._label("estimate_code", self.estimate_name, lang)

    def effect_size_label(self, lang: str = "da") -> str | None:
        """What the effect size is, in ``lang``."""
        return self._label("effect_size_code", self.effect_size_name, lang)

    def to_dict(self, lang: str = "da") -> dict[str, Any]:
        return {
            "row": self.row, "outcome": self.outcome(lang), "method": self.method, "n": self.n,
            "statistic": self.statistic, "p_value": self.p_value, "p_adjusted": self.p_adjusted,
            "family": self.family, "estimate": self.estimate, "estimate_name": self.estimate_name,
            "estimate_ci": list(self.estimate_ci), "effect_size": self.effect_size,
            "effect_size_name": self.effect_size_name, "effect_size_ci": list(self.effect_size_ci),
            "suppressed": self.suppressed, "note": self.note, "status": self.status,
            "reason": None if self.reason is None else self.reason(lang),
            "method_label": self.method_label(lang), "estimate_label": self.estimate_label(lang),
            "effect_size_label": self.effect_size_label(lang),
            "codes": {k: getattr(self.result, k) for k in ("test_code", "p_method_code", "estimate_code",
                                                            "estimate_ci_code", "effect_size_code",
                                                            "effect_size_ci_code") if getattr(self.result, k, None)},
        }


@dataclass(frozen=True)
class Publication:
    """A publication a report cites (an entry of the bibliography in ``evalkit/report/sources.yaml``)."""

    key: str
    author: str
    title: str
    year: int | None = None
    note_da: str | None = None
    note_en: str | None = None

    def note(self, lang: str) -> str | None:
        return self.note_en if lang == "en" else self.note_da


@dataclass(frozen=True)
class Citation:
    """Where a table stands in its publication: the publication's key, the document's own table or
    figure number (or its caption when it numbers none), section or chapter, and page where known.

    ``own=True`` marks a table of evalkit's own (no counterpart in the publication); the other
    fields then say what it is built on. ``figure`` is the stable figure id the table declares.
    """

    figure: str
    publication: str | None = None
    kind: str | None = None       #: "table", "figure", "text" or "footnote"
    number: str | None = None
    caption: str | None = None
    section: str | None = None
    chapter: str | None = None
    page: str | None = None
    own: bool = False
    remark_da: str | None = None
    remark_en: str | None = None

    def remark(self, lang: str) -> str | None:
        return self.remark_en if lang == "en" else self.remark_da

    def to_dict(self) -> dict[str, Any]:
        """The structured citation of the JSON contract (the publication by its bibliography key)."""
        return {"figure": self.figure, "publication": self.publication, "own": self.own, "kind": self.kind,
                "number": self.number, "caption": self.caption, "section": self.section,
                "chapter": self.chapter, "page": self.page}


@dataclass
class Table:
    """One published table or figure, reproduced (``source`` is the stable figure id it declares, e.g.
    ``000-T7.2-progression``; ``citation`` is where it stands in the publication, attached by the report
    runner from ``evalkit/report/sources.yaml``).

    ``additive=True`` declares that count cells add up along rows and columns (totals printed or
    not); disclosure control then applies complementary suppression along every row and column.
    ``row_lines`` refines the rows of an additive table: ``None`` (default) means all count cells of
    a row form one additive relation; otherwise each entry is a tuple of column keys whose counts
    form one relation (e.g. ``("stopped", "halved", "success")`` and ``("success", "neither", "n")``
    for a table with a printed subtotal), and ``()`` means the counts of a row do not add up (time
    points side by side). Columns of an additive table always add up to the total row.
    ``plot_columns`` / ``plot_rows`` name the columns / rows the plot draws (default: every row and
    every column holding a number).
    """

    id: str
    source: str
    title: Text
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)
    tests: list[TestRow] = field(default_factory=list)
    additive: bool = False
    plot: str | None = None  # name of a plot kind the HTML renderer draws for this table
    row_lines: tuple[tuple[str, ...], ...] | None = None
    plot_columns: tuple[str, ...] | None = None
    plot_rows: tuple[str, ...] | None = None
    citation: Citation | None = None

    def row(self, key: str) -> Row:
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(f"table {self.id!r} has no row {key!r}")

    def cell(self, row: str, column: str) -> Cell:
        return self.row(row).cells[column]

    def add_row(self, key: str, label: Text, cells: dict[str, Cell], is_total: bool = False, *,
                sum_of: tuple[str, ...] | None = None, in_sums: bool = True) -> Row:
        unknown = set(cells) - {c.key for c in self.columns}
        if unknown:
            raise KeyError(f"table {self.id!r}: cells for unknown columns {sorted(unknown)}")
        if any(r.key == key for r in self.rows):
            raise KeyError(f"table {self.id!r}: duplicate row key {key!r}")
        for column in self.columns:
            cell = cells.get(column.key)
            if cell is not None and column.count_of and cell.count_of is None and column.count_of in cells:
                cell.count_of = f"{key}|{column.count_of}"
        if sum_of is not None and not set(sum_of) <= {r.key for r in self.rows}:
            raise KeyError(f"table {self.id!r}: row {key!r} sums rows not (yet) in the table: {sorted(sum_of)}")
        r = Row(key=key, label=label, cells=cells, is_total=is_total, sum_of=sum_of,
                in_sums=in_sums and sum_of is None)
        self.rows.append(r)
        return r

    def to_frame(self, lang: str = "da", *, printed: bool = True) -> pd.DataFrame:
        """The table as a DataFrame, rows and columns labelled in ``lang``.

        With ``printed=True`` (the default) every number is rounded as the report prints it and a
        suppressed cell holds the marker ``"x"`` (``df.attrs["suppressed"]`` lists the
        (row, column) labels hidden and ``df.attrs["disclosure"]`` says why); ``printed=False`` gives
        the unrounded values with suppressed cells missing (for computation, never for publication).

        >>> t = Table("t", "", T("Tabel", "Table"), [Column("n", T("Antal", "Number")), Column("m", T("Snit", "Mean"))])
        >>> _ = t.add_row("a", T("a"), {"n": Cell(3, "count", suppressed=True), "m": Cell(2.345, "mean", n=3)})
        >>> df = t.to_frame("en")
        >>> df.loc["a", "Number"], float(df.loc["a", "Mean"]), df.attrs["suppressed"]
        ('x', 2.3, [('a', 'Number')])
        """
        from evalkit.report.labels import DEFAULT_DECIMALS, pack, round_half_up

        marker = pack(lang)["suppressed"]

        def shown(cell: Cell | None) -> Any:
            if cell is None:
                return None
            if cell.suppressed:
                return marker if printed else None
            if not printed or cell.value is None or not isinstance(cell.value, (int, float)) or \
                    isinstance(cell.value, bool) or cell.kind in ("text", "p"):
                return cell.value
            decimals = cell.decimals if cell.decimals is not None else DEFAULT_DECIMALS.get(cell.kind, 2)
            value = float(round_half_up(float(cell.value), decimals))
            return int(value) if decimals == 0 else value

        data = {c.label(lang): [shown(r.cells.get(c.key)) for r in self.rows] for c in self.columns}
        frame = pd.DataFrame(data, index=pd.Index([r.label(lang) for r in self.rows], name=self.title(lang)))
        frame.attrs["suppressed"] = [(r.label(lang), c.label(lang)) for r in self.rows for c in self.columns
                                     if r.cells.get(c.key) is not None and r.cells[c.key].suppressed]
        frame.attrs["disclosure"] = (f"{marker}: " + ("skjult af diskretionering (små tal eller tal, en lille celle "
                                                      "kan regnes ud af)" if lang == "da" else
                                                      "hidden by disclosure control (small counts, or counts a small "
                                                      "cell could be worked out from)"))
        frame.attrs["table"] = self.id
        return frame


@dataclass
class Report:
    """A built report: its tables plus everything needed to judge them (ledger, settings, disclosure).

    ``notes`` hold for the whole report (cohort, design, what the publication prints): every format
    prints them once, near the top, instead of under each table.
    """

    name: str
    title: Text
    tables: list[Table]
    lang: str = "da"
    settings: dict[str, Any] = field(default_factory=dict)
    ledger: dict[str, Any] = field(default_factory=dict)
    disclosure: dict[str, Any] = field(default_factory=dict)
    notes: list[Text] = field(default_factory=list)
    plots: dict[str, Any] = field(default_factory=dict)

    def table(self, table_id: str) -> Table:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(f"report {self.name!r} has no table {table_id!r}")

    def all_tests(self) -> list[TestRow]:
        return [t for table in self.tables for t in table.tests]

    # --- notebook conveniences: thin delegations to the renderers -----------------------------

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table as a DataFrame (suppressed cells missing), by table id."""
        return {t.id: t.to_frame(self.lang) for t in self.tables}

    def __getitem__(self, table_id: str) -> pd.DataFrame:
        """A table as printed: rounded as in the report, suppressed cells marked (see :meth:`Table.to_frame`)."""
        return self.table(table_id).to_frame(self.lang)

    def plot(self, table_id: str) -> Any:
        """The matplotlib Figure of a table's plot (``None`` if the table has none)."""
        from evalkit.report.plots import figure

        return figure(self.table(table_id), self.lang)

    def _render(self, fmt: str, path: Any = None) -> str | None:
        from evalkit.report.render import render

        return render(self, fmt, path)

    def _repr_html_(self) -> str:
        return self._render("html") or ""

    def to_html(self, path: Any = None) -> str | None:
        """Self-contained HTML with plots; written atomically to ``path`` if given, else returned."""
        return self._render("html", path)

    def to_markdown(self, path: Any = None) -> str | None:
        return self._render("markdown", path)

    def to_json(self, path: Any = None) -> str | None:
        """The JSON contract (see docs/reports.md)."""
        return self._render("json", path)

    def to_excel(self, path: Any) -> None:
        """One sheet per table, numbers stored as numbers."""
        self._render("xlsx", path)

    def to_docx(self, path: Any) -> None:
        """A Word document: every table as a Word table with its notes and tests (restyle via its styles)."""
        self._render("docx", path)

    def to_pdf(self, path: Any) -> None:
        """An A4 PDF: the HTML printed by headless Chromium (``PdfUnavailable`` where none is installed)."""
        self._render("pdf", path)

    def to_csv(self, folder: Any) -> None:
        """One CSV file per table in ``folder``."""
        self._render("csv", folder)

    def __repr__(self) -> str:
        return f"<Report {self.name} ({self.lang}): {', '.join(t.id for t in self.tables)}>"
