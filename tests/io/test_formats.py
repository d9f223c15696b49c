"""The same data in every export format reads into identical DataFrames (issue 3 acceptance)."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.io import dataset, read_export
from evalkit.io.export import with_read_dtypes
from evalkit.io.writers import write_export


@pytest.mark.parametrize("fmt", ["csv", "csv-utf8", "xlsx", "parquet"])
def test_round_trip_identical(tmp_path, udgaaende_tables, fmt):
    write_export(udgaaende_tables, tmp_path / fmt, fmt)
    source = tmp_path / fmt / "export.xlsx" if fmt == "xlsx" else tmp_path / fmt
    export = read_export(source)
    assert export.dataset == "udgaaende"
    spec = dataset("udgaaende")
    for name, expected in udgaaende_tables.items():
        pd.testing.assert_frame_equal(export[name], with_read_dtypes(expected, spec.table(name)), check_exact=True)
    export.ledger.check(export.tables)


def test_danish_csv_is_cp1252_semicolon_decimal_comma(tmp_path, udgaaende_tables):
    write_export(udgaaende_tables, tmp_path, "csv")
    raw = (tmp_path / "omkostninger.csv").read_bytes()
    text = raw.decode("cp1252")
    assert "1234567,5" in text and ";" in text
    assert "Tårnby".encode("cp1252") in (tmp_path / "deltagere.csv").read_bytes()
    assert "31-01-2019" in (tmp_path / "deltagere.csv").read_text(encoding="cp1252")


def test_thousands_separator_and_explicit_options(tmp_path):
    (tmp_path / "omkostninger.csv").write_text(
        "kommune;projektaar;beloeb_kr\nOdense;1;1.234.567,50\nOdense;2;250\n", encoding="cp1252")
    _write_minimal_udgaaende(tmp_path)
    export = read_export(tmp_path)
    assert export["omkostninger"]["beloeb_kr"].tolist() == [1234567.5, 250.0]


def test_aliases_and_value_spellings(tmp_path):
    (tmp_path / "Elever.csv").write_text(
        "CPR;Kommune;Skoletype;Skole;Forløb;Køn;Alder;Status\n"
        "x1;Odense;ES;S;F;K;18;Gennemført\nx2;Odense;Produktionsskoler;S;F;Mand;17;frafald\n", encoding="utf-8")
    (tmp_path / "registreringer.csv").write_text(
        "elev_id;Tidspunkt;hash_dage;flere_stoffer_dage;fravaer_dage;who5_1;who5_2;who5_3;who5_4;who5_5\n"
        "x1;T0;1;0;0;1;1;1;1;1\n", encoding="utf-8")
    export = read_export(tmp_path)
    d = export["deltagere"]
    assert list(d["skoletype"]) == ["erhvervsskole", "produktionsskole"]
    assert list(d["koen"]) == ["kvinde", "mand"]
    assert list(d["status"]) == ["gennemfoert", "frafaldet"]
    assert list(export["registreringer"]["tidspunkt"]) == ["indskrivning"]


def _write_minimal_udgaaende(folder):
    (folder / "deltagere.csv").write_text(
        "person_id;kommune;skoletype;skole;forloeb;koen;alder;status\nA1;Odense;ES;S;F;K;18;gennemført\n",
        encoding="cp1252")
    (folder / "registreringer.csv").write_text(
        "person_id;tidspunkt;hash_dage_30;flere_stoffer_dage_30;ulovligt_fravaer_dage_14;"
        "who5_1;who5_2;who5_3;who5_4;who5_5\nA1;indskrivning;3;0;1;2;2;2;2;2\n", encoding="cp1252")
