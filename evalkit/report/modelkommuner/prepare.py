"""Prepared data of report ``modelkommuner``: institutions, respondents, projects and the flow, once.

The survey tables are computed over the institutions that answered the November 2014 survey; every
institution row read is kept for the flow and either kept for the survey or excluded from it with its
reason (withdrew from the project, did not answer), in the report's row ledger.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.compare.survey import flow
from evalkit.report.spec import Context
from evalkit.verify import load_catalogue

from . import text


def _flag(values: pd.Series) -> np.ndarray:
    """A yes/no column as a boolean array (missing = no)."""
    return pd.Series(values, copy=False).astype("boolean").fillna(False).to_numpy(dtype=bool)


def prepare(ctx: Context) -> None:
    """Institutions, respondents (``responded``), projects (in dictionary order) and the flow.

    >>> import evalkit
    >>> from evalkit.report.spec import ReportOptions
    >>> ctx = Context(export=evalkit.read_export("data/samples/modelkommuner"), options=ReportOptions())
    >>> prepare(ctx)
    >>> len(ctx.data["respondents"]), ctx.data["flow"].counts["end"]
    (44, 45)
    """
    inst = ctx.export["mk_institutioner"].reset_index(drop=True)
    projects = ctx.export["mk_projekter"].reset_index(drop=True)
    flags = {c: _flag(inst[c]) for c in ("in_project_start", "withdrew", "joined_late", "in_project_end", "responded")}
    fl = flow(*(flags[c] for c in ("in_project_start", "withdrew", "joined_late", "in_project_end", "responded")))
    respondents = inst[flags["responded"]].reset_index(drop=True)
    ctx.data.update(institutions=inst, flags=flags, flow=fl, respondents=respondents, projects=projects)
    withdrew = int((~flags["in_project_end"]).sum())
    silent = int((flags["in_project_end"] & ~flags["responded"]).sum())
    other = len(inst) - len(respondents) - withdrew - silent
    excluded = {"withdrew_from_project": withdrew, "did_not_answer_survey": silent}
    if other:
        excluded["answered_but_not_in_project_at_end"] = other
    ctx.ledger_stages["modelkommuner: survey respondents"] = {
        "read": len(inst), "kept": len(respondents), "excluded": {k: v for k, v in excluded.items() if v}}
    ctx.notes.extend([text.DESIGN, text.CLUSTER, text.DISCLOSURE, text.PROJECT_ASSIGNMENT,
                      text.closing(len(load_catalogue("003").figures))])
