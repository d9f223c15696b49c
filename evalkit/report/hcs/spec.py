"""The ReportSpec of report ``hcs``: one id, source and title per table (titles in ``text.yaml``)."""

from __future__ import annotations

from collections.abc import Callable

from evalkit.report._build import Option
from evalkit.report._build.subset import Population
from evalkit.report.hcs import course, dose_response, results, visitation
from evalkit.report.hcs._text import TXT
from evalkit.report.hcs.prepare import load_constants, prepare
from evalkit.report.model import T, Table
from evalkit.report.spec import Context, ReportSpec, TableSpec

#: (table id, source figure id, builder), in the order of the model description's chapters.
TABLES: tuple[tuple[str, str, Callable[[Context], Table]], ...] = (
    ("eligibility", "002-1.2-eligibility", visitation.eligibility),
    ("attendance_sessions", "002-1.6-attendance", course.attendance_sessions),
    ("attendance_participants", "002-1.6-attendance", course.attendance_participants),
    ("attendance_summary", "002-1.6-attendance", course.attendance_summary),
    ("no_show_rule", "002-1.6-exc5", course.no_show_rule),
    ("completion", "002-1.7-completion", visitation.completion),
    ("follow_up", "002-1.7-follow-up", visitation.follow_up),
    ("asi_means", "002-1.10-asi", results.asi_means),
    ("asi_n", "002-1.10-asi", results.asi_n),
    ("asi_by_aftercare", "002-1.10-aftercare", results.asi_by_aftercare),
    ("dose_response", "002-1.10-dose-response", dose_response.dose_response),
    ("dose_response_bands", "002-1.10-dose-response", dose_response.dose_response_bands),
)

_NO_SHOW = load_constants()["no_show"]

#: The ``--set`` settings this report reads (defaults from its constants file).
OPTIONS = (
    Option("no_show_k", int, int(_NO_SHOW["k"]), "K: counted absences at which a participant is excluded "
           "(the model says 'gentagne gange' without a number)", minimum=1, label=TXT("settings.no_show_k")),
    Option("no_show_consecutive", bool, bool(_NO_SHOW["consecutive"]),
           "Count only absences in a row (the longest run) instead of all absences",
           label=TXT("settings.no_show_consecutive")),
)

SPEC = ReportSpec(
    name="hcs",
    dataset="hcs",
    title=TXT("report.title"),
    prepare=prepare,
    tables=tuple(TableSpec(tid, src, TXT(f"titles.{tid}"), fn, (fn.__doc__ or "").strip().splitlines()[0])
                 for tid, src, fn in TABLES),
    description="Socialstyrelsen, the HCS model description: eligibility, attendance, completion, follow-up, "
                "ASI stof/psykisk with paired tests, aftercare groups and dose-response. No printed figures, "
                "so no catalogue.",
    options=OPTIONS,
    # --where/--by select participants; ASI and attendance follow them, sessions follow their groups.
    population=Population("hcs_deltagere", T("deltagere", "participants"), intake_date="forsamtale_dato",
                          shared_column={"hcs_sessioner": "gruppe_id"}),
    key_figures=(("no_show_rule", "below_k", "pct"), ("completion", "faerdigbehandlet", "pct"),
                 ("follow_up", "opfoelgning_1", "registered_pct")),
)
