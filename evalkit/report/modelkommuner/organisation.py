"""Chapters 04-05 of the publication: the institution flow, the project roster and the project counts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from evalkit.compare.survey import partition, share
from evalkit.report._build import TOTAL, count, count_column, number
from evalkit.report._build.survey import share_table
from evalkit.report.model import Cell, Column, T, Table, Text
from evalkit.report.spec import Context

from .prepare import survey
from .text import TXT, label, level_labels

__all__ = ["flow_rates", "flow_table", "project_partitions", "roster"]

FLOW_COLS = ("stayed", "withdrew", "total", "responded", "not_responded")


def flow_table(ctx: Context) -> Table:
    """Institutions by origin (from the start / joined) and outcome (stayed / withdrew; answered or not)."""
    s = survey(ctx)
    f = s.flags
    origin = {"from_start": f["in_project_start"], "joined": f["joined_late"] & ~f["in_project_start"]}
    table = Table("flow", "003-5.3", TXT("titles.flow"),
                  [count_column(k, TXT(f"labels.flow_cols.{k}"), is_total=(k == "total")) for k in FLOW_COLS],
                  additive=True, row_lines=(("stayed", "withdrew", "total"), ("responded", "not_responded", "stayed")))
    sums = np.zeros(len(FLOW_COLS), dtype=np.int64)
    for key, mask in origin.items():
        row = np.array([(mask & f["in_project_end"]).sum(), (mask & f["withdrew"]).sum(), mask.sum(),
                        (mask & f["responded"]).sum(), (mask & f["in_project_end"] & ~f["responded"]).sum()])
        sums += row
        cells = {k: count(int(v)) for k, v in zip(FLOW_COLS, row, strict=True)}
        table.add_row(key, TXT(f"labels.flow_rows.{key}"), cells)
    table.add_row("total", TOTAL, {k: count(int(v)) for k, v in zip(FLOW_COLS, sums, strict=True)}, is_total=True)
    arithmetic = TXT("notes.flow_ok") if s.flow.ok else TXT(
        "notes.flow_failed", checks=", ".join(c.name for c in s.flow.checks if not c.ok))
    table.notes += [arithmetic, TXT("notes.flow_silent")]
    return table


def flow_rates(ctx: Context) -> Table:
    """Withdrawal (of the institutions at the start) and response (of those at the end), with CIs."""
    c = survey(ctx).flow.counts
    rows = [("withdrawal", TXT("labels.rates.withdrawal"), share(c["withdrew"], c["start"])),
            ("response", TXT("labels.rates.response"), share(c["responded"], c["end"]))]
    return share_table("flow_rates", "003-5.3", TXT("titles.flow_rates"), rows,
                       [TXT("notes.flow_rates")])


ROSTER_COUNTS = ("profile_n", "start", "withdrew", "joined", "end", "responded", "not_responded")
ROSTER_TEXT = ("kommuner", "forvaltning", "politik", "samarbejde", "raadgivningsmodel")


def _present(value: object) -> bool:
    return value is not None and not pd.isna(value)


def roster(ctx: Context) -> Table:
    """One row per project: its profile count, the institution flow from the rows, and its attributes."""
    s = survey(ctx)
    f, lang = s.flags, ctx.options.lang
    cols = [count_column(k, TXT(f"labels.roster.{k}")) for k in ROSTER_COUNTS]
    cols += [Column(c, label("mk_projekter", c)) for c in ROSTER_TEXT]
    table = Table("roster", "003-04", TXT("titles.roster"), cols, additive=True,
                  row_lines=(("start", "joined", "end", "withdrew"), ("responded", "not_responded", "end")))
    project = s.institutions["project"].astype("object").to_numpy()
    sums = dict.fromkeys(ROSTER_COUNTS, 0)
    levels = {c: level_labels("mk_projekter", c) for c in ("forvaltning", "politik", "samarbejde")}
    names = level_labels("mk_projekter", "project")
    missing = []
    for rec in s.projects.to_dict("records"):
        p = rec["project"]
        m = project == p
        counts = {"start": m & f["in_project_start"], "withdrew": m & f["withdrew"], "joined": m & f["joined_late"],
                  "end": m & f["in_project_end"], "responded": m & f["responded"],
                  "not_responded": m & f["in_project_end"] & ~f["responded"]}
        cells: dict[str, Cell] = {k: count(int(v.sum())) for k, v in counts.items()}
        if _present(rec.get("antal_institutioner")):
            cells["profile_n"] = count(int(rec["antal_institutioner"]))
        else:
            cells["profile_n"] = Cell(None, "count")
            missing.append(names[p])
        for k in ROSTER_COUNTS:
            sums[k] += int(cells[k].value or 0)
        for c in ROSTER_TEXT:
            v = rec.get(c)
            shown = (levels[c][v](lang) if c in levels else str(v)) if _present(v) else None
            cells[c] = Cell(shown, "text")
        table.add_row(p, names[p], cells)
    table.add_row("total", TOTAL, {k: count(v) for k, v in sums.items()}, is_total=True)
    table.notes += [TXT("notes.roster_missing", names="; ".join(n(lang) for n in missing) or "-")]
    return table


PARTITIONS = (  # (project column, levels; (True,) = a yes/no column), in the publication's order
    ("udfoerende_enhed", (True,)), ("forvaltning", ("social", "sundhed")),
    ("brobygning_folkeskole", ("ja", "ikke_endnu")), ("foraeldre", (True,)), ("samarbejde", ("samtlige", "udvalgte")),
    ("styregruppe_ledere", (True,)), ("noeglepersoner", ("alle", "nogle", "ingen")),
    ("politik", ("faelles", "individuel_tvunget", "individuel_valgt")), ("kurser_noeglepersoner", (True,)),
    ("kurser_alle_undervisere", (True,)), ("fortsaetter_opkvalificering", (True,)), ("kortfilm", (True,)),
    ("opsporing", ("skolen", "ogsaa_kommunen")),
)
SECTIONS = {"udfoerende_enhed": "5.1", "forvaltning": "5.1", "brobygning_folkeskole": "5.1", "foraeldre": "5.1",
            "samarbejde": "5.3", "styregruppe_ledere": "5.3", "noeglepersoner": "5.5", "politik": "6.4",
            "kurser_noeglepersoner": "7.1", "kurser_alle_undervisere": "7.1", "fortsaetter_opkvalificering": "7.1",
            "kortfilm": "8.1", "opsporing": "8.3"}


def _attribute(column: Text, level: Text) -> Text:
    return T(f"{column.da}: {level.da}", f"{column.en}: {level.en}")


def project_partitions(ctx: Context) -> Table:
    """Projects by attribute (of 6), with the projects named and every partition's sum checked.

    Counts of projects are numbers, not counts of persons or institutions: the six projects are named
    in the publication, so disclosure control leaves them alone (said in the report's notes).
    """
    s, lang = survey(ctx), ctx.options.lang
    proj = s.projects
    n_proj = len(proj)
    names = level_labels("mk_projekter", "project")
    codes = proj["project"].astype("object").to_numpy()
    table = Table("project_partitions", "003-5-8", TXT("titles.project_partitions"),
                  [Column("projects", TXT("labels.projects")), Column("of", TXT("labels.of")),
                   Column("names", TXT("labels.names"))])
    sums: dict[str, list[str]] = {"da": [], "en": []}
    for column, levels in PARTITIONS:
        values = proj[column].astype("object").to_numpy()
        labels: dict[Any, Text] = ({True: TXT("labels.yes")} if levels == (True,)
                                   else dict(level_labels("mk_projekter", column)))
        col_label = label("mk_projekter", column)
        counts = {}
        for lv in levels:
            hit = np.array([_present(v) and v == lv for v in values], dtype=bool)
            counts[lv] = int(hit.sum())
            key = f"{column}_ja" if lv is True else f"{column}_{lv}"
            table.add_row(key, _attribute(col_label, labels[lv]), {
                "projects": number(counts[lv], decimals=0), "of": number(n_proj, decimals=0),
                "names": Cell(", ".join(names[p](lang) for p in codes[hit]), "text")})
        if levels == (True,):
            continue
        part = partition({str(k): v for k, v in counts.items()}, n_proj)
        if not part.complete:
            table.add_row(f"{column}_ikke_oplyst", _attribute(col_label, TXT("labels.not_stated")),
                          {"projects": number(n_proj - part.sum, decimals=0), "of": number(n_proj, decimals=0),
                           "names": Cell("", "text")})
        for lg in ("da", "en"):
            where = {"da": "afsnit", "en": "section"}[lg] + " " + SECTIONS[column]
            line = TXT("notes.partition_sum", label=col_label(lg), where=where,
                       terms=" + ".join(str(v) for v in counts.values()), sum=part.sum, total=n_proj)(lg)
            if not part.complete:
                line += TXT("notes.partition_unstated", n=n_proj - part.sum)(lg)
            sums[lg].append(line)
    table.notes += [T(TXT("notes.partition_sums").da.format(sums="; ".join(sums["da"])),
                      TXT("notes.partition_sums").en.format(sums="; ".join(sums["en"])))]
    return table
