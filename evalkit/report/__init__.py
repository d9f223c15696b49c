"""Reports: one module per published report, label packs, disclosure control and renderers.

The package itself is callable, so that notebooks can write ``evalkit.report(export, "hcs", lang="en")``:

>>> import evalkit
>>> rep = evalkit.report("data/samples/udgaaende", lang="en")  # doctest: +SKIP
>>> rep["enrolment"]                                             # doctest: +SKIP
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any


def make_report(export: Any, name: str | None = None, *, lang: str = "da", min_cell: int = 5,
                disclosure: bool = True, tables: list[str] | None = None, where: str | list[str] | None = None,
                **extra: Any):
    """Build a report from an :class:`~evalkit.io.Export` or from a path to an export.

    Parameters
    ----------
    export
        A validated export (``evalkit.read_export(...)``) or a path that is read with default options.
    name
        ``udgaaende``, ``ung-rusmidler`` or ``hcs``; default: the report of the export's dataset.
    lang
        ``"da"`` (default) or ``"en"``: labels and number format.
    min_cell
        Disclosure threshold: counts below it are suppressed (with complementary suppression).
    disclosure
        ``False`` turns disclosure control off (internal use only).
    tables
        Build only these table ids.
    where
        A filter (or a list of filters, all of which must hold) on the report's unit, e.g.
        ``'kommune == "Odense"'``; linked tables follow the kept units (see
        :mod:`evalkit.report._build.where` for the language).

    Returns
    -------
    Report
        Tables as DataFrames via ``report["table_id"]``; ``to_html``, ``to_excel``, ``to_markdown``,
        ``to_json``, ``to_csv``; renders itself in Jupyter.
    """
    from evalkit.io import Export, read_export
    from evalkit.report.spec import ReportOptions, build_report

    if not isinstance(export, Export):
        export = read_export(Path(export))
    wheres = (where,) if isinstance(where, str) else tuple(where or ())
    options = ReportOptions(lang=lang, min_cell=min_cell, disclosure=disclosure, extra=dict(extra), where=wheres)
    return build_report(export, name, options, tables=tables)


class _CallableModule(types.ModuleType):
    def __call__(self, export: Any, name: str | None = None, **kwargs: Any):
        return make_report(export, name, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
