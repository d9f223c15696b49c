"""The modelkommuner dataset: the synthetic sample reads from CSV, XLSX and Parquet alike, is validated
with the same messages as every export, and holds the survey counts seed 003 prints (NIRAS: Evaluering
af Modelkommuneprojekt Unge, alkohol og stoffer, 5.3 and chapters 6-8)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evalkit.compare.survey import (
    flow,
    frequency,
    multi_response,
    ordinal_summary,
    round_half_up,
)
from evalkit.io import InputError, read_export
from evalkit.io.writers import write_export
from evalkit.synth import generate

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "modelkommuner"


@pytest.fixture(scope="module")
def export():
    return read_export(SAMPLE)


def test_every_format_reads_back_the_same(tmp_path, export):
    tables = generate("modelkommuner")
    for fmt in ("csv-utf8", "xlsx", "parquet"):
        paths = write_export(tables, tmp_path / fmt, fmt)
        again = read_export(paths[0] if fmt == "xlsx" else tmp_path / fmt)
        assert again.dataset == "modelkommuner"
        for name in ("mk_institutioner", "mk_projekter"):
            pd.testing.assert_frame_equal(again[name].astype(object), export[name].astype(object), check_dtype=False)


def test_ordinal_levels_come_from_the_dictionary(export):
    col = export["mk_institutioner"]["training_opspore"]
    assert list(col.cat.categories) == ["ingen", "under_halvdelen", "over_halvdelen", "alle"] and col.cat.ordered


def test_an_unknown_level_is_reported_with_file_row_and_column(tmp_path):
    folder = tmp_path / "bad"
    write_export(generate("modelkommuner"), folder, "csv")
    path = folder / "mk_institutioner.csv"
    text = path.read_text(encoding="cp1252").replace(";I høj grad;", ";Meget høj grad;", 1)
    path.write_text(text, encoding="cp1252")
    with pytest.raises(InputError) as exc:
        read_export(folder)
    problem = next(p for p in exc.value.problems.problems if p.severity == "error")
    assert problem.file == "mk_institutioner.csv" and problem.row is not None and problem.column


def test_the_sample_holds_the_printed_survey_counts(export):
    inst = export["mk_institutioner"]
    f = flow(inst["in_project_start"], inst["withdrew"], inst["joined_late"], inst["in_project_end"], inst["responded"])
    assert (f.counts["start"], f.counts["withdrew"], f.counts["joined"], f.counts["end"], f.counts["responded"]) == \
        (50, 7, 2, 45, 44) and f.ok
    r = inst[inst["responded"].astype(bool)]
    inv = multi_response(r, ["involved_ledelse", "involved_laerere", "involved_elever"])
    assert inv.base == 44 and [round_half_up(p) for p in inv.rows["percent"]] == [86, 68, 34]
    assert frequency(r["action_plan"], ["saerskilt", "integreret", "ingen"]).rows["count"].tolist() == [13, 19, 12]
    det = ordinal_summary(r["training_opspore"], ["ingen", "under_halvdelen", "over_halvdelen", "alle"])
    sup = ordinal_summary(r["training_stoette"], ["ingen", "under_halvdelen", "over_halvdelen", "alle"])
    assert (det.boxes["top_two"].count, det.boxes["bottom"].count, sup.boxes["top_two"].count,
            sup.boxes["bottom"].count) == (14, 6, 7, 7)
    likert = ["slet_ikke", "i_mindre_grad", "i_nogen_grad", "i_hoej_grad"]
    assert [ordinal_summary(r[c], likert).boxes["top"].count for c in ("aware_now", "aware_increased",
                                                                       "handle_support_now")] == [24, 17, 17]
    loc = frequency(r["counselling_location"], ["lokalt", "kommunen", "anden"], where=r["counselling_specific"])
    assert loc.base == 29 and [round_half_up(p) for p in loc.rows["percent"]][:2] == [59, 21]
    ends = inst[inst["in_project_end"].astype(bool)].groupby("project", observed=True).size().to_dict()
    assert ends == {"kobenhavn": 4, "hok": 11, "odense": 12, "svendborg": 7, "horsens": 5, "skive": 6}
