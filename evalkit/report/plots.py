"""Plots of report tables (matplotlib, Agg backend), deterministic PNG bytes.

A table opts in with ``Table.plot``:

``"lines"``   one line per row across the columns (x = column labels), e.g. TEM trajectories 1-12
              with LOCF and completers rows;
``"bars"``    one bar per row from the first numeric column, e.g. the risk-profile distribution;
``"grouped"`` grouped bars, one group per row and one bar per column, e.g. before/after.

``Table.plot_columns`` restricts the plot to some columns (e.g. the percentages of a table that
also prints counts) and ``Table.plot_rows`` to some rows (e.g. without a 100 % total row); by
default every row and every column holding a number is drawn.
"""

from __future__ import annotations

import io

from evalkit.report.model import Table

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
    fig = Figure(figsize=(9.0, 3.8), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    if table.plot == "lines":
        x = list(range(1, len(cols) + 1))
        colours: dict[str, str] = {}
        for r in rows:
            y = [_num(r.cells.get(c.key)) for c in cols]
            # A completers/observed line shares the colour of its LOCF line and is dashed.
            group, _, kind = r.key.rpartition("_")
            observed = kind in OBSERVED_SUFFIXES
            style = {"linestyle": "--", "marker": "s", "markersize": 4} if observed else {"marker": "o"}
            if observed and group in colours:
                style["color"] = colours[group]
            line, = ax.plot(x, [float("nan") if v is None else v for v in y], label=r.label(lang), **style)
            colours.setdefault(group if kind in LOCF_SUFFIXES | OBSERVED_SUFFIXES else r.key, line.get_color())
        ax.set_xticks(x, [c.label(lang) for c in cols], fontsize=8)
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    elif table.plot == "bars":
        col = cols[0]
        labels = [r.label(lang) for r in rows]
        values = [_num(r.cells.get(col.key)) or 0.0 for r in rows]
        ax.bar(range(len(labels)), values)
        ax.set_xticks(range(len(labels)), labels, rotation=0, fontsize=8)
        ax.set_ylabel(col.label(lang))
    elif table.plot == "grouped":
        width = 0.8 / max(1, len(cols))
        for j, c in enumerate(cols):
            values = [_num(r.cells.get(c.key)) or 0.0 for r in rows]
            ax.bar([i + j * width for i in range(len(rows))], values, width=width, label=c.label(lang))
        ax.set_xticks([i + width * (len(cols) - 1) / 2 for i in range(len(rows))],
                      [r.label(lang) for r in rows], fontsize=8)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    ax.set_title(table.title(lang), fontsize=10)
    fig.tight_layout()
    return fig


def _num(cell) -> float | None:
    if cell is None or cell.suppressed or cell.value is None or isinstance(cell.value, str):
        return None
    return float(cell.value)


def plot_png(table: Table, lang: str = "da") -> bytes | None:
    fig = figure(table, lang)
    if fig is None:
        return None
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def plot_svg(table: Table, lang: str = "da") -> bytes | None:
    import matplotlib

    fig = figure(table, lang)
    if fig is None:
        return None
    matplotlib.rcParams["svg.hashsalt"] = "evalkit"
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()
