"""Crosstabs that test three claims of the publication (none is tested there).

- students involved in the policy x the project's policy approach (section 6.4: local policies
  "i højere grad" involved the students): Fisher's exact test at institution level and the exact
  permutation test over the 6 projects, since the approach is a project attribute;
- a fixed key person (engagement) x type of youth education (section 5.5: strongest at gymnasiale
  uddannelser and production schools, weaker at technical colleges): Fisher-Freeman-Halton;
- action plan x training in detection (section 6.7: policies developed together with upskilling).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.compare.results import GroupResult
from evalkit.compare.survey import cluster_permutation_test, crosstab
from evalkit.report._build.survey import crosstab_table
from evalkit.report.model import T, Table, TestRow, Text
from evalkit.report.spec import Context

from . import text

YES_NO = [("yes", text.YES), ("no", text.NO)]
SCHOOL_GROUPS = {  # type of youth education -> group of the claim in section 5.5
    "almen_gymnasium": "gymnasial", "hf": "gymnasial", "htx": "gymnasial", "hhx": "gymnasial",
    "produktionsskole": "produktionsskole", "teknisk_skole": "teknisk_skole"}
GROUP_LABELS = {"gymnasial": T("Gymnasiale uddannelser", "Upper secondary (gymnasium)"),
                "produktionsskole": T("Produktionsskoler", "Production schools"),
                "teknisk_skole": T("Tekniske skoler", "Technical colleges"),
                "oevrige": T("Øvrige", "Other")}
METHODS = {"Fisher's exact test": T("Fishers eksakte test", "Fisher's exact test"),
           "Pearson chi-square": T("Pearsons chi²-test", "Pearson chi-square test")}


def _yes_no(values: pd.Series) -> np.ndarray:
    v = values.astype("boolean")
    return np.where(v.isna(), None, np.where(v.fillna(False), "yes", "no")).astype(object)


def _method(res: GroupResult) -> Text:
    if res.method in METHODS:
        return METHODS[res.method]
    return T(res.method.replace("tables", "tabeller"), res.method)


def _count_of(row_keys: list[str]) -> str:
    return "+".join(f"{r}|{c}" for r in row_keys for c in ("yes", "no"))


def _test_row(row: str, outcome: Text, res: GroupResult, lang: str, count_of: str, estimate_name: Text | None) -> TestRow:
    est = res.estimate if estimate_name is not None and res.estimate == res.estimate else None
    return TestRow(row=row, outcome=outcome, method=_method(res)(lang), n=int(res.n),
                   statistic=float(res.statistic) if res.statistic == res.statistic else None,
                   p_value=float(res.p_value) if res.p_value == res.p_value else None,
                   estimate=est, estimate_name=estimate_name(lang) if est is not None and estimate_name else None,
                   estimate_ci=(res.estimate_ci.low, res.estimate_ci.high) if est is not None else (None, None),
                   count_of=count_of)


def students_by_policy(ctx: Context) -> Table:
    """Students involved in the policy by the project's approach (individual vs common)."""
    r, proj = ctx.data["respondents"], ctx.data["projects"]
    approach = dict(zip(proj["project"].astype("object"), proj["politik"].astype("object")))
    project = r["project"].astype("object")
    group = project.map(lambda p: None if pd.isna(approach.get(p)) else
                        ("common" if approach.get(p) == "faelles" else "individual")).astype(object)
    outcome = _yes_no(r["involved_elever"])
    rows = [("individual", T("Individuelle politikker", "Individual policies")),
            ("common", T("Fælles politik", "Common policy"))]
    table_counts, res = crosstab(group, outcome, [k for k, _ in rows], ["yes", "no"])
    lang = ctx.options.lang
    label = text.label("mk_institutioner", "involved_elever")
    count_of = _count_of([k for k, _ in rows])
    tests = [_test_row("total", label, res, lang, count_of,
                       T("Forskel i andel ja (individuel - fælles)", "Difference in share yes (individual - common)"))]
    perm = cluster_permutation_test(r["involved_elever"].astype("boolean"), project,
                                    {p: a != "faelles" for p, a in approach.items() if not pd.isna(a)})
    tests.append(TestRow(row="total", outcome=label, method=T(
        f"Eksakt permutationstest over projekter (n = {perm.n_clusters}, {perm.n_arrangements} fordelinger)",
        f"Exact permutation test over projects (n = {perm.n_clusters}, {perm.n_arrangements} arrangements)")(lang),
        n=perm.n_clusters, statistic=perm.statistic, p_value=perm.p_value, estimate=perm.statistic,
        estimate_name=T("Forskel i gennemsnitlig projektandel (individuel - fælles)",
                        "Difference in mean project share (individual - common)")(lang), count_of=count_of))
    return crosstab_table("students_by_policy", "003-6.4", T("Eleverne inddraget, efter projektets politiktype",
                                                             "Students involved, by the project's policy approach"),
                          table_counts.to_numpy(), rows, YES_NO, "yes", tests,
                          [text.cite("afsnit 6.4: 'Styrken ved de lokale rusmiddelpolitikker er, at det i højere grad "
                                     "er lykkedes skolerne at inddrage eleverne'",
                                     "section 6.4: 'the strength of the local drug policies is that the schools have to "
                                     "a higher degree succeeded in involving the students'"),
                           text.BASE_44, text.CLUSTER])


