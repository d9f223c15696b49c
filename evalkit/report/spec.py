"""Declarative report specifications and the runner that turns an export into a :class:`Report`.

A report module (``udgaaende.py``, ``ung_rusmidler.py``, ``hcs.py``) declares a :class:`ReportSpec`:
its dataset, a ``prepare`` step (measures and profiles computed once from the export) and a list of
:class:`TableSpec` entries, each with a stable id, the seed figure it reproduces and a builder. The
runner builds every table, adjusts the p-values of all tests in the report for multiplicity (Holm by
default, the family stated), applies disclosure control and attaches the row ledger and settings.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from evalkit import __version__
from evalkit.io.export import Export
from evalkit.report._build.options import Option, resolve_options
from evalkit.report._build.subset import Population, subset_export
from evalkit.report._build.where import WhereError
from evalkit.report.disclosure import DisclosureSettings, apply, suppressed_total
from evalkit.report.model import Report, Table, Text
from evalkit.timing import step

REPORT_MODULES = {
    "udgaaende": "evalkit.report.udgaaende",
    "ung-rusmidler": "evalkit.report.ung_rusmidler",
    "hcs": "evalkit.report.hcs",
    "modelkommuner": "evalkit.report.modelkommuner",
}


@dataclass(frozen=True)
class ReportOptions:
    """Settings that change numbers; every one is printed with the report."""

    lang: str = "da"
    min_cell: int = 5
    disclosure: bool = True
    multiplicity: str = "holm"
    extra: dict[str, Any] = field(default_factory=dict)
    where: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = {"lang": self.lang, "min_cell": self.min_cell, "disclosure": self.disclosure,
               "multiplicity": self.multiplicity, **self.extra}
        if self.where:
            out["where"] = list(self.where)
        return out


@dataclass
class Context:
    """What a table builder sees: the export, the options and the prepared data of the report."""

    export: Export
    options: ReportOptions
    data: dict[str, Any] = field(default_factory=dict)
    notes: list[Text] = field(default_factory=list)
    ledger_stages: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TableSpec:
    """One table of a report: ``build(ctx)`` returns the :class:`Table`, or ``None`` for an optional
    table that the options did not switch on (it is then left out of the report)."""

    id: str
    source: str
    title: Text
    build: Callable[[Context], Table]
    description: str = ""
    needs: tuple[str, ...] = ()   #: export tables the table is computed from besides the unit's (left out with them)


@dataclass(frozen=True)
class ReportSpec:
    """A report: its dataset, title, tables, ``prepare`` step and declared settings.

    ``options`` declares every ``--set KEY=VALUE`` setting the report reads (type, default, range);
    ``None`` (not yet declared) passes settings through unchecked.
    """

    name: str
    dataset: str
    title: Text
    tables: tuple[TableSpec, ...]
    prepare: Callable[[Context], None] = lambda ctx: None
    description: str = ""
    options: tuple[Option, ...] | None = None
    population: Population | None = None
    key_figures: tuple[tuple[str, str, str], ...] = ()   #: (table, row, column) cells compared across levels
    variables: dict[str, Callable[[Export], Any]] | None = None  #: derived per-unit variables for custom tables
    notes: tuple[Text, ...] = ()  #: notes that hold for every table, printed once near the top of the report


def get_spec(name: str) -> ReportSpec:
    if name not in REPORT_MODULES:
        raise KeyError(name)
    module = importlib.import_module(REPORT_MODULES[name])
    return module.SPEC


def available_reports() -> list[str]:
    return list(REPORT_MODULES)


def report_for_dataset(dataset: str) -> str:
    for name in REPORT_MODULES:
        if get_spec(name).dataset == dataset:
            return name
    raise KeyError(dataset)


def adjust_tests(report: Report, method: str) -> None:
    """Adjust every test p-value of the report as one family (Holm by default)."""
    tests = [t for t in report.all_tests() if t.p_value is not None]
    if not tests:
        return
    from evalkit.compare import adjust_pvalues

    adjusted = adjust_pvalues([t.p_value for t in tests], method=method)
    from evalkit.report.labels import word

    family = word("family_all", report.lang, n=len(tests), method=method.capitalize())
    for t, p in zip(tests, adjusted.p_adjusted, strict=True):
        t.p_adjusted = float(p)
        t.family = family


def build_report(export: Export, name: str | None = None, options: ReportOptions | None = None,
                 tables: list[str] | None = None) -> Report:
    """Build report ``name`` (default: the one for the export's dataset) from a validated export."""
    options = options or ReportOptions()
    name = name or report_for_dataset(export.dataset)
    spec = get_spec(name)
    if spec.dataset != export.dataset:
        raise ValueError(f"report {name!r} needs a {spec.dataset!r} export, not {export.dataset!r}")
    if spec.options is not None:
        options = replace(options, extra=resolve_options(spec.options, options.extra))
    left_out: dict[str, Text] = {}
    if options.where:
        if spec.population is None:
            raise WhereError(f"report {name!r} does not declare a population, so it cannot be filtered")
        export, subset = subset_export(export, spec.population, options.where)
        left_out = subset.left_out
    ctx = Context(export=export, options=options)
    with step("measures, profiles, LOCF"):
        spec.prepare(ctx)
    with step("tables and tests"):
        # A builder may return None: an optional table its report did not switch on (ReportOptions.extra).
        wanted = [ts for ts in spec.tables if tables is None or ts.id in tables]
        skipped = [ts for ts in wanted if any(n in left_out for n in ts.needs)]
        built = [t for t in (ts.build(ctx) for ts in wanted if ts not in skipped) if t is not None]
        for ts in skipped:
            why = next(left_out[n] for n in ts.needs if n in left_out)
            ctx.notes.append(Text(f"{ts.title.da}: {why.da}", f"{ts.title.en}: {why.en}"))
    from evalkit.report.sources import cite_tables

    cite_tables(name, built)
    report = Report(name=name, title=spec.title, tables=built, lang=options.lang, settings=options.to_dict())
    report.notes = [*spec.notes, *ctx.notes]
    return finish_report(report, export, options, ctx.ledger_stages)


def _export_ledger(export: Export, lang: str) -> dict[str, Any]:
    """The export's row ledger with each table's label and each exclusion reason in ``lang`` (the
    data dictionary's table labels, :func:`evalkit.io.ledger.reason_label`)."""
    from evalkit.io.ledger import reason_label
    from evalkit.io.schema import dataset

    try:
        labels = {t.name: t.label(lang) for t in dataset(export.dataset).tables}
    except (KeyError, ValueError):
        labels = {}
    out: dict[str, Any] = {}
    for name, entry in export.ledger.to_dict().items():
        entry["excluded"] = {reason_label(reason, lang): n for reason, n in entry["excluded"].items()}
        out[name] = {"label": labels[name], **entry} if name in labels else entry
    return out


def finish_report(report: Report, export: Export, options: ReportOptions,
                  stages: dict[str, Any] | None = None) -> Report:
    """Adjust the report's tests for multiplicity, apply disclosure control to the tables and the row
    ledger together, and record the settings: the last step of every report and custom table."""
    ledger: dict[str, Any] = {"export": _export_ledger(export, options.lang)}
    if stages:
        ledger["report"] = stages
    with step("multiplicity and disclosure"):
        adjust_tests(report, options.multiplicity)
        # Tables and ledger are protected together (one problem); apply returns new objects.
        protected = apply(report.tables, DisclosureSettings(min_cell=options.min_cell, enabled=options.disclosure),
                          ledger=ledger)
    report.tables, report.ledger = protected.tables, protected.ledger
    report.disclosure = {"enabled": options.disclosure, "min_cell": options.min_cell,
                         "suppressed_cells": suppressed_total(report.tables), "by_rule": protected.counts}
    report.settings["evalkit_version"] = __version__
    return report
