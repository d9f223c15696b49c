"""docs/data-dictionary.md is the rendering of the YAML dictionary (regenerate: evalkit dictionary --out ...)."""

from pathlib import Path

from evalkit.io.dictdoc import render_markdown
from evalkit.io.schema import all_tables, load_dictionary

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"


def test_doc_in_sync():
    assert DOC.read_text(encoding="utf-8") == render_markdown() + "\n", \
        "run: evalkit dictionary --out docs/data-dictionary.md"


def test_every_table_has_labels_and_every_category_has_codes():
    assert set(load_dictionary()) == {"udgaaende", "ung-rusmidler", "hcs", "modelkommuner"}
    for table in all_tables().values():
        assert table.label_da and table.label_en
        for col in table.columns:
            assert col.label_da and col.label_en, (table.name, col.name)
            if col.dtype == "category":
                assert len(col.codes) == len(set(col.codes)) >= 2
