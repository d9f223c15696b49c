"""Hypothesis: on randomly corrupted input the ledger always balances and no row goes unaccounted."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.io import InputError, read_export

HEADER = ("person_id;tidspunkt;hash_dage_30;flere_stoffer_dage_30;ulovligt_fravaer_dage_14;"
          "who5_1;who5_2;who5_3;who5_4;who5_5")
GOOD = ["1", "0", "5", "", "12", "30"]
JUNK = ["x", "-1", "99", "3,5", "nan", "inf", "1e3", "\"a;b\"", "31-02-2020", "ja", " ", "0102031234"]
cell = st.one_of(st.sampled_from(GOOD), st.sampled_from(JUNK), st.text(alphabet="0123456789,.-ab ", max_size=5))
person = st.sampled_from(["A1", "A2", "A3", "A9", "", "0102031234"])
time_point = st.sampled_from(["indskrivning", "afslutning", "opfoelgning", "T0", "T9", ""])
row = st.tuples(person, time_point, st.lists(cell, min_size=8, max_size=8))
extra = st.sampled_from(["", ";", ";extra", "\n", "\n\n"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(row, extra), min_size=0, max_size=12))
def test_ledger_balances_on_corrupted_input(rows):
    lines = [HEADER]
    for (pid, tp, cells), tail in rows:
        lines.append(";".join([pid, tp, *cells]) + tail)
    text = "\n".join(lines) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "deltagere.csv").write_text(
            "person_id;kommune;skoletype;skole;forloeb;koen;alder;status\n"
            "A1;O;ES;S;F;K;18;gennemført\nA2;O;PS;S;F;M;19;frafaldet\nA3;O;PS;S;F;M;;frafaldet\n",
            encoding="cp1252")
        (folder / "registreringer.csv").write_text(text, encoding="cp1252")
        n_records = _count_records(folder / "registreringer.csv")
        try:
            export = read_export(folder, on_invalid="exclude")
        except InputError as exc:
            # Only structural problems may stop an exclude-mode run.
            assert exc.problems.errors, "InputError without an error"
            if exc.ledger is not None:
                exc.ledger.check()
            return
        export.ledger.check(export.tables)
        entry = export.ledger.tables["registreringer"]
        assert entry.read == n_records
        assert entry.kept == len(export["registreringer"])


def _count_records(path: Path) -> int:
    """Data records as a spreadsheet shows them, not counting trailing blank lines."""
    import csv

    with open(path, encoding="cp1252", newline="") as fh:
        records = list(csv.reader(fh, delimiter=";"))[1:]
    while records and all(not c.strip() for c in records[-1]):
        records.pop()
    return len(records)
