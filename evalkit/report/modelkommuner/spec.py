"""The declaration of report ``modelkommuner``: its tables in the publication's order.

NIRAS's evaluation of "Modelkommuneprojekt Unge, alkohol og stoffer" (2011-2014) reports a survey of
44 institutions in 6 projects. The report reproduces every printed figure an institution-level export
determines (catalogue 003) and the tables the publication implies (flow, roster, project counts,
policy, action plans, involvement, substances, training, awareness, a friend's use, counselling offer
and location, counsellors, the teacher's first step) plus three crosstabs that test its claims.
"""

from __future__ import annotations

from evalkit.report.spec import ReportSpec, TableSpec

from . import claims, competence, counselling, organisation, policies, text
from .prepare import prepare

_TABLES = (
    ("flow", "003-5.3", organisation.flow_table),
    ("flow_rates", "003-5.3", organisation.flow_rates),
    ("roster", "003-04", organisation.roster),
    ("project_partitions", "003-5-8", organisation.project_partitions),
    ("policy_status", "003-F6.2", policies.policy_status),
    ("action_plan", "003-6.2", policies.action_plan),
    ("action_plan_followed", "003-6.7", policies.action_plan_followed),
    ("involvement", "003-6.4", policies.involvement),
    ("substances", "003-F6.3", policies.substances),
    ("training", "003-7.1", competence.training),
    ("awareness", "003-7.3", competence.awareness),
    ("handling_improved", "003-7.3", competence.handling_improved),
    ("friend_concern", "003-8.2", counselling.friend_concern),
    ("counselling_offer", "003-8.4", counselling.counselling_offer),
    ("counselling_location", "003-F8.4", counselling.counselling_location),
    ("counsellor_roles", "003-F8.5", counselling.counsellor_roles),
    ("teacher_procedure", "003-8.5", counselling.teacher_procedure),
    ("students_by_policy", "003-6.4", claims.students_by_policy),
    ("engagement_by_school_type", "003-5.5", claims.engagement_by_school_type),
    ("plan_by_training", "003-6.7", claims.plan_by_training),
)


def _title(build) -> object:
    doc = (build.__doc__ or "").strip().splitlines()[0]
    return text.T(doc, doc)


SPEC = ReportSpec(
    name="modelkommuner",
    dataset="modelkommuner",
    title=text.TITLE,
    tables=tuple(TableSpec(id=i, source=s, title=_title(b), build=b, description=(b.__doc__ or "").strip().splitlines()[0])
                 for i, s, b in _TABLES),
    prepare=prepare,
    description="Seed 003: NIRAS's evaluation of the model municipality project Youth, alcohol and drugs "
                "(44 institutions in 6 projects).",
)
