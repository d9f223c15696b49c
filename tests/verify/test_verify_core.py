"""Rounding-aware comparison, the catalogue schema and its validation, and the four outcomes of a figure."""

from decimal import Decimal

import pytest

from evalkit.report.model import Cell, Column, Report, T, Table
from evalkit.verify import CatalogueError, check, interval, load_catalogue, matches, parse_printed, summary


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


def _report(andet: float = 76.32) -> Report:
    table = Table(id="t", source="s", title=T("t"), columns=[Column("c", T("c"))])
    table.add_row("a", T("a"), {"c": Cell(andet, "percent")})
    table.add_row("b", T("b"), {"c": Cell(14.86, "mean")})
    return Report(name="udgaaende", title=T("r"), tables=[table])


CATALOGUE = """document: "000"
report: udgaaende
version: 1
figures:
  - {id: a, source: s, table: t, row: a, column: c, printed: "75", decimals: 0, status: known-deviation,
     reason: misprint, expected: {value: 76.32, basis: sample}}
  - {id: b, source: s, table: t, row: b, column: c, printed: "14,9", decimals: 1}
  - {id: c, source: s, table: t, row: b, column: c, printed: "14,8", decimals: 1}
  - {id: d, source: s, table: t, row: zz, column: c, printed: "1", decimals: 0}
  - {id: e, source: s, table: t, row: zz, column: c, printed: "1", decimals: 0, cell: pending}
  - {id: f, source: s, table: t, row: b, column: c, printed: "14,9", decimals: 1, cell: pending}
  - {id: g, source: s, table: t, row: a, column: c, printed: "75", decimals: 0, status: known-deviation,
     reason: misprint, expected: {between: [76, 77], basis: document}}
  - {id: h, source: s, table: gone, row: a, column: c, printed: "75", decimals: 0, status: known-deviation,
     reason: misprint, expected: {value: 76.32}}
"""


@pytest.fixture()
def catalogue(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(CATALOGUE, encoding="utf-8")
    return load_catalogue(path)


def test_four_outcomes(catalogue):
    results = {r.id: r for r in check(_report(), catalogue)}
    assert results["a"].status == "known-deviation" and results["a"].computed == pytest.approx(76.32)
    assert results["a"].expected == "76.32 (sample)"
    assert results["b"].status == "pass"
    assert results["c"].status == "fail" and "outside" in results["c"].reason and "14.86" in results["c"].reason
    assert results["d"].status == "fail" and "not computed" in results["d"].reason
    assert results["e"].status == "pending" and "t/zz/c" in results["e"].reason
    assert results["f"].status == "pass" and "now exists" in results["f"].reason  # the cell arrived: checked
    assert results["g"].status == "known-deviation"
    assert results["h"].status == "fail" and "lost its cell" in results["h"].reason and "gone" in results["h"].reason
    assert summary(results.values()) == {"pass": 2, "fail": 3, "known-deviation": 2, "pending": 1, "total": 8}
    assert [r.line for r in check(_report(), catalogue)][:2] == [5, 7]


def test_known_deviation_that_moves_fails_with_both_numbers(catalogue):
    results = {r.id: r for r in check(_report(andet=80.0), catalogue)}
    for fid in ("a", "g"):
        assert results[fid].status == "fail"
        assert "moved" in results[fid].reason and "computed 80" in results[fid].reason
    assert "76.32" in results["a"].reason and "[76, 77]" in results["g"].reason
    # moving onto the printed value is a move too, and says so
    results = {r.id: r for r in check(_report(andet=75.1), catalogue)}
    assert results["a"].status == "fail" and "now prints as the publication" in results["a"].reason


@pytest.mark.parametrize(
    "entry,named",
    [
        (
            "{id: a, source: s, tabel: t, row: a, column: c, printed: '1', decimals: 0}",
            "unknown key 'tabel' (did you mean 'table'?)",
        ),
        ("{id: a, source: s, table: t, row: a, column: c, printed: '1'}", "missing key 'decimals'"),
        (
            "{id: a, source: s, table: t, row: a, column: c, printed: '1', decimals: 0, staus: reproducible}",
            "unknown key 'staus' (did you mean 'status'?)",
        ),
        (
            "{id: a, source: s, table: t, row: a, column: c, printed: '1', decimals: 0, status: misprint}",
            "'status' is 'misprint'",
        ),
        ("{id: a, source: s, table: t, row: a, column: c, printed: 'x1', decimals: 0}", "is not a number"),
        (
            "{id: a, source: s, table: t, row: a, column: c, printed: '1', decimals: one}",
            "'decimals' must be a whole number",
        ),
        (
            "{id: a, source: s, table: t, row: a, column: c, printed: '1', decimals: 0, status: known-deviation,"
            " reason: r}",
            "needs 'expected'",
        ),
        (
            "{id: a, source: s, table: t, row: a, column: c, printed: '1', decimals: 0, status: known-deviation,"
            " reason: r, expected: {betwen: [1, 2]}}",
            "unknown key 'betwen' in 'expected' (did you mean 'between'?)",
        ),
        (
            "{id: a, source: s, table: t, row: a, column: c, printed: '1', decimals: 0, cell: missing}",
            "'cell' is 'missing'",
        ),
    ],
)
def test_malformed_entry_is_refused_by_name(tmp_path, entry, named):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"report: udgaaende\nfigures:\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(bad)
    message = str(err.value)
    assert named in message, message
    assert "bad.yaml, figure 1 (line 3)" in message


def test_malformed_top_level_and_duplicates(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("report: udgaaende\nfigurs: []\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="unknown top-level key 'figurs' \\(did you mean 'figures'\\?\\)"):
        load_catalogue(bad)
    entry = "  - {id: a, source: s, table: t, row: a, column: c, printed: '1', decimals: 0}\n"
    bad.write_text("report: udgaaende\nfigures:\n" + entry + entry, encoding="utf-8")
    with pytest.raises(CatalogueError, match="duplicate figure id 'a' \\(lines 3 and 4\\)"):
        load_catalogue(bad)
    with pytest.raises(CatalogueError, match="no catalogue file or bundled catalogue 'nope'"):
        load_catalogue("nope")


def test_bundled_catalogues_are_complete():
    """Every known deviation carries its reason and expected value; pending figures name a proposed cell."""
    for name in ("000", "001", "004"):
        cat = load_catalogue(name)
        for f in cat.figures:
            if f.status == "known-deviation":
                assert f.reason and f.expected is not None and f.expected.basis, f.id
            assert "audit" not in (f.reason or "") and "seed" not in (f.reason or ""), f.id
    # every cell the catalogues need exists now (issue 17): no figure is left pending
    assert [f.id for name in ("000", "001", "004") for f in load_catalogue(name).figures if f.pending] == []
