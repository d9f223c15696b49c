"""Chapters 04-05 of the publication: the institution flow, the project roster and the project counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.compare.survey import partition, share
from evalkit.report._build.survey import TOTAL, N, share_table
from evalkit.report.model import Cell, Column, T, Table
from evalkit.report.spec import Context

from . import text

FLOW_ROWS = {"from_start": T("Med fra projektstart", "In from the start"),
             "joined": T("Trådt ind undervejs", "Joined later"), "total": TOTAL}
FLOW_COLS = {"stayed": T("Med ved afslutning", "In at the end"), "withdrew": T("Trukket sig", "Withdrew"),
             "total": T("I alt", "Total"), "responded": T("Besvaret spørgeskema", "Answered the survey"),
             "not_responded": T("Ikke besvaret", "Did not answer")}


def flow_table(ctx: Context) -> Table:
    """Institutions by origin (from the start / joined) and outcome (stayed / withdrew; answered or not)."""
    f, fl = ctx.data["flags"], ctx.data["flow"]
    origin = {"from_start": f["in_project_start"], "joined": f["joined_late"] & ~f["in_project_start"]}
    table = Table("flow", "003-5.3", T("Uddannelsesinstitutioner i projektet: start, ændringer og afslutning",
                                       "Education institutions in the project: start, changes and end"),
                  [Column(k, v, is_total=(k == "total")) for k, v in FLOW_COLS.items()], additive=True,
                  row_lines=(("stayed", "withdrew", "total"), ("responded", "not_responded", "stayed")))
    sums = np.zeros(5, dtype=np.int64)
    for key, mask in origin.items():
        row = np.array([(mask & f["in_project_end"]).sum(), (mask & f["withdrew"]).sum(), mask.sum(),
                        (mask & f["responded"]).sum(), (mask & f["in_project_end"] & ~f["responded"]).sum()])
        sums += row
        table.add_row(key, FLOW_ROWS[key], {k: Cell(int(v), "count") for k, v in zip(FLOW_COLS, row)})
    table.add_row("total", TOTAL, {k: Cell(int(v), "count") for k, v in zip(FLOW_COLS, sums)}, is_total=True)
    failed = ", ".join(x.name for x in fl.checks if not x.ok)
    table.notes += [text.cite("afsnit 5.3 og kapitel 6, fodnote 4", "section 5.3 and chapter 6, footnote 4"),
                    T("Regnestykket start - udtrådt + tiltrådt = slut " + ("stemmer for totalerne og for hver institution."
                                                                             if fl.ok else "stemmer ikke: " + failed + "."),
                      "The arithmetic start - withdrawn + joined = end " + ("holds for the totals and for every institution."
                                                                             if fl.ok else "does not hold: " + failed + ".")),
                    T("Publikationen angiver ikke, hvilken institution der ikke besvarede spørgeskemaet.",
                      "The publication does not say which institution did not answer the survey.")]
    return table


def flow_rates(ctx: Context) -> Table:
    """Withdrawal (of the institutions at the start) and response (of those at the end), with CIs."""
    c = ctx.data["flow"].counts
    rows = [("withdrawal", T("Trukket sig, af dem ved start", "Withdrew, of those at the start"),
             share(c["withdrew"], c["start"])),
            ("response", T("Besvaret spørgeskemaet, af dem ved afslutning", "Answered the survey, of those at the end"),
             share(c["responded"], c["end"]))]
    return share_table("flow_rates", "003-5.3", T("Frafald og svarprocent", "Withdrawal and response rate"), rows,
                       [text.cite("afsnit 5.3", "section 5.3"),
                        T("Publikationen trykker ikke disse andele; svarprocenten forudsætter, at de 45 institutioner "
                          "ved afslutningen er populationen.",
                          "The publication prints neither share; the response rate assumes that the 45 institutions "
                          "at the end are the population.")])


ROSTER_COUNTS = {"profile_n": T("Antal i profilen", "Number in the profile"), "start": T("Ved start", "At the start"),
                 "withdrew": T("Trukket sig", "Withdrew"), "joined": T("Trådt ind", "Joined"),
                 "end": T("Ved afslutning", "At the end"), "responded": T("Besvaret", "Answered"),
                 "not_responded": T("Ikke besvaret", "Did not answer")}
ROSTER_TEXT = ("kommuner", "forvaltning", "politik", "samarbejde", "raadgivningsmodel")


def roster(ctx: Context) -> Table:
    """One row per project: its profile count, the institution flow from the rows, and its attributes."""
    inst, proj, f = ctx.data["institutions"], ctx.data["projects"], ctx.data["flags"]
    cols = [Column(k, v) for k, v in ROSTER_COUNTS.items()]
    cols += [Column(c, text.label("mk_projekter", c)) for c in ROSTER_TEXT]
    table = Table("roster", "003-04", T("De seks modelprojekter", "The six model projects"), cols, additive=True,
                  row_lines=(("start", "joined", "end", "withdrew"), ("responded", "not_responded", "end")))
    project = inst["project"].astype("object").to_numpy()
    sums = dict.fromkeys(ROSTER_COUNTS, 0)
    missing_profile = []
    level = {c: text.level_labels("mk_projekter", c) for c in ("forvaltning", "politik", "samarbejde")}
    names = text.level_labels("mk_projekter", "project")
    for rec in proj.to_dict("records"):
        p = rec["project"]
        m = project == p
        counts = {"start": (m & f["in_project_start"]).sum(), "withdrew": (m & f["withdrew"]).sum(),
                  "joined": (m & f["joined_late"]).sum(), "end": (m & f["in_project_end"]).sum(),
                  "responded": (m & f["responded"]).sum(), "not_responded": (m & f["in_project_end"] & ~f["responded"]).sum()}
        profile = rec.get("antal_institutioner")
        if profile is None or pd.isna(profile):
            missing_profile.append(names[p])
            cells = {"profile_n": Cell(None, "count")}
        else:
            cells = {"profile_n": Cell(int(profile), "count")}
            sums["profile_n"] += int(profile)
        for k, v in counts.items():
            cells[k] = Cell(int(v), "count")
            sums[k] += int(v)
        for c in ROSTER_TEXT:
            v = rec.get(c)
            v = None if v is None or pd.isna(v) else (level[c][v] if c in level else T(str(v)))
            cells[c] = Cell(None if v is None else v(ctx.options.lang), "text")
        table.add_row(p, names[p], cells)
    table.add_row("total", TOTAL, {k: Cell(int(v), "count") for k, v in sums.items()}, is_total=True)
    miss_da = ", ".join(t.da for t in missing_profile) or "ingen"
    miss_en = ", ".join(t.en for t in missing_profile) or "none"
    table.notes += [text.cite("kapitel 04 (projektprofilerne) og afsnit 5.3", "chapter 04 (project profiles) and section 5.3"),
                    T(f"Profilerne trykker intet antal for: {miss_da}; summen af profilernes antal er derfor ikke "
                      "antallet ved afslutningen, og profilerne siger ikke, hvilket tidspunkt de tæller.",
                      f"The profiles print no number for: {miss_en}; the sum of the profiles' numbers is therefore not "
                      "the number at the end, and the profiles do not say which time point they count.")]
    return table


PARTITIONS = (  # (column, levels in order, section da, section en)
    ("udfoerende_enhed", (True,), "afsnit 5.1", "section 5.1"),
    ("forvaltning", ("social", "sundhed"), "afsnit 5.1", "section 5.1"),
    ("brobygning_folkeskole", ("ja", "ikke_endnu"), "afsnit 5.1", "section 5.1"),
    ("foraeldre", (True,), "afsnit 5.1", "section 5.1"),
    ("samarbejde", ("samtlige", "udvalgte"), "afsnit 5.3", "section 5.3"),
    ("styregruppe_ledere", (True,), "afsnit 5.3", "section 5.3"),
    ("noeglepersoner", ("alle", "nogle", "ingen"), "afsnit 5.5", "section 5.5"),
    ("politik", ("faelles", "individuel_tvunget", "individuel_valgt"), "afsnit 6.4", "section 6.4"),
    ("kurser_noeglepersoner", (True,), "afsnit 7.1", "section 7.1"),
    ("kurser_alle_undervisere", (True,), "afsnit 7.1", "section 7.1"),
    ("fortsaetter_opkvalificering", (True,), "afsnit 7.1", "section 7.1"),
    ("kortfilm", (True,), "afsnit 8.1", "section 8.1"),
    ("opsporing", ("skolen", "ogsaa_kommunen"), "afsnit 8.3", "section 8.3"),
)


def _key(column: str, level: object) -> str:
    return f"{column}_ja" if level is True else f"{column}_{level}"


def project_partitions(ctx: Context) -> Table:
    """Projects by attribute (of 6), with the projects named and every partition's sum checked."""
    proj = ctx.data["projects"]
    n_proj = len(proj)
    names = text.level_labels("mk_projekter", "project")
    lang = ctx.options.lang
    table = Table("project_partitions", "003-5-8", T("Modelprojekterne fordelt på kendetegn",
                                                     "The model projects by attribute"),
                  [Column("projects", text.PROJECTS_COL), Column("of", text.OF_COL), Column("names", text.NAMES_COL)])
    sums_da, sums_en = [], []
    codes = proj["project"].astype("object").to_numpy()
    for column, levels, where_da, where_en in PARTITIONS:
        values = proj[column].astype("object").to_numpy()
        labels = {True: text.YES} if levels == (True,) else text.level_labels("mk_projekter", column)
        col_label = text.label("mk_projekter", column)
        counts = {}
        for lv in levels:
            hit = np.array([not pd.isna(v) and v == lv for v in values], dtype=bool)
            counts[lv] = int(hit.sum())
            row_label = T(f"{col_label.da}: {labels[lv].da}", f"{col_label.en}: {labels[lv].en}")
            table.add_row(_key(column, lv), row_label, {
                "projects": Cell(counts[lv], "number", decimals=0), "of": Cell(n_proj, "number", decimals=0),
                "names": Cell(", ".join(names[p](lang) for p in codes[hit]), "text")})
        if levels != (True,):
            unknown = n_proj - sum(counts.values())
            if unknown:
                table.add_row(f"{column}_ikke_oplyst", T(f"{col_label.da}: ikke oplyst", f"{col_label.en}: not stated"),
                              {"projects": Cell(unknown, "number", decimals=0), "of": Cell(n_proj, "number", decimals=0),
                               "names": Cell("", "text")})
            part = partition({str(k): v for k, v in counts.items()}, n_proj)
            terms = " + ".join(str(v) for v in counts.values())
            sums_da.append(f"{col_label.da} ({where_da}): {terms} = {part.sum} af {n_proj}"
                           + ("" if part.complete else f", {n_proj - part.sum} ikke oplyst"))
            sums_en.append(f"{col_label.en} ({where_en}): {terms} = {part.sum} of {n_proj}"
                           + ("" if part.complete else f", {n_proj - part.sum} not stated"))
    table.notes += [text.cite("kapitel 04-08", "chapters 04-08"),
                    T("Summer: " + "; ".join(sums_da) + ".", "Sums: " + "; ".join(sums_en) + "."),
                    text.PROJECT_ASSIGNMENT]
    return table


__all__ = ["N", "flow_rates", "flow_table", "project_partitions", "roster"]
