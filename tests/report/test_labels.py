"""Number formatting per language: half-up rounding on decimals, Danish decimal comma."""

import pytest

from evalkit.report.labels import cell_text, format_number, format_p, round_half_up
from evalkit.report.model import Cell


@pytest.mark.parametrize("value,decimals,da,en", [
    (52.5, 1, "52,5", "52.5"), (484300, 0, "484.300", "484,300"), (0.125, 2, "0,13", "0.13"),
    (2.675, 2, "2,68", "2.68"),  # binary 2.67499999... still rounds half-up on its decimal form
    (-1234.55, 1, "-1.234,6", "-1,234.6"), (0.0, 1, "0,0", "0.0"), (1e6, 0, "1.000.000", "1,000,000"),
])
def test_format_number(value, decimals, da, en):
    assert format_number(value, "da", decimals) == da
    assert format_number(value, "en", decimals) == en


def test_round_half_up_is_not_bankers():
    assert str(round_half_up(0.5, 0)) == "1" and str(round_half_up(1.5, 0)) == "2" and str(round_half_up(2.5, 0)) == "3"


def test_p_values_and_cells():
    assert format_p(0.0004, "da") == "<0,001" and format_p(0.0456, "en") == "0.046"
    assert cell_text(Cell(39.66, "percent"), "da") == "39,7"
    assert cell_text(Cell(3, "count", suppressed=True), "da") == "x"
    assert cell_text(Cell(None, "mean"), "en") == "–"
