"""End to end on the bundled seed-000 sample read by evalkit.io (reader dtypes: pyarrow + Categorical).

The published figures are the independent reference: 000-T7.2 WHO-5 means 52,5 / 71 / 72,
000-T7.2e 251 of 333 improved, 000-T7.2b 84 stopped and 109 halved (27 / 35 / 62 pct. of about 312).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from evalkit.measures import MeasureLedger, cannabis_reduction, who5_change, who5_percent

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "udgaaende"


def half_up(x: float, places: int = 0) -> Decimal:
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def completers():
    if not SAMPLE.is_dir():
        pytest.skip(f"bundled sample not found at {SAMPLE}")
    from evalkit.io import read_export

    export = read_export(SAMPLE)
    d, r = export.tables["deltagere"], export.tables["registreringer"]
    ids = d.loc[(d["status"] == "gennemfoert").to_numpy(), "person_id"]
    r = r.assign(who5=who5_percent(r))
    who5 = r.pivot(index="person_id", columns="tidspunkt", values="who5").reindex(ids)
    hash_days = r.pivot(index="person_id", columns="tidspunkt", values="hash_dage_30").reindex(ids)
    return who5, hash_days


def test_who5_means_and_improvement(completers):
    who5, _ = completers
    assert len(who5) == 333
    assert str(half_up(who5["indskrivning"].mean(), 1)) == "52.5"
    assert str(half_up(who5["afslutning"].mean())) == "71"
    assert str(half_up(who5["opfoelgning"].mean())) == "72"
    ledger = MeasureLedger()
    improved = who5_change(who5["indskrivning"], who5["afslutning"], rule="strict_increase", ledger=ledger)
    assert (int(improved.sum()), int(improved.notna().sum())) == (251, 333)
    assert ledger.entries[0].policy == "rule=strict_increase"


def test_cannabis_stopped_and_halved(completers):
    _, hash_days = completers
    out = cannabis_reduction(hash_days["indskrivning"], hash_days["afslutning"], eligibility="used_at_intake")
    n, stopped, halved = int(out["eligible"].sum()), int(out["stopped"].sum()), int(out["halved"].sum())
    assert (stopped, halved) == (84, 109)
    assert [str(half_up(100 * k / n)) for k in (stopped, halved, stopped + halved)] == ["27", "35", "62"]
