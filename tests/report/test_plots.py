"""The plots are looked at: each renders, is non-empty and has the expected axes, legend and lines."""

from __future__ import annotations

import io
from pathlib import Path

from evalkit.report.model import Cell, Column, T, Table
from evalkit.report.plots import figure, plot_png, plot_svg


def _lines_table() -> Table:
    t = Table(id="traj", source="004-F6.26", title=T("Samlet trivsel", "Overall well-being"), plot="lines",
              columns=[Column(f"k{k}", T(str(k))) for k in range(1, 13)])
    t.add_row("locf", T("LOCF"), {f"k{k}": Cell(5.0 + k / 10, "mean", n=300) for k in range(1, 13)})
    t.add_row("completers", T("Gennemførte", "Completers"), {f"k{k}": Cell(5.2 + k / 8, "mean", n=33)
                                                             for k in range(1, 13)})
    t.add_row("hidden", T("Skjult", "Hidden"), {f"k{k}": Cell(1.0, "mean", n=2, suppressed=True)
                                                 for k in range(1, 13)})
    return t


def test_lines_plot_has_one_line_per_row_and_a_legend():
    fig = figure(_lines_table(), "en")
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert len(ax.get_lines()) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["LOCF", "Completers", "Hidden"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(k) for k in range(1, 13)]
    assert ax.get_title() == "Overall well-being"
    hidden = ax.get_lines()[2].get_ydata()
    assert all(v != v for v in hidden)  # suppressed values are gaps, never drawn


def test_bars_and_grouped():
    t = Table(id="risk", source="004-F6.18", title=T("Risikoprofil"), plot="bars", columns=[Column("pct", T("%"))])
    for i, r in enumerate(["R0", "R1", "R2", "R3"]):
        t.add_row(r, T(r), {"pct": Cell(10.0 + i, "percent")})
    ax = figure(t).axes[0]
    assert len(ax.patches) == 4 and [p.get_height() for p in ax.patches] == [10.0, 11.0, 12.0, 13.0]
    t.plot = "grouped"
    t.columns.append(Column("pct2", T("%2")))
    for r in t.rows:
        r.cells["pct2"] = Cell(1.0, "percent")
    ax = figure(t).axes[0]
    assert len(ax.patches) == 8 and len(ax.get_legend().get_texts()) == 2


def test_png_and_svg_are_images():
    png = plot_png(_lines_table())
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    svg = plot_svg(_lines_table())
    assert b"<svg" in svg[:500]
    assert plot_png(_lines_table()) == png  # deterministic


def test_no_plot_when_not_asked():
    t = _lines_table()
    t.plot = None
    assert figure(t) is None and plot_png(t) is None


def test_every_plot_of_the_sample_reports_renders():
    """Every plot of every bundled sample report draws its rows (the samples' regeneration is tested apart)."""
    import evalkit
    from evalkit.synth import SAMPLE_FORMATS, sample_path

    samples = Path(__file__).resolve().parents[2] / "data" / "samples"
    for name in SAMPLE_FORMATS:
        report = evalkit.report(sample_path(name, samples))
        plotted = [t for t in report.tables if t.plot]
        for table in plotted:
            fig = figure(table, "da")
            ax = fig.axes[0]
            if table.plot == "lines":
                assert len(ax.get_lines()) == len(table.rows)
                assert len(ax.get_legend().get_texts()) == len(table.rows)
            else:
                assert len(ax.patches) > 0
            buf = io.BytesIO()
            fig.savefig(buf, format="png")
            assert len(buf.getvalue()) > 3000


def test_axes_are_labelled_shares_run_0_to_100_and_legends_sit_outside():
    fig = figure(_lines_table(), "en")
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Time point", "Mean")
    legend = ax.get_legend()
    assert legend.get_bbox_to_anchor().transformed(ax.transAxes.inverted()).x0 > 1   # right of the data
    assert min(t.get_fontsize() for t in legend.get_texts() + ax.get_xticklabels() + ax.get_yticklabels()) >= 9

    shares = Table(id="s", source="x", title=T("Andele", "Shares"), plot="grouped",
                   columns=[Column("before", T("Før", "Before")), Column("after", T("Efter", "After"))])
    shares.add_row("ps", T("PS"), {"before": Cell(12.0, "percent"), "after": Cell(30.0, "percent")})
    shares.add_row("es", T("ES"), {"before": Cell(8.0, "percent"), "after": Cell(25.0, "percent")})
    ax = figure(shares, "da").axes[0]
    assert ax.get_ylabel() == "Andel (pct.)" and ax.get_xlabel() == "Gruppe"
    assert ax.get_ylim() == (0.0, 100.0)
    assert ax.get_legend().get_bbox_to_anchor().transformed(ax.transAxes.inverted()).x0 > 1


def test_png_is_twice_screen_resolution():
    import struct

    png = plot_png(_lines_table())
    width, height = struct.unpack(">II", png[16:24])   # IHDR: 9 x 4.2 in at 200 dpi
    assert (width, height) == (1800, 840)
