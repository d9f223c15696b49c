"""The report specification: one id, source and title per table."""

from __future__ import annotations

from evalkit.report._build.subset import Population
from evalkit.report.model import T
from evalkit.report.spec import ReportSpec, TableSpec
from evalkit.report.ung_rusmidler.ch_forloeb import (
    _alder_koen,
    _forloeb_kommune,
    _forloeb_type,
)
from evalkit.report.ung_rusmidler.ch_tekst import _gengangere, _gruppeforloeb, _opioider_kommune, _ungmap_daekning
from evalkit.report.ung_rusmidler.ch_tem import _trajectory_specs
from evalkit.report.ung_rusmidler.ch_tem_counts import _counts_specs
from evalkit.report.ung_rusmidler.ch_tem_model import _model_spec
from evalkit.report.ung_rusmidler.ch_udskrivning import (
    _udskrivning,
    _udskrivning_risikoprofil,
    _ydelser,
)
from evalkit.report.ung_rusmidler.ch_ungmap import (
    _aldersfordeling,
    _andre_vanskeligheder,
    _risikoprofil,
    _stofbelastning,
    _stofbelastning_sammenligning,
    _stofbrug,
    _ungeprofil,
)
from evalkit.report.ung_rusmidler.prepare import prepare
from evalkit.report.ung_rusmidler.settings import OPTIONS
from evalkit.report.ung_rusmidler.tem_measures import MEASURES
from evalkit.report.ung_rusmidler.text import TXT
from evalkit.report.ung_rusmidler.variables import VARIABLES

SPEC = ReportSpec(
    name="ung-rusmidler",
    dataset="ung-rusmidler",
    title=TXT("report.ung_rusmidler_evaluation_tables_logbog"),
    prepare=prepare,
    options=OPTIONS,
    # --where/--by select Logbog episodes; their UngMap and TEM forms follow them.
    population=Population("logbog_episodes", T("forløb", "episodes"), intake_date="start_date"),
    variables=VARIABLES,
    key_figures=(("stofbelastning", "stofscore_12plus", "pct"), ("udskrivning", "faerdigbehandlet_pct", "behandling"),
                 ("ungeprofil", "lav", "pct")),
    tables=(
        TableSpec("forloeb_type", "004-F6.3", TXT("tables.forloeb_type.title"),
                  _forloeb_type),
        TableSpec("forloeb_kommune", "004-F6.3", TXT("tables.forloeb_kommune.title"),
                  _forloeb_kommune),
        TableSpec("gengangere", "004-Q", TXT("tables.gengangere.title"), _gengangere),
        TableSpec("alder_koen", "004-F6.4", TXT("tables.alder_koen.title"), _alder_koen),
        TableSpec("aldersfordeling", "004-F6.6", TXT("tables.aldersfordeling.title"), _aldersfordeling),
        TableSpec("ungmap_daekning", "004-Q", TXT("tables.ungmap_daekning.title"), _ungmap_daekning),
        TableSpec("ungeprofil", "004-F6.11", TXT("tables.ungeprofil.title"), _ungeprofil),
        TableSpec("stofbrug", "004-F6.14", TXT("tables.stofbrug.title"), _stofbrug),
        TableSpec("opioider_kommune", "004-Q", TXT("tables.opioider_kommune.title"), _opioider_kommune),
        TableSpec("stofbelastning", "004-F6.15", TXT("tables.stofbelastning.title"), _stofbelastning),
        TableSpec("stofbelastning_sammenligning", "004-F6.16a", TXT("tables.stofbelastning_sammenligning.title"),
                  _stofbelastning_sammenligning),
        TableSpec("andre_vanskeligheder", "004-F6.17", TXT("tables.andre_vanskeligheder.title"),
                  _andre_vanskeligheder),
        TableSpec("risikoprofil", "004-F6.18", TXT("tables.risikoprofil.title"), _risikoprofil),
        TableSpec("udskrivning", "004-F6.19", TXT("tables.udskrivning.title"), _udskrivning),
        TableSpec("udskrivning_risikoprofil", "004-F6.21", TXT("tables.udskrivning_risikoprofil.title"),
                  _udskrivning_risikoprofil),
        TableSpec("ydelser", "004-F6.22", TXT("tables.ydelser.title"), _ydelser),
        TableSpec("gruppeforloeb", "004-Q", TXT("tables.gruppeforloeb.title"), _gruppeforloeb),
        *_counts_specs(),
        *_trajectory_specs(),
        *(_model_spec(m) for m in MEASURES),   # optional (ReportOptions.extra["sensitivity"])
    ),
    description="Seed 004 chapter 6: Logbog episodes, UngMap intake and TEM trajectories (LOCF with completers).",
)