def engagement_by_school_type(ctx: Context) -> Table:
    """A fixed key person (engagement) by type of youth education, grouped as in the claim of section 5.5."""
    r = ctx.data["respondents"]
    group = r["school_type"].astype("object").map(lambda t: None if pd.isna(t) else SCHOOL_GROUPS.get(t, "oevrige"))
    rows = list(GROUP_LABELS.items())
    table_counts, res = crosstab(group.astype(object), _yes_no(r["noegleperson"]), [k for k, _ in rows], ["yes", "no"])
    label = text.label("mk_institutioner", "noegleperson")
    tests = [_test_row("total", label, res, ctx.options.lang, _count_of([k for k, _ in rows]), None)]
    return crosstab_table("engagement_by_school_type", "003-5.5", T("Fast nøgleperson, efter type af ungdomsuddannelse",
                                                                    "A fixed key person, by type of youth education"),
                          table_counts.to_numpy(), rows, YES_NO, "yes", tests,
                          [text.cite("afsnit 5.5: 'Det gælder særligt for gymnasiale uddannelser og produktionsskoler, "
                                     "mens tekniske skoler har været mindre engagerede' (jf. afsnit 6.6)",
                                     "section 5.5: strongest for upper secondary schools and production schools, "
                                     "technical colleges less engaged (compare section 6.6)"),
                           T("En fast tovholder/nøgleperson bruges som mål for engagement; publikationen måler ikke "
                             "engagement. Gymnasiale uddannelser = almen gymnasium, HF, HTX, HHX.",
                             "A fixed key person is used as the measure of engagement; the publication does not "
                             "measure engagement. Upper secondary = stx, hf, htx, hhx."),
                           text.BASE_44, text.CLUSTER])


def plan_by_training(ctx: Context) -> Table:
    """Action plan (separate or integrated) by training in detection (top two boxes)."""
    r = ctx.data["respondents"]
    plan = r["action_plan"].astype("object")
    has_plan = plan.map(lambda v: None if pd.isna(v) else ("yes" if v in ("saerskilt", "integreret") else "no"))
    det = r["training_opspore"].astype("object")
    trained = det.map(lambda v: None if pd.isna(v) else ("yes" if v in ("over_halvdelen", "alle") else "no"))
    rows = [("yes", T("Har en handleplan", "Has an action plan")), ("no", T("Ingen handleplan", "No action plan"))]
    table_counts, res = crosstab(has_plan.astype(object), trained.astype(object), ["yes", "no"], ["yes", "no"])
    label = T("Over halvdelen eller alle lærere efteruddannet i at opspore",
              "More than half or all teachers trained in detection")
    tests = [_test_row("total", label, res, ctx.options.lang, _count_of(["yes", "no"]),
                       T("Forskel i andel (med - uden handleplan)", "Difference in share (with - without a plan)"))]
    return crosstab_table("plan_by_training", "003-6.7", T("Efteruddannelse i at opspore, efter handleplan",
                                                           "Training in detection, by action plan"),
                          table_counts.to_numpy(), [(k, v) for k, v in rows],
                          [("yes", T("Over halvdelen/alle", "More than half/all")), ("no", T("Færre", "Fewer"))],
                          "yes", tests,
                          [text.cite("afsnit 6.7: politikker udviklet samtidig med opkvalificeringen",
                                     "section 6.7: policies developed together with upskilling"),
                           text.BASE_44, text.CLUSTER])


__all__ = ["engagement_by_school_type", "plan_by_training", "students_by_policy"]
