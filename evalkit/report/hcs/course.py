"""Chapter 2 of the model description (the course): attendance by session and participant, no-shows.

Tables 002-1.6: mødt op / meldt afbud / ikke meldt afbud by session 1-16, persons by sessions attended
in bands, sessions per person, and the exclusion after repeated no-shows with the configured K.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evalkit.profiles.attendance import ATTENDANCE_STATUSES as STATUSES
from evalkit.report._build import (
    count,
    count_column,
    mean_cell,
    mean_column,
    prepared,
    share,
    share_column,
)
from evalkit.report.hcs._text import TXT, fill, joined
from evalkit.report.hcs.prepare import HcsPrepared
from evalkit.report.model import Column, Table, Text
from evalkit.report.spec import Context


def _status_columns(statuses: Sequence[str]) -> list[Column]:
    return [count_column(s, TXT(f"statuses.{s}")) for s in statuses]


def attendance_sessions(ctx: Context) -> Table:
    """002-1.6: registrations by session number 1-16 and status, with the share attended."""
    per = prepared(ctx, HcsPrepared).attendance.per_session
    table = Table(id="attendance_sessions", source="002-1.6-attendance", title=TXT("titles.attendance_sessions"),
                  columns=[*_status_columns(STATUSES), count_column("total", TXT("labels.total"), is_total=True),
                           share_column("moedt_pct", TXT("attendance.moedt_pct"), count_of="moedt")],
                  additive=True, row_lines=((*STATUSES, "total"),))
    rows = [(f"session_{i + 1:02d}", fill(TXT("labels.session_k"), k=i + 1), per[i], False) for i in range(len(per))]
    for key, label, row, is_total in [*rows, ("total", TXT("labels.total"), per.sum(axis=0), True)]:
        cells = {s: count(row[j]) for j, s in enumerate(STATUSES)}
        cells.update(total=count(row.sum()), moedt_pct=share(row[0], row.sum()))
        table.add_row(key, label, cells, is_total=is_total)
    return table


def bands(spec: Sequence[Mapping[str, Any]], lo: int, hi: int) -> list[tuple[str, int, int]]:
    """``(key, min, max)`` of each band; the bands must cover lo..hi exactly once, in order.

    Examples
    --------
    >>> bands([{"key": "a", "min": 0, "max": 3}, {"key": "b", "min": 4, "max": 16}], 0, 16)
    [('a', 0, 3), ('b', 4, 16)]
    """
    out = [(str(b["key"]), int(b["min"]), int(b["max"])) for b in spec]
    edges = [lo] + [b[2] + 1 for b in out[:-1]]
    if [b[1] for b in out] != edges or out[-1][2] != hi or any(b[1] > b[2] for b in out):
        raise ValueError(f"report constants: bands {[b[1:] for b in out]} must cover {lo}..{hi} "
                         "without gaps or overlaps")
    return out


def band_label(lo: int, hi: int) -> Any:
    return fill(TXT("labels.sessions_one"), lo=lo) if lo == hi else fill(TXT("labels.sessions_band"), lo=lo, hi=hi)


def attendance_participants(ctx: Context) -> Table:
    """002-1.6: persons by the number of sessions they attended and cancelled, in bands of 0-16."""
    p = prepared(ctx, HcsPrepared)
    per = p.attendance.per_person[p.cohort]
    shown = ("moedt", "meldt_afbud")
    table = Table(id="attendance_participants", source="002-1.6-attendance",
                  title=TXT("titles.attendance_participants"), columns=_status_columns(shown),
                  additive=True, row_lines=())
    for key, lo, hi in bands(p.constants["course"]["distribution_bands"], 0, len(p.attendance.per_session)):
        within = (per >= lo) & (per <= hi)
        table.add_row(key, band_label(lo, hi), {s: count(within[:, STATUSES.index(s)].sum()) for s in shown})
    table.add_row("total", TXT("labels.total"), {s: count(len(per), link="hcs_n_cohort") for s in shown},
                  is_total=True)
    table.notes = [TXT("attendance.bands_note")]
    return table


def attendance_summary(ctx: Context) -> Table:
    """002-1.6: mean and median number of sessions per participant, by status."""
    p = prepared(ctx, HcsPrepared)
    per = p.attendance.per_person[p.cohort].astype("float64")
    table = Table(id="attendance_summary", source="002-1.6-attendance", title=TXT("titles.attendance_summary"),
                  columns=[count_column("n", TXT("labels.number")),
                           mean_column("mean", TXT("labels.mean"), count_of="n"),
                           mean_column("median", TXT("labels.median"), count_of="n")])
    rows = {"registered": (TXT("attendance.registered"), per.sum(axis=1))}
    rows.update({s: (TXT(f"statuses.{s}"), per[:, j]) for j, s in enumerate(STATUSES)})
    for key, (label, values) in rows.items():
        table.add_row(key, label, {"n": count(len(values), link="hcs_n_cohort"),
                                   "mean": mean_cell(values, decimals=1),
                                   "median": mean_cell(values, decimals=1, kind="median")})
    return table


def no_show_rule(ctx: Context) -> Table:
    """002-1.6: participants below and at or above K counted absences (exclusion after repeated no-shows)."""
    p = prepared(ctx, HcsPrepared)
    k = p.k
    excluded = p.eligibility["excluded_no_show"][p.cohort]          # nullable boolean: <NA> = not known
    fail, passed = int(excluded.eq(True).sum()), int(excluded.eq(False).sum())
    n = fail + passed
    table = Table(id="no_show_rule", source="002-1.6-exc5", title=TXT("titles.no_show_rule"),
                  columns=[count_column("n", TXT("labels.number")),
                           share_column("pct", TXT("labels.percent"), count_of="n")], additive=True)
    table.add_row("below_k", fill(TXT("attendance.below_k"), k=k),
                  {"n": count(passed), "pct": share(passed, n)})
    table.add_row("at_or_above_k", fill(TXT("attendance.at_or_above_k"), k=k),
                  {"n": count(fail, link="hcs_exc5_fail"), "pct": share(fail, n)})
    table.add_row("total", TXT("labels.total"),
                  {"n": count(n, link="hcs_n_cohort" if p.attendance_registered else None),
                   "pct": share(n, n)}, is_total=True)
    names = [TXT(f"statuses.{s}") for s in p.constants["no_show"]["count_statuses"]]
    counted = joined([Text(x.da.lower(), x.en.lower()) for x in names], " / ")
    run = TXT("attendance.in_a_row") if p.consecutive else TXT("attendance.in_total")
    table.notes = [fill(TXT("attendance.rule_note"), k=k, run=run, planned=len(p.attendance.per_session),
                        counted=counted)]
    return table


