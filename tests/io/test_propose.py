"""evalkit init on a renamed export: with only the edits the mapping file asks for, the report is identical."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from evalkit.io import read_export
from evalkit.io.propose import propose, render_mapping
from evalkit.io.writers import write_export
from evalkit.report.render import render
from evalkit.report.spec import build_report
from evalkit.synth import generate

RENAME_D = {"person_id": "CPR-nummer", "kommune": "Bopælskommune", "skoletype": "Type af skole", "skole": "Skolenavn",
            "forloeb": "Holdnummer", "koen": "Kon", "alder": "Alder (år)", "status": "Forløbsstatus",
            "indskrivningsdato": "Dato for indskrivning", "afslutningsdato": "Dato for afslutning"}
RENAME_R = {"person_id": "CPR-nummer", "tidspunkt": "Målepunkt", "dato": "Registreringsdato",
            "hash_dage_30": "Antal dage med hash seneste 30 dage",
            "flere_stoffer_dage_30": "Antal dage med mere end ét illegalt stof",
            "ulovligt_fravaer_dage_14": "Dage med ulovligt fravær (14 dage)",
            **{f"who5_{i}": f"WHO-5 spørgsmål {i}" for i in range(1, 6)}}


def _renamed_export(canonical: Path, out: Path) -> None:
    """What a registration system might deliver: Danish headers, other order, extra columns, own codes."""
    out.mkdir()
    read = lambda name: pd.read_csv(canonical / f"{name}.csv", sep=";", encoding="cp1252", dtype=str)  # noqa: E731
    d = read("deltagere").rename(columns=RENAME_D)
    d["Sagsbehandler"] = "AB"
    d["Type af skole"] = d["Type af skole"].replace({"Erhvervsskole": "EUD"})
    d[list(reversed(d.columns))].to_csv(out / "Stamdata elever.csv", sep=";", index=False, encoding="cp1252")
    r = read("registreringer").rename(columns=RENAME_R)
    r["Kommentar"] = ""
    r[list(reversed(r.columns))].to_csv(out / "Udtræk Rambøll.csv", sep=";", index=False, encoding="cp1252")
    read("omkostninger").rename(columns={"beloeb_kr": "Budget (kr.)", "projektaar": "Projektår"}).to_csv(
        out / "Økonomi.csv", sep=";", index=False, encoding="cp1252")


def _apply_todos(text: str) -> str:
    """Make exactly the edits the TODO lines ask for, as a user would."""
    todos = re.findall(r"# TODO: .*", text)
    assert len(todos) == 2, todos  # forloeb not found; value EUD not mapped
    text = re.sub(r"# TODO: required column 'forloeb'.*", 'forloeb: "Holdnummer"', text)
    return text.replace('"EUD": null', '"EUD": erhvervsskole')


def _tables_json(export) -> list:
    return json.loads(render(build_report(export), "json"))["tables"]


def test_init_then_report_gives_the_canonical_tables(tmp_path):
    canonical = tmp_path / "canonical"
    write_export(generate("udgaaende"), canonical, "csv")
    renamed = tmp_path / "renamed"
    _renamed_export(canonical, renamed)
    text = render_mapping(propose(renamed))
    assert "dataset: udgaaende" in text and "Sagsbehandler" in text and "Kommentar" in text
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(_apply_todos(text), encoding="utf-8")
    ours = read_export(renamed, mapping)
    theirs = read_export(canonical)
    for name in theirs.tables:
        pd.testing.assert_frame_equal(ours[name], theirs[name])
    assert _tables_json(ours) == _tables_json(theirs)


def test_unedited_mapping_is_explained_by_validate(tmp_path):
    canonical = tmp_path / "canonical"
    write_export(generate("udgaaende"), canonical, "csv")
    renamed = tmp_path / "renamed"
    _renamed_export(canonical, renamed)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(render_mapping(propose(renamed)), encoding="utf-8")
    import pytest

    from evalkit.io import InputError

    with pytest.raises(InputError) as info:
        read_export(renamed, mapping)
    messages = "\n".join(info.value.problems.summary_lines())
    assert "forloeb" in messages and "is missing" in messages
