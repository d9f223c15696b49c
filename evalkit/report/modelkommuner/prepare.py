"""Prepared data of report ``modelkommuner``: institutions, respondents, projects and the flow, once.

The survey tables are computed over the institutions that answered the November 2014 survey; every
institution row read is kept for the flow and either kept for the survey or excluded from it with its
reason (withdrew from the project, did not answer), in the report's row ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit.compare.survey import Flow, flow
from evalkit.report._build import prepared, store_prepared
from evalkit.report._build.bilingual import fill
from evalkit.report.model import T, Text
from evalkit.report.spec import Context
from evalkit.verify import load_catalogue

from .text import TXT

__all__ = ["FLAGS", "MULTI_RESPONSE_TABLES", "Survey", "prepare", "report_notes", "survey"]

#: The tables where an institution can give several answers (their shares can add up to more than 100 %).
MULTI_RESPONSE_TABLES = ("involvement", "substances", "counsellor_roles", "teacher_procedure")

FLAGS = ("in_project_start", "withdrew", "joined_late", "in_project_end", "responded")


@dataclass(frozen=True)
class Survey:
    """Institution rows, their flow flags (boolean arrays), the flow, the respondents and the projects."""

    institutions: pd.DataFrame
    flags: dict[str, np.ndarray]
    flow: Flow
    respondents: pd.DataFrame
    projects: pd.DataFrame


def _flag(values: pd.Series) -> np.ndarray:
    """A yes/no column as a boolean array (missing = no)."""
    return pd.Series(values, copy=False).astype("boolean").fillna(False).to_numpy(dtype=bool)


def prepare(ctx: Context) -> None:
    """Institutions, respondents (``responded``), projects (in the export's order) and the flow.

    >>> import evalkit
    >>> from evalkit.report.spec import ReportOptions
    >>> ctx = Context(export=evalkit.read_export("data/samples/modelkommuner"), options=ReportOptions())
    >>> prepare(ctx)
    >>> len(survey(ctx).respondents), survey(ctx).flow.counts["end"]
    (44, 45)
    """
    inst = ctx.export["mk_institutioner"].reset_index(drop=True)
    flags = {c: _flag(inst[c]) for c in FLAGS}
    respondents = inst[flags["responded"]].reset_index(drop=True)
    store_prepared(ctx, Survey(inst, flags, flow(*(flags[c] for c in FLAGS)), respondents,
                               ctx.export["mk_projekter"].reset_index(drop=True)))
    withdrew = int((~flags["in_project_end"]).sum())
    silent = int((flags["in_project_end"] & ~flags["responded"]).sum())
    other = len(inst) - len(respondents) - withdrew - silent
    excluded = {"withdrew_from_project": withdrew, "did_not_answer_survey": silent, "not_in_project_at_end": other}
    lang = ctx.options.lang
    ctx.ledger_stages["modelkommuner: survey respondents"] = {
        "label": TXT("ledger_stage.respondents")(lang), "read": len(inst), "kept": len(respondents),
        "excluded": {TXT(f"ledger.{k}")(lang): v for k, v in excluded.items() if v}}
    ctx.notes.append(TXT("notes.closing", n=len(load_catalogue("003").figures)))


def report_notes() -> tuple[Text, ...]:
    """The notes that hold for the whole report (or for many of its tables), said once at its top:
    the design, the survey base, the multi-response tables, clustering, disclosure and project
    assignment (the report's spec declares them).

    >>> report_notes()[2].en.startswith("Several answers possible in the tables “Involved in")
    True
    """
    multi = [TXT(f"titles.{t}") for t in MULTI_RESPONSE_TABLES]
    return (TXT("notes.design"), fill(TXT("report_notes.survey_base"), note=TXT("notes.base_44")),
            fill(TXT("report_notes.multi"), tables=T("; ".join(f"»{t.da}«" for t in multi),
                                                     "; ".join(f"“{t.en}”" for t in multi))),
            TXT("notes.cluster"), TXT("notes.disclosure"), TXT("notes.project_assignment"))

def survey(ctx: Context) -> Survey:
    """What :func:`prepare` stored."""
    return prepared(ctx, Survey)
