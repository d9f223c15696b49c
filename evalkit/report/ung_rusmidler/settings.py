"""The report's constants file and options."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

from evalkit.report.spec import Context
from evalkit.report.ung_rusmidler.tem_measures import MEASURE


@cache
def _load_constants(path: str | None) -> Mapping[str, Any]:
    from evalkit.rules import load_rule_file, validate_header

    if path is None:
        text = (resources.files("evalkit.report.ung_rusmidler") / "constants.yaml").read_text(encoding="utf-8")
        return validate_header(yaml.safe_load(text), "evalkit/report/ung_rusmidler/constants.yaml")
    return load_rule_file(path, expect_rule="ung_rusmidler_report")


def constants(path: str | None = None) -> Mapping[str, Any]:
    """The report's constants: the shipped ``constants/ung_rusmidler.yaml``, or an owner's file.

    Parameters
    ----------
    path
        A YAML file with the same layout and header (``rule: ung_rusmidler_report``); ``None`` (default)
        loads the shipped file. A report picks an owner's file up from ``ReportOptions.extra["constants"]``.

    Returns
    -------
    Mapping
        Read-only nested mapping: ``cohort`` (cut-off date, UngMap age filter, age bands, forløb),
        ``tem`` (12 registrations, group-form and TEM 30 policies), ``drug_use``, ``tests`` and
        ``references`` (published comparators, spec seed004_figures.md 5.5).

    Examples
    --------
    >>> c = constants()
    >>> c["tem"]["registrations"], c["cohort"]["ungmap_min_age"], c["references"]["danske_unge"]["trivsel"]
    (12, 15, 7.45)
    """
    return _load_constants(None if path is None else str(path))


def _ctx_constants(ctx: Context) -> Mapping[str, Any]:
    return constants(ctx.options.extra.get("constants"))


def _sensitivity(ctx: Context) -> dict[str, Any] | None:
    """The model-based sensitivity analysis asked for in ``ReportOptions.extra["sensitivity"]``, or None.

    ``extra["sensitivity"]``: ``"mixedlm"`` / ``True`` (random-intercept mixed model) or ``"gee"``;
    ``extra["sensitivity_measures"]`` (a list or a comma-separated string) overrides the measures listed
    in the constants file. From the command line: ``--set sensitivity=gee --set sensitivity_measures=stoffri``.
    """
    want = ctx.options.extra.get("sensitivity")
    if not want:
        return None
    conf = _ctx_constants(ctx)["sensitivity"]
    method = conf["method"] if want is True else str(want)
    if method not in ("mixedlm", "gee"):
        raise ValueError(f"sensitivity must be 'mixedlm' or 'gee', got {want!r}")
    measures = ctx.options.extra.get("sensitivity_measures", conf["measures"])
    measures = [x.strip() for x in measures.split(",") if x.strip()] if isinstance(measures, str) else list(measures)
    unknown = [m for m in measures if m not in MEASURE]
    if unknown:
        raise ValueError(f"unknown TEM measure(s) {unknown}; one of {', '.join(MEASURE)}")
    return {"method": method, "measures": measures, "cov_struct": conf["cov_struct"]}
