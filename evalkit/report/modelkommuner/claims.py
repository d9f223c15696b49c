"""Crosstabs that test three claims of the publication (none is tested there).

- students involved in the policy x the project's policy approach (section 6.4: local policies
  "i højere grad" involved the students): Fisher's exact test (or chi-square when no expected count
  is below 5) at institution level, and the exact permutation test over the 6 projects, since the
  approach is a project attribute;
- a fixed key person (engagement) x type of youth education (section 5.5: strongest at gymnasiale
  uddannelser and production schools, weaker at technical colleges): Fisher-Freeman-Halton;
- action plan x training in detection (section 6.7: policies developed together with upskilling).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.compare.survey import cluster_permutation_test, crosstab
from evalkit.report._build import cells_of, quiet, test_row
from evalkit.report._build.survey import crosstab_table
from evalkit.report.model import Table
from evalkit.report.spec import Context

from .prepare import survey
from .text import TXT, label
from .variables import SCHOOL_GROUP_KEYS, has_action_plan, policy_approach, school_group, trained_detection

__all__ = ["engagement_by_school_type", "plan_by_training", "students_by_policy"]

INST = "mk_institutioner"


def _yes_no(values: pd.Series) -> np.ndarray:
    v = values.astype("boolean")
    out = np.full(len(v), None, dtype=object)
    known = v.notna().to_numpy()
    out[known] = np.where(v[known].to_numpy(dtype=bool), "yes", "no")
    return out


def _yes_no_cols() -> list:
    return [("yes", TXT("labels.yes")), ("no", TXT("labels.no"))]


def students_by_policy(ctx: Context) -> Table:
    """Students involved in the policy by the project's approach (individual vs common)."""
    s = survey(ctx)
    r, proj = s.respondents, s.projects
    project = r["project"].astype("object")
    group = policy_approach(r, proj)
    approach = {p: a for p, a in zip(proj["project"].astype("object"), proj["politik"].astype("object"), strict=True)
                if not pd.isna(a)}
    rows = [("individual", TXT("labels.policy.individual")), ("common", TXT("labels.policy.common"))]
    counts, result = crosstab(group, _yes_no(r["involved_elever"]), [k for k, _ in rows], ["yes", "no"])
    outcome = label(INST, "involved_elever")
    over = cells_of([k for k, _ in rows], ["yes", "no"])
    perm = cluster_permutation_test(r["involved_elever"].astype("boolean"), project,
                                    {p: a != "faelles" for p, a in approach.items()})
    tests = [test_row("total", outcome, result, over=over), test_row("total", outcome, perm, over=over)]
    return crosstab_table("students_by_policy", "003-6.4", TXT("titles.students_by_policy"), counts.to_numpy(), rows,
                          _yes_no_cols(), "yes", tests,
                          [])


def engagement_by_school_type(ctx: Context) -> Table:
    """A fixed key person (engagement) by type of youth education, grouped as in the claim of section 5.5."""
    r = survey(ctx).respondents
    group = school_group(r)
    keys = list(SCHOOL_GROUP_KEYS)
    rows = [(k, TXT(f"labels.school_groups.{k}")) for k in keys]
    counts, result = quiet(crosstab, group, _yes_no(r["noegleperson"]), keys, ["yes", "no"])
    tests = [test_row("total", label(INST, "noegleperson"), result, over=cells_of(keys, ["yes", "no"]))]
    return crosstab_table("engagement_by_school_type", "003-5.5", TXT("titles.engagement_by_school_type"),
                          counts.to_numpy(), rows, _yes_no_cols(), "yes", tests,
                          [TXT("notes.engagement")])


def plan_by_training(ctx: Context) -> Table:
    """Action plan (separate or integrated) by training in detection (top two boxes)."""
    r = survey(ctx).respondents
    counts, result = crosstab(has_action_plan(r), trained_detection(r), ["yes", "no"], ["yes", "no"])
    tests = [test_row("total", TXT("labels.trained.outcome"), result, over=cells_of(["yes", "no"], ["yes", "no"]))]
    return crosstab_table("plan_by_training", "003-6.7", TXT("titles.plan_by_training"), counts.to_numpy(),
                          [(k, TXT(f"labels.plan.{k}")) for k in ("yes", "no")],
                          [(k, TXT(f"labels.trained.{k}")) for k in ("yes", "no")], "yes", tests,
                          [])
