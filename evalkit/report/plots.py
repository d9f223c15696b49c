"""Plots of report tables (matplotlib, Agg backend), deterministic PNG bytes.

A table opts in with ``Table.plot``:

``"lines"``   one line per row across the columns (x = column labels), e.g. TEM trajectories 1-12
              with LOCF and completers rows;
``"bars"``    one bar per row from the first numeric column, e.g. the risk-profile distribution;
``"grouped"`` grouped bars, one group per row and one bar per column, e.g. before/after.

``Table.plot_columns`` restricts the plot to some columns (e.g. the percentages of a table that
also prints counts) and ``Table.plot_rows`` to some rows (e.g. without a 100 % total row); by
default every row and every column holding a number is drawn.

Publication layout: both axes are labelled in the report's language (the y axis from the kind of
number drawn: a share, a mean, a count; ``Table.plot_xlabel`` / ``plot_ylabel`` override where a
table declares them), a share axis runs from 0 to 100 %, the legend sits outside the plotting area,
no text is smaller than 9 pt, and PNGs are written at 200 dpi (twice the screen resolution).
"""

from __future__ import annotations

import io
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from evalkit.report.model import Cell, Row, Table

#: Resolution of the PNG plots (2x a 100 dpi screen) and the smallest font size used, in points.
DPI = 200
FONT = 10
SMALL_FONT = 9

if TYPE_CHECKING:
    from matplotlib.typing import ColorType

#: Row-key suffixes of a trajectory's LOCF line and of its completers (observed cases) line.
LOCF_SUFFIXES = frozenset({"locf"})
OBSERVED_SUFFIXES = frozenset({"observeret", "observed", "completers", "gennemfoerte"})


