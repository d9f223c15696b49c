"""The report's constants file and options."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

from evalkit.report._build import Option
from evalkit.report.spec import Context
from evalkit.report.ung_rusmidler.tem_measures import MEASURE
from evalkit.report.ung_rusmidler.text import TXT


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
        loads the shipped file. A report picks an owner's file up from the setting ``constants``.

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


#: The ``--set KEY=VALUE`` settings of the report (checked by the runner: an unknown key or a bad
#: value is a usage error naming the nearest valid key).
OPTIONS: tuple[Option, ...] = (
    Option("constants", str, "", "A data owner's constants file (YAML, rule ung_rusmidler_report) instead "
           "of the shipped one", label=TXT("settings.constants")),
    # the command line reads --set values as YAML, so "on"/"off" arrive as true/false: both spellings accepted
    Option("sensitivity", str, "off", "Model-based sensitivity analysis beside LOCF: on (the constants' "
           "method), mixedlm or gee", choices=("off", "on", "mixedlm", "gee", "False", "True"),
           label=TXT("settings.sensitivity")),
    Option("sensitivity_measures", list, [], "TEM measures of the sensitivity analysis (default: the "
           "constants' list)", choices=tuple(MEASURE), label=TXT("settings.sensitivity_measures")),
    Option("kruskal_intervals", bool, False, "Bootstrap intervals for the Kruskal-Wallis effect size "
           "(resamples from compare.yaml)", label=TXT("settings.kruskal_intervals")),
)


def _option(ctx: Context, key: str) -> Any:
    """A report setting (resolved by the runner; the default when a caller built the context itself)."""
    default = next(o.default for o in OPTIONS if o.key == key)
    return ctx.options.extra.get(key, default)


def _ctx_constants(ctx: Context) -> Mapping[str, Any]:
    return constants(_option(ctx, "constants") or None)


def _sensitivity(ctx: Context) -> dict[str, Any] | None:
    """The model-based sensitivity analysis asked for with the setting ``sensitivity``, or None.

    ``sensitivity``: ``on`` (the constants' method), ``mixedlm`` (random-intercept mixed model) or
    ``gee``; ``sensitivity_measures`` overrides the measures listed in the constants file. From the
    command line: ``--set sensitivity=gee --set sensitivity_measures=stoffri``.
    """
    want = str(_option(ctx, "sensitivity"))
    if want in ("off", "False"):
        return None
    conf = _ctx_constants(ctx)["sensitivity"]
    method = conf["method"] if want in ("on", "True") else want
    measures = list(_option(ctx, "sensitivity_measures") or conf["measures"])
    return {"method": method, "measures": measures, "cov_struct": conf["cov_struct"]}
