"""evalkit check-figures: printed-figure consistency without the data.

Seed 003 (NIRAS: Evaluering af Modelkommuneprojekt Unge, alkohol og stoffer): every count/percentage/base
finding of spec seed002_003_figures.md 2.9 and the quantifier findings of 2.10 items 2 and 9, from the
bundled example file. Seeds 000 and 004: misprints their catalogues list as known deviations.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evalkit.cli import app
from evalkit.verify import CatalogueError
from evalkit.verify.check_figures import (
    FigureSet,
    check_file,
    check_set,
    feasible_pairs,
    load_figures,
    quantifier_range,
)

EXAMPLE = str(resources.files("evalkit.verify") / "catalogues" / "003-printed-figures.yml")


@pytest.fixture(scope="module")
def findings():
    return {(f.label, f.check): f for f in check_file(EXAMPLE)}


def _find(findings, label_start: str, check: str):
    hits = [f for (label, c), f in findings.items() if label.startswith(label_start) and c == check]
    assert len(hits) == 1, (label_start, check, hits)
    return hits[0]


def test_percent_alone_lists_the_feasible_pairs_of_spec_2_9(findings):
    pairs = _find(findings, "6.4 Ledelsen", "feasible-pairs").details["pairs"]
    assert {(38, 44), (37, 43), (36, 42), (32, 37), (31, 36)} <= set(pairs)       # management 86 %
    pairs = _find(findings, "6.4 Eleverne", "feasible-pairs").details["pairs"]
    assert {(15, 44), (13, 38), (14, 41)} <= set(pairs) and (15, 45) not in pairs  # students 34 %


@pytest.mark.parametrize("label", ["6.4 Lærerne", "7.3 I høj grad opmærksomme", "7.3 I høj grad mere",
                                   "7.3 Formår", "8.4 Specifikt"])
def test_count_and_percent_pairs_fit_only_44(findings, label):
    f = _find(findings, label, "candidate-bases")
    assert f.status == "ok" and f.details["bases"] == [44]


def test_one_common_base_44_and_the_counts_behind_the_percentages(findings):
    f = findings[("group survey", "common-base")]
    assert f.details["bases"] == [44]
    assert "6.4 Ledelsen inddraget k = 38" in f.message and "6.4 Eleverne inddraget k = 15" in f.message


def test_counselling_location_base_is_29_34_or_39_and_not_44(findings):
    assert findings[("group counselling_location", "common-base")].details["bases"] == [29, 34, 39]
    assert _find(findings, "8.4 Rådgivning lokalt, på alle 44", "percent-base").status == "ok"       # 26/44
    bad = _find(findings, "8.4 Rådgivning hos kommunen, på alle 44", "percent-base")
    assert bad.status == "inconsistent" and "no count k gives it (n = 44)" in bad.message


def test_stated_counts_of_44(findings):
    assert _find(findings, "7.1 Efteruddannet i at opspore (", "count-base").message == "14 of 44 = 31.818 %"
    assert _find(findings, "7.1 Efteruddannet i at opspore, ingen", "count-base").message == "6 of 44 = 13.636 %"


def test_quantifier_knap_en_tredjedel_at_34_percent(findings):   # spec 2.10 item 2
    f = _find(findings, "6.4 Eleverne", "quantifier")
    assert f.status == "inconsistent" and "the figure is 34 %" in f.message
    assert _find(findings, "6.4 Ledelsen", "quantifier").status == "ok"           # 'Størstedelen' 86 %
    assert _find(findings, "8.4 Rådgivning lokalt på skolen", "quantifier").status == "ok"   # 59 %


def test_lidt_mindre_and_lidt_lavere(findings):                   # spec 2.10 item 9
    support = _find(findings, "7.1 Efteruddannet i at yde", "quantifier")
    assert support.status == "inconsistent" and "-50 %" in support.message        # 14 -> 7 halves
    handling = _find(findings, "7.3 Formår", "quantifier")
    assert handling.status == "inconsistent" and "-16 points" in handling.message  # 55 % -> 39 %


def test_partitions_of_spec_2_10(findings):
    part = {label: f for (label, c), f in findings.items() if c == "partition"}
    assert part["5.3 Institutioner: start - udtrådt + tiltrådt = slut"].status == "ok"
    projects = next(f for label, f in part.items() if label.startswith("04 Institutioner"))
    assert projects.status == "inconsistent" and projects.details["sum"] == 40       # item 4
    plans = part["6.2 Handleplan: særskilt + integreret af 44"]
    assert plans.status == "inconsistent" and "12 not accounted for" in plans.message  # item 8
    assert part["5.1 Projekter: bro til folkeskolen + ikke endnu"].status == "inconsistent"  # item 7
    assert part["6.4 Projekter: fælles + individuel (ikke muligt) + individuel (fravalgt)"].status == "ok"


def test_csv_input_gives_the_same_findings(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("label;printed;count;base;quantifier;parts;total\n"
                    "Lærere;68 %;30;;;;\nElever;34 %;;;Knap en tredjedel;;\nHandleplan;;;;;13+19;44\n"
                    "Flow;;;;;50-7+2;45\n", encoding="utf-8")
    got = [(f.label, f.check, f.status) for f in check_file(path)]
    assert ("Lærere", "candidate-bases", "ok") in got and ("Elever", "quantifier", "inconsistent") in got
    assert ("Handleplan", "partition", "inconsistent") in got and ("Flow", "partition", "ok") in got


def _one(figures=(), partitions=(), **settings):
    return check_set(FigureSet(list(figures), list(partitions), **settings))


def test_seed_000_misprints():
    # 000-T7.2e: 174/228 = 76.32 % printed 75, and the row 24 + 75 = 99 (I-2)
    got = _one([{"label": "PS forbedret trivsel", "printed": "75 %", "count": 174, "base": 228}],
               [{"label": "PS row", "parts": ["24 %", "75 %"], "total": 100}])
    assert [f.status for f in got] == ["inconsistent", "inconsistent"]
    # 000-S7: 84/312 printed 26 (I-7): wrong half-up, right by truncation
    assert _one([{"label": "stoppet hash", "printed": "26 %", "count": 84, "base": 312}])[0].status == "inconsistent"
    truncated = {"label": "stoppet hash", "printed": "26 %", "count": 84, "base": 312, "rounding": "truncate"}
    assert _one([truncated])[0].status == "ok"
    # 000-S2.1: 62 % of the 333 completers needs n about 312 (I-8)
    got = _one([{"label": "62 % af gennemførte", "printed": "62 %", "count": 193, "base": 333}])
    assert got[0].status == "inconsistent" and "57.958 %" in got[0].message
    bases = _one([{"label": "62 %", "printed": "62 %", "count": 193}], max_n=400)[0].details["bases"]
    assert 312 in bases and 333 not in bases
    # 000-T7.1: the Mand column 32/68 with 87/277 and 190/277 (I-1)
    got = _one([{"label": "ES mand", "printed": "32 %", "count": 87, "base": 277}])
    assert got[0].status == "inconsistent"


def test_seed_004_misprints():
    # 004-F6.22: 17,0 % impossible with n = 216 (A14); 004-F6.19 prose 27,2 % (A05)
    for printed in ("17,0 %", "27,2 %"):
        f = _one([{"label": printed, "printed": printed, "base": 216}])[0]
        assert f.status == "inconsistent", printed
    # 004-F6.28: 39,6 % and 47,6 % not with n = 327; both fit 313 and 328 (A13)
    got = _one([{"label": "tem1", "printed": "39,6 %", "base": 327},
                {"label": "tem12", "printed": "47,6 %", "base": 327}])
    assert {f.status for f in got} == {"inconsistent"}
    group = _one([{"label": "tem1", "printed": "39,6 %", "group": "locf"},
                  {"label": "tem12", "printed": "47,6 %", "group": "locf"}], max_n=330)[-1]
    assert {313, 328} <= set(group.details["bases"]) and 327 not in group.details["bases"]
    # 004-F6.21: 34/67 = 50,746 % prints 50,7, not 50,8 (A15)
    assert _one([{"label": "R0", "printed": "50,8 %", "count": 34, "base": 67}])[0].status == "inconsistent"


def test_feasible_pairs_against_brute_force():
    from decimal import ROUND_HALF_UP, Decimal
    for printed in ("21 %", "59 %", "33,3 %", "0 %", "100 %"):
        value = Decimal(printed.replace(" %", "").replace(",", "."))
        d = -value.as_tuple().exponent
        brute = [(k, n) for n in range(1, 61) for k in range(n + 1)
                 if (Decimal(100 * k) / Decimal(n)).quantize(Decimal(1).scaleb(-d), ROUND_HALF_UP) == value]
        assert feasible_pairs(printed, 60) == brute, printed


def test_quantifier_ranges():
    assert quantifier_range("hver fjerde")[:2] == (22.5, 27.5)
    assert quantifier_range("over halvdelen af skolerne")[:2] == (50, 100)
    assert quantifier_range("cirka halvdelen")[:2] == (45, 55)
    assert quantifier_range("Enkelte skoler") is None
    got = _one([{"label": "x", "printed": "3", "count": 3, "base": 44, "quantifier": "Enkelte"}])
    assert got[-1].status == "info"


def test_bad_files_are_usage_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("figures:\n  - {label: x}\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="needs a label and a printed value"):
        load_figures(bad)
    runner = CliRunner()
    assert runner.invoke(app, ["check-figures", str(bad)]).exit_code == 2
    assert runner.invoke(app, ["check-figures", str(tmp_path / "none.yaml")]).exit_code == 2
    result = runner.invoke(app, ["check-figures", EXAMPLE])
    assert result.exit_code == 1 and "inconsistent" in result.output
    ok = tmp_path / "ok.yaml"
    ok.write_text("figures:\n  - {label: t, printed: '68 %', count: 30}\n", encoding="utf-8")
    assert runner.invoke(app, ["check-figures", str(ok), "--format", "json"]).exit_code == 0
    assert Path(EXAMPLE).suffix == ".yml"   # not a .yaml: `evalkit verify` does not take it for a catalogue
