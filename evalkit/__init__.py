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

__all__ = ["__version__", "compare", "measures", "profiles", "read_export", "report"]
