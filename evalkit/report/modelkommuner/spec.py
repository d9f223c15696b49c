"""The ReportSpec of report ``modelkommuner``: one id, source and title per table (titles in ``text.yaml``).

NIRAS's evaluation of "Modelkommuneprojekt Unge, alkohol og stoffer" (2011-2014) reports a survey of
44 institutions in 6 projects. The report reproduces every printed figure an institution-level export
determines (catalogue 003) and the tables the publication implies, plus three crosstabs that test its
claims. It reads no settings.
"""

from __future__ import annotations

from collections.abc import Callable

from evalkit.report._build.subset import Population
from evalkit.report.model import T, Table
from evalkit.report.spec import Context, ReportSpec, TableSpec

from . import claims, competence, counselling, organisation, policies
from .prepare import prepare, report_notes
from .text import TXT
from .variables import VARIABLES

__all__ = ["SPEC", "TABLES"]

#: (table id, source figure id, builder), in the order of the publication's chapters.
TABLES: tuple[tuple[str, str, Callable[[Context], Table]], ...] = (
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

SPEC = ReportSpec(
    name="modelkommuner",
    dataset="modelkommuner",
    title=TXT("report.title"),
    prepare=prepare,
    tables=tuple(TableSpec(tid, src, TXT(f"titles.{tid}"), fn, (fn.__doc__ or "").strip().splitlines()[0])
                 for tid, src, fn in TABLES),
    description="NIRAS's evaluation of the model municipality project Youth, alcohol and drugs: institution flow, "
                "projects, policies, action plans, training, awareness, counselling, and three crosstabs testing "
                "the publication's claims.",
    options=(),
    notes=report_notes(),
    # --where / --by filter institutions; the project rows follow the kept institutions' projects.
    population=Population("mk_institutioner", T("institutioner", "institutions"),
                          shared_column={"mk_projekter": "project"}),
    variables=VARIABLES,
    key_figures=(("flow", "total", "responded"), ("involvement", "involved_elever", "pct"),
                 ("training", "training_opspore", "top_two_pct"), ("counselling_offer", "counselling_specific", "pct")),
)
