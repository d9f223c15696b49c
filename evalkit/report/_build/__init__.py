"""The shared report toolkit: everything a report package needs to declare its tables.

A report package (``evalkit/report/<name>/``) computes nothing itself: it reads the export into
arrays with :mod:`.values`, makes cells with :mod:`.cells`, test rows with :mod:`.testrows` (the
statistics come from :mod:`evalkit.compare`), recurring tables with :mod:`.tables`, its text with
:mod:`.text` and declares its settings with :mod:`.options`.

>>> from evalkit.report._build import share, count
>>> count(3).value, round(share(1, 3).value, 2)
(3, 33.33)
"""

from evalkit.report._build.cells import count, count_column, mean_cell, mean_column, money, number, share, share_column
from evalkit.report._build.options import Option, OptionError, resolve_options
from evalkit.report._build.prepared import prepared, store_prepared
from evalkit.report._build.tables import (
                                         TOTAL,
                                         UNKNOWN,
                                         binary_rows,
                                         columns_for,
                                         crosstab_rows,
                                         distribution_rows,
                                         distribution_table,
)
from evalkit.report._build.testrows import cells_of, quiet, test_row
from evalkit.report._build.text import ReportText, report_text, status_text
from evalkit.report._build.values import (
                                         arrow_strings,
                                         codes,
                                         danish_sort_key,
                                         day_numbers,
                                         finite,
                                         floats,
                                         positions,
                                         slug,
)

__all__ = [
    "TOTAL", "UNKNOWN", "Option", "OptionError", "ReportText", "arrow_strings", "binary_rows", "cells_of", "codes",
    "columns_for", "count", "count_column", "crosstab_rows", "danish_sort_key", "day_numbers", "distribution_rows",
    "distribution_table", "finite", "floats", "mean_cell", "mean_column", "money", "number", "positions", "prepared",
    "quiet", "report_text", "resolve_options", "share", "share_column", "slug", "status_text", "store_prepared",
    "test_row",
]
