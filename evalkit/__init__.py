"""evalkit: evaluation tables and significance tests for Danish youth substance-use programme exports.

Notebook use::

    import evalkit
    export = evalkit.read_export("data/samples/udgaaende")     # tables + row ledger
    rep = evalkit.report(export, lang="en")                     # all tables, tests, disclosure control
    rep["enrolment"]                                            # a table as a DataFrame
    evalkit.measures.who5_percent(export["registreringer"][[f"who5_{i}" for i in range(1, 6)]])
"""

from __future__ import annotations

__version__ = "0.1.0"

from evalkit import compare, measures, profiles, report  # noqa: E402  (report is callable: evalkit.report(...))
from evalkit.io import read_export  # noqa: E402


def table(export, rows: str, cols: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
    """A custom table (crosstab or summary with a test) under the reports' disclosure control.

    ``export`` is an :class:`~evalkit.io.Export` or a path; the other arguments are those of
    :func:`evalkit.report._build.custom.custom_table` (``stats``, ``test``, ``where``, ``lang``,
    ``min_cell``). Returns a report holding one table: ``rep["custom"]`` is a DataFrame.

    >>> import evalkit
    >>> rep = evalkit.table("data/samples/udgaaende", rows="skoletype", cols="koen")  # doctest: +SKIP
    >>> rep["custom"]                                                                 # doctest: +SKIP
    """
    from pathlib import Path

    from evalkit.io import Export
    from evalkit.report._build.custom import custom_table

    if not isinstance(export, Export):
        export = read_export(Path(export))
    return custom_table(export, rows, cols, **kwargs)


__all__ = ["__version__", "compare", "measures", "profiles", "read_export", "report", "table"]
