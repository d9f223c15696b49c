"""The bibliography data file (``evalkit/report/sources.yaml``) against the report specifications: every
figure id a report declares is cited, every name in the file exists, and citations print as a reader
expects in both languages. (test_publication checks the citations in every rendered format.)"""

from __future__ import annotations

import re

import pytest

from evalkit.report.model import Citation, T, Table
from evalkit.report.sources import _data, citation_text, cite, cite_tables, publication, reference
from evalkit.report.spec import available_reports, get_spec

SPECS = {name: get_spec(name) for name in available_reports()}
TABLE_IDS = {name: {t.id for t in spec.tables} for name, spec in SPECS.items()}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_declared_figure_id_is_cited(name):
    for ts in SPECS[name].tables:
        c = cite(name, ts.id, ts.source)
        assert c is not None, f"{name}/{ts.id}: figure id {ts.source!r} is not in sources.yaml"
        assert c.publication in _data()["publications"]
        assert c.kind in ("table", "figure", "text", "footnote")


def test_every_name_in_the_data_file_exists():
    data = _data()
    every_table = set().union(*TABLE_IDS.values())
    declared = {ts.source for spec in SPECS.values() for ts in spec.tables}
    for figure_id, entry in data["figures"].items():
        assert figure_id in declared, f"{figure_id} is cited by no report (stale entry)"
        assert set(entry.get("reproduced_by") or ()) <= every_table, figure_id
        assert entry["publication"] in data["publications"], figure_id
    for report, tables in data["tables"].items():
        assert report in TABLE_IDS and set(tables) <= TABLE_IDS[report], report
    for key in data["publications"]:
        pub = publication(key)
        assert pub.author and pub.title and (pub.year is None or 1990 < pub.year < 2030)


def test_citation_text_in_both_languages():
    c = Citation("x", publication="ung_rusmidler", kind="figure", number="6.14", section="6.3", page="59")
    assert citation_text(c, "da") == ("Socialstyrelsen (u.å.): Erfaringsopsamling – UNG Rusmidler, figur 6.14, "
                                      "afsnit 6.3, s. 59")
    assert citation_text(c, "en", short=True) == "Socialstyrelsen (n.d.), figure 6.14, section 6.3, p. 59"
    own = Citation("x", publication="hcs", kind="text", chapter="3", own=True)
    assert citation_text(own, "da").startswith("Egen tabel; ikke i publikationen (bygger på Socialstyrelsen (u.å.): ")
    assert citation_text(own, "en").endswith(", chapter 3)")
    assert reference(publication("udgaaende"), "da").startswith("Socialstyrelsen (2017): Evaluering af forsøg med ")


def test_a_table_outside_the_file_gets_no_citation_and_prints_no_id():
    from evalkit.report.render.common import source_line

    unknown, custom = Table("t", "999-X", T("t"), []), Table("c", "", T("c"), [])
    cite_tables("udgaaende", [unknown, custom])
    assert unknown.citation is None and custom.citation is None
    assert source_line(unknown, "da") == "" == source_line(custom, "en")


def test_no_citation_names_development_material():
    internal = re.compile(r"seed|spec|\bL\d{2,}|\.ya?ml|\.md\b|--[a-z]|\b00[0-4]-", re.IGNORECASE)
    for name, spec in SPECS.items():
        for ts in spec.tables:
            for lang in ("da", "en"):
                text = citation_text(cite(name, ts.id, ts.source), lang)
                assert not internal.search(text), (name, ts.id, text)
