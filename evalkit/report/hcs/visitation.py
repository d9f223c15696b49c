"""Chapter 3 of the model description (referral, discharge, follow-up).

Tables 002-1.2 (each inclusion / exclusion criterion: met, not met, not recorded) and 002-1.7
(discharge status; follow-ups due at 1 and 6 months and how many have an ASI registration).
"""

from __future__ import annotations

import numpy as np

from evalkit.io.schema import dataset
from evalkit.profiles import RULE_STATUSES
from evalkit.report._build import count, count_column, prepared, share, share_column
from evalkit.report.hcs._text import TXT, code_label, fill, time_point
from evalkit.report.hcs.prepare import HcsPrepared
from evalkit.report.model import Table
from evalkit.report.spec import Context
from evalkit.rules import load_rule

RULES = ("INC-1-age", "INC-1-legal-basis", "INC-1-substance", "INC-2-asi", "INC-3-attachment", "INC-4-goal",
         "INC-5-reflective", "EXC-1-psychiatric", "EXC-2-attention", "EXC-3-aggression", "EXC-4-intoxicated",
         "EXC-5-no-show")


def _row_key(rule: str) -> str:
    """``INC-1-age`` -> ``inc_1_age`` (the table's stable row key)."""
    return rule.lower().replace("-", "_")


def eligibility(ctx: Context) -> Table:
    """002-1.2: each inclusion/exclusion rule, pass / fail / unknown, over every referred participant."""
    p = prepared(ctx, HcsPrepared)
    e = p.eligibility
    n = len(e)

    table = Table(id="eligibility", source="002-1.2-eligibility", title=TXT("titles.eligibility"),
                  columns=[count_column("pass", TXT("eligibility.columns.pass")),
                           count_column("fail", TXT("eligibility.columns.fail")),
                           count_column("unknown", TXT("eligibility.columns.unknown")),
                           count_column("total", TXT("labels.total"), is_total=True),
                           share_column("fail_pct", TXT("eligibility.columns.fail_pct"), count_of="fail")],
                  additive=True, row_lines=(("pass", "fail", "unknown", "total"),))
    for rule in RULES:
        k = dict(zip(RULE_STATUSES, np.bincount(e[rule].cat.codes.to_numpy(), minlength=3).tolist(), strict=True))
        key = _row_key(rule)
        table.add_row(key, TXT(f"eligibility.rules.{rule}"), {
            "pass": count(k["pass"]),
            "fail": count(k["fail"], link="hcs_exc5_fail" if rule == "EXC-5-no-show" else None),
            "unknown": count(k["unknown"]), "total": count(n, link="hcs_n_referred"),
            "fail_pct": share(k["fail"], n)})
    # the ASI criterion not recorded for a s. 101a client (anonymous treatment: no ASI, chapter 3)
    allowed = list(load_rule("hcs_eligibility")["rules"]["INC-2-asi"]["missing_allowed_for_legal_basis"])
    unknown_asi = e["INC-2-asi"].cat.codes.to_numpy() == 2
    anonymous = int((unknown_asi & p.codes_in("lovgrundlag", allowed)).sum())
    table.add_row("inc_2_asi_unknown_anonymous", TXT("eligibility.unknown_anonymous"), {"unknown": count(anonymous)})
    elig = e["eligible_at_intake"]
    yes, no = int(elig.eq(True).sum()), int(elig.eq(False).sum())
    table.add_row("eligible_at_intake", TXT("eligibility.eligible"),
                  {"pass": count(yes), "fail": count(no), "unknown": count(n - yes - no),
                   "total": count(n, link="hcs_n_referred"), "fail_pct": share(no, n)})
    table.notes = [TXT("eligibility.notes.cohort"), TXT("eligibility.notes.age"),
                   fill(TXT("eligibility.notes.judgement"), k=p.k)]
    return table


def completion(ctx: Context) -> Table:
    """002-1.7: discharge status (udskrivningsstatus) of everybody who started a course."""
    p = prepared(ctx, HcsPrepared)
    status = p.status[p.cohort]
    n = len(status)
    table = Table(id="completion", source="002-1.7-completion", title=TXT("titles.completion"),
                  columns=[count_column("n", TXT("labels.number")),
                           share_column("pct", TXT("labels.percent"), count_of="n")], additive=True)
    codes = dataset("hcs").table("hcs_deltagere").column("udskrivningsstatus").codes
    per_code = np.bincount(status[status >= 0], minlength=len(codes))
    for i, code in enumerate(codes):
        table.add_row(code, code_label("hcs_deltagere", "udskrivningsstatus", code),
                      {"n": count(per_code[i]), "pct": share(int(per_code[i]), n)})
    missing = int((status < 0).sum())
    table.add_row("not_recorded", TXT("discharge.not_recorded"),
                  {"n": count(missing), "pct": share(missing, n)})
    table.add_row("total", TXT("labels.total"), {"n": count(n, link="hcs_n_cohort"), "pct": share(n, n)},
                  is_total=True)
    table.notes = [TXT("discharge.completion_note")]
    return table


def follow_up(ctx: Context) -> Table:
    """002-1.7: follow-ups due at 1 and 6 months after discharge and how many have an ASI registration."""
    p = prepared(ctx, HcsPrepared)
    c = p.constants["follow_up"]
    due = (p.cohort & p.codes_in("lovgrundlag", c["legal_basis"])
           & p.codes_in("udskrivningsstatus", c["discharge_statuses"]))
    table = Table(id="follow_up", source="002-1.7-follow-up", title=TXT("titles.follow_up"),
                  columns=[count_column("due", TXT("discharge.due")),
                           count_column("registered", TXT("discharge.registered")),
                           share_column("registered_pct", TXT("labels.percent"), count_of="registered")])
    n_due = int(due.sum())
    for tp in c["time_points"]:
        reg = int((due & p.asi.present[:, p.asi.time_points.index(tp)]).sum())
        table.add_row(tp, time_point(tp), {"due": count(n_due), "registered": count(reg),
                                           "registered_pct": share(reg, n_due)})
    table.notes = [TXT("discharge.follow_up_note")]
    return table
