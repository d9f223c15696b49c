"""Rounding-aware comparison of computed values with printed figures."""

from decimal import Decimal

import pytest

from evalkit.verify import CatalogueError, check, interval, load_catalogue, matches, parse_printed
from evalkit.report.model import Cell, Column, Report, T, Table


def test_interval_half_up_and_truncate():
    assert interval("52,5", 1) == (Decimal("52.45"), Decimal("52.55"))
    assert interval("26", 0, "truncate") == (Decimal("26"), Decimal("27"))
    assert matches(26.9, "26", 0, "truncate") and not matches(26.9, "26", 0)


@pytest.mark.parametrize("printed,value", [("12.200", 12200), ("39,7 %", 39.7), ("9,6", 9.6), ("70%", 70)])
def test_parse_printed(printed, value):
    assert parse_printed(printed) == Decimal(str(value))


def test_boundaries_are_half_open():
    assert matches(52.45, "52,5", 1) and not matches(52.55, "52,5", 1)
    assert matches(155 / 390 * 100, "39,7", 1)  # 39.74...


def test_check_pass_fail_known_deviation(tmp_path):
    table = Table(id="t", source="s", title=T("t"), columns=[Column("c", T("c"))])
    table.add_row("a", T("a"), {"c": Cell(76.32, "percent")})
    table.add_row("b", T("b"), {"c": Cell(14.86, "mean")})
    report = Report(name="udgaaende", title=T("r"), tables=[table])
    cat = tmp_path / "x.yaml"
    cat.write_text("""document: "000"
report: udgaaende
figures:
  - {id: a, source: s, table: t, row: a, column: c, printed: "75", decimals: 0, status: known-deviation, reason: misprint}
  - {id: b, source: s, table: t, row: b, column: c, printed: "14,9", decimals: 1}
  - {id: c, source: s, table: t, row: b, column: c, printed: "14,8", decimals: 1}
  - {id: d, source: s, table: t, row: zz, column: c, printed: "1", decimals: 0}
""", encoding="utf-8")
    results = {r.id: r for r in check(report, load_catalogue(cat))}
    assert results["a"].status == "known-deviation" and results["a"].computed == pytest.approx(76.32)
    assert results["b"].status == "pass"
    assert results["c"].status == "fail" and "outside" in results["c"].reason
    assert results["d"].status == "fail" and "not computed" in results["d"].reason


def test_malformed_catalogue(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("figures:\n  - {id: a}\n", encoding="utf-8")
    with pytest.raises(CatalogueError):
        load_catalogue(bad)
