"""The report specification: one id, source and title per table."""

from __future__ import annotations

from evalkit.report.model import T
from evalkit.report.spec import ReportSpec, TableSpec
from evalkit.report.ung_rusmidler.ch_forloeb import (
    _alder_koen,
    _forloeb_kommune,
    _forloeb_type,
)
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
from evalkit.report.ung_rusmidler.tem_measures import MEASURES

SPEC = ReportSpec(
    name="ung-rusmidler",
    dataset="ung-rusmidler",
    title=T("UNG Rusmidler: evalueringstabeller (Logbog, UngMap og TEM)",
            "UNG Rusmidler: evaluation tables (Logbog, UngMap and TEM)"),
    prepare=prepare,
    tables=(
        TableSpec("forloeb_type", "004-F6.3", T("Antal forløb efter type og forløb", "Episodes by type and cohort"),
                  _forloeb_type),
        TableSpec("forloeb_kommune", "004-F6.3",
                  T("Antal forløb efter kommune og type", "Episodes by municipality and type"),
                  _forloeb_kommune),
        TableSpec("alder_koen", "004-F6.4", T("Aldersgennemsnit og kønsfordeling", "Mean age and sex"), _alder_koen),
        TableSpec("aldersfordeling", "004-F6.6", T("Aldersfordeling ved UngMap", "Age at UngMap"), _aldersfordeling),
        TableSpec("ungeprofil", "004-F6.11", T("Ungeprofiler", "Ungeprofil"), _ungeprofil),
        TableSpec("stofbrug", "004-F6.14", T("Stofbrug de seneste 30 dage", "Drug use in the last 30 days"), _stofbrug),
        TableSpec("stofbelastning", "004-F6.15", T("Stofbelastning", "Drug load"), _stofbelastning),
        TableSpec("stofbelastning_sammenligning", "004-F6.16a", T("Stofbelastning sammenlignet", "Drug load compared"),
                  _stofbelastning_sammenligning),
        TableSpec("andre_vanskeligheder", "004-F6.17", T("Andre vanskeligheder", "Other difficulties"),
                  _andre_vanskeligheder),
        TableSpec("risikoprofil", "004-F6.18", T("Risikoprofiler", "Risk profiles"), _risikoprofil),
        TableSpec("udskrivning", "004-F6.19", T("Udskrivninger", "Discharges"), _udskrivning),
        TableSpec("udskrivning_risikoprofil", "004-F6.21",
                  T("Udskrivning set ift. risikoprofil", "Discharge by risk profile"),
                  _udskrivning_risikoprofil),
        TableSpec("ydelser", "004-F6.22", T("Ydelser", "Services"), _ydelser),
        *_counts_specs(),
        *_trajectory_specs(),
        *(_model_spec(m) for m in MEASURES),   # optional (ReportOptions.extra["sensitivity"])
    ),
    description="Seed 004 chapter 6: Logbog episodes, UngMap intake and TEM trajectories (LOCF with completers).",
)
