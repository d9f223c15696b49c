"""Published-figure regression: compare a report's computed values with catalogues of printed figures.

A catalogue (``evalkit/verify/catalogues/<document>.yaml``, or a file of your own with the same schema)
lists every printed figure of a publication with the report cell it maps to (table, row, column), the
printed string, its precision and rounding rule. Every entry is checked on every run:

* a reproducible figure passes when the computed cell prints as the printed string;
* a ``known-deviation`` (a misprint, or a figure the bundled sample cannot give) records its reason and
  what the computation gives instead (``expected``: the value on the bundled sample, or the interval
  the publication's own numbers imply); it fails when that value moves or its cell disappears;
* a figure marked ``cell: pending`` names the report cell it should have; while the report lacks that
  cell it is counted and listed as ``pending``, never silently passed.

A printed ``"52,5"`` (one decimal, half-up) matches any computed value in ``[52.45, 52.55)``; with
``rounding: truncate`` it matches ``[52.5, 52.6)``. Catalogues hold printed values only; nothing here
writes to them. Results render as text, JSON, JUnit XML or GitHub annotations (:func:`render`).
"""

from __future__ import annotations

from evalkit.verify.catalogue import (
                                      Catalogue,
                                      CatalogueError,
                                      Expected,
                                      Figure,
                                      bundled_catalogues,
                                      load_catalogue,
                                      parse_printed,
)
from evalkit.verify.check import STATUSES, FigureResult, check, interval, matches, summary
from evalkit.verify.formats import FORMATS, render

__all__ = ["Catalogue", "CatalogueError", "Expected", "FORMATS", "Figure", "FigureResult", "STATUSES",
           "bundled_catalogues", "check", "interval", "load_catalogue", "matches", "parse_printed", "render",
           "summary"]