def figure(table: Table, lang: str = "da"):
    """The matplotlib Figure for ``table`` (``None`` if it has no plot). Suppressed cells are gaps."""
    if not table.plot:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = [r for r in table.rows if table.plot_rows is None or r.key in table.plot_rows]
    cols = [c for c in table.columns if any(_num(r.cells.get(c.key)) is not None for r in rows)
            and (table.plot_columns is None or c.key in table.plot_columns)]
    if not rows or not cols:   # every number suppressed (a small subset): nothing to draw
        return None
    fig = Figure(figsize=(9.0, 4.2), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    if table.plot == "lines":
        x = list(range(1, len(cols) + 1))
        colours: dict[str, ColorType] = {}
        for r in rows:
            y = [_num(r.cells.get(c.key)) for c in cols]
            # A completers/observed line shares the colour of its LOCF line and is dashed.
            group, _, kind = r.key.rpartition("_")
            observed = kind in OBSERVED_SUFFIXES
            style: dict[str, Any] = {"linestyle": "--", "marker": "s", "markersize": 4} if observed else {"marker": "o"}
            if observed and group in colours:
                style["color"] = colours[group]
            line, = ax.plot(x, [float("nan") if v is None else v for v in y], label=r.label(lang), **style)
            colours.setdefault(group if kind in LOCF_SUFFIXES | OBSERVED_SUFFIXES else r.key, line.get_color())
        # More than eight time points: slanted labels, so that "TEM 10" and "TEM 11" do not run together.
        slant: dict[str, Any] = {"rotation": 30, "ha": "right"} if len(cols) > 8 else {}
        ax.set_xticks(x, [c.label(lang) for c in cols], fontsize=SMALL_FONT, **slant)
        ax.legend(fontsize=SMALL_FONT, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    elif table.plot == "bars":
        col = cols[0]
        labels = [r.label(lang) for r in rows]
        values = [_num(r.cells.get(col.key)) or 0.0 for r in rows]
        ax.bar(range(len(labels)), values)
        ax.set_xticks(range(len(labels)), labels, rotation=0, fontsize=SMALL_FONT)
    elif table.plot == "grouped":
        width = 0.8 / max(1, len(cols))
        for j, c in enumerate(cols):
            values = [_num(r.cells.get(c.key)) or 0.0 for r in rows]
            ax.bar([i + j * width for i in range(len(rows))], values, width=width, label=c.label(lang))
        ax.set_xticks([i + width * (len(cols) - 1) / 2 for i in range(len(rows))],
                      [r.label(lang) for r in rows], fontsize=SMALL_FONT)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=SMALL_FONT, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    _axes(ax, table, rows, cols, lang)
    ax.set_title(table.title(lang), fontsize=FONT + 1)
    fig.tight_layout()
    return fig


def _axes(ax, table: Table, rows: list[Row], cols: list, lang: str) -> None:
    """Axis labels in ``lang``, a share axis from 0 to 100 %, readable tick labels."""
    from evalkit.report.render.words import rword

    drawn = [r.cells.get(c.key) for r in rows for c in cols]
    kinds = {c.kind for c in drawn if isinstance(c, Cell) and _num(c) is not None}
    ylabel = getattr(table, "plot_ylabel", None)
    xlabel = getattr(table, "plot_xlabel", None)
    if ylabel is None:
        if table.plot == "bars" and len(cols) == 1 and kinds != {"percent"}:
            ylabel = cols[0].label(lang)
        else:
            ylabel = rword(_KIND_AXIS.get(next(iter(kinds)), "axis_value") if len(kinds) == 1 else "axis_value", lang)
    if xlabel is None:
        xlabel = rword("axis_time" if table.plot == "lines" else "axis_group", lang)
    ax.set_ylabel(ylabel(lang) if callable(ylabel) else ylabel, fontsize=FONT)
    ax.set_xlabel(xlabel(lang) if callable(xlabel) else xlabel, fontsize=FONT)
    if kinds == {"percent"}:
        ax.set_ylim(0, 100)
    else:
        low, high = ax.get_ylim()
        if low > 0 and table.plot != "lines":
            ax.set_ylim(0, high)
    ax.tick_params(axis="y", labelsize=SMALL_FONT)


_KIND_AXIS = {"percent": "axis_share", "mean": "axis_mean", "median": "axis_median", "count": "axis_count"}


def _num(cell) -> float | None:
    if cell is None or cell.suppressed or cell.value is None or isinstance(cell.value, str):
        return None
    return float(cell.value)


def plot_png(table: Table, lang: str = "da") -> bytes | None:
    """The table's plot as PNG bytes at :data:`DPI` (``None`` if it has none).

    Drawing is the slow part of rendering, and HTML, Word and PDF of one report draw the same plots:
    the bytes are kept for the last :data:`_KEPT` plots, keyed by everything the drawing reads (kind,
    title, labels, values and suppression in ``lang``), so a changed table is always drawn anew.

    >>> from evalkit.report.model import T, Cell, Column, Table
    >>> t = Table("t", "", T("Tabel", "Table"), [Column("n", T("Antal", "Number"))], plot="bars")
    >>> _ = t.add_row("a", T("a"), {"n": Cell(3, "count")})
    >>> png = plot_png(t)
    >>> png[1:4] == b"PNG" and plot_png(t) is png
    True
    """
    key = _drawn(table, lang)
    if key in _PNG:
        _PNG.move_to_end(key)
        return _PNG[key]
    fig = figure(table, lang)
    png = None
    if fig is not None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
        png = buf.getvalue()
    _PNG[key] = png
    while len(_PNG) > _KEPT:
        _PNG.popitem(last=False)
    return png


#: How many drawn plots :func:`plot_png` keeps (a large report has about 25).
_KEPT = 128
_PNG: OrderedDict[tuple, bytes | None] = OrderedDict()


def forget_drawn_plots() -> None:
    """Empty :func:`plot_png`'s store (so the next call draws again, e.g. to test that drawing is deterministic)."""
    _PNG.clear()


def _drawn(table: Table, lang: str) -> tuple:
    """Everything :func:`figure` reads from ``table`` in ``lang``, as a hashable key."""
    def text(x: Any) -> Any:
        return x(lang) if callable(x) else x

    rows = tuple((r.key, r.label(lang), tuple((k, c.value if isinstance(c.value, (int, float, str, type(None)))
                                                else repr(c.value), c.suppressed, c.kind)
                                               for k, c in r.cells.items() if isinstance(c, Cell)))
                 for r in table.rows)
    return (lang, table.plot, table.title(lang), table.plot_rows, table.plot_columns,
            text(getattr(table, "plot_xlabel", None)), text(getattr(table, "plot_ylabel", None)),
            tuple((c.key, c.label(lang)) for c in table.columns), rows)


def plot_svg(table: Table, lang: str = "da") -> bytes | None:
    import matplotlib

    fig = figure(table, lang)
    if fig is None:
        return None
    matplotlib.rcParams["svg.hashsalt"] = "evalkit"
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()
