"""TEM trajectories of the synthetic UNG Rusmidler export: every form around the anchor registrations.

Only the values at the first registration, at the 5th (counselling) and at the 12th after last
observation carried forward carry published targets (Socialstyrelsen, *Erfaringsopsamling – UNG
Rusmidler*, figur 6.26-6.28, 6.30, 6.31, 6.34-6.37, the second figur 6.16 and section 6.5). This
module builds the forms around them: forms between two anchors are interpolated with noise, forms
beyond the 12th drift on (so they differ from the carried-forward value), personlig trivsel starts
below the other two well-being items and catches up (the text of figur 6.26), and form dates fall
about weekly between the first form and the episode's end. Shared by the published-size and the
scaled generator.

>>> _form_positions(np.array([2, 3]))
(array([0, 0, 1, 1, 1]), array([0, 1, 0, 1, 2]))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evalkit.synth.ung_rusmidler.solver import _uniform


def _form_positions(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For forms of youths with ``counts`` forms: the youth of each form and its 0-based position."""
    counts = np.asarray(counts, dtype=np.int64)
    youth = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    return youth, np.arange(youth.size, dtype=np.int64) - starts[youth]


def _fill_forms(youth: np.ndarray, j: np.ndarray, pos: np.ndarray, anchors: dict[str, np.ndarray],
                rng: np.random.Generator, shape: dict[str, Any]) -> dict[str, np.ndarray]:
    """Item values of every form from the anchor values of its youth.

    ``pos`` (youths x 3) holds the 0-based anchor positions (first, middle, last = the 12th after
    LOCF); ``anchors[m]`` (youths x 3) the anchor values of measure ``m``. Forms at an anchor get the
    anchor value; forms between two anchors a value interpolated with noise; forms after the last
    anchor (beyond the 12th) drift on with noise, so they differ from the LOCF value.
    """
    p = pos[youth]
    mid = j <= p[:, 1]
    lo_p = np.where(mid, p[:, 0], p[:, 1])
    hi_p = np.where(mid, p[:, 1], p[:, 2])
    t = np.clip((j - lo_p) / np.maximum(hi_p - lo_p, 1), 0.0, 1.0)
    at_anchor = (j == p[:, 0]) | (j == p[:, 1]) | (j == p[:, 2])
    beyond = j > p[:, 2]
    free = ~at_anchor
    n = j.size

    def interp(m: str) -> np.ndarray:
        a = anchors[m][youth]
        lo_v = np.where(mid, a[:, 0], a[:, 1])
        hi_v = np.where(mid, a[:, 1], a[:, 2])
        return lo_v + t * (hi_v - lo_v)

    tr = shape["trajectory"]
    drift = tr["drift_after_12th"]

    def noisy(m: str, sd: float, lo: float, hi: float, after_12th: float) -> np.ndarray:
        base = interp(m)
        noise = rng.normal(0.0, sd, n) + np.where(beyond, after_12th, 0.0)
        return np.where(free, np.clip(np.rint(base + noise), lo, hi), base)

    out = {   # samlet in units of the sum of the three items (0-30)
        "samlet": noisy("samlet", 3 * tr["samlet_sd"], 0, 30, 3 * drift["samlet"]),
        "koncentration": noisy("koncentration", tr["item_sd"], 0, 10, drift["items"]),
        "planlaegning": noisy("planlaegning", tr["item_sd"], 0, 10, drift["items"]),
        "alcohol_units_week": noisy("alcohol_units_week", tr["alcohol_sd"], 0, 80, drift["alcohol"]),
    }
    df_p = np.clip(tr["drug_free_floor"] + tr["drug_free_span"] * interp("drug_free")
                   + np.where(beyond, drift["drug_free"], 0.0), 0, 1)
    drug_free = np.where(free, rng.random(n) < df_p, interp("drug_free") > 0.5)
    c_level = np.maximum(anchors["cannabis_days"].max(axis=1), 1)[youth]
    o_level = anchors["other_drug_days"].max(axis=1)[youth]
    cann = np.clip(np.rint(c_level * _uniform(rng, tr["use_level"]["cannabis"], n)), 0, 7)
    other = np.clip(np.rint(o_level * _uniform(rng, tr["use_level"]["other"], n)), 0, 7)
    cann = np.where((cann + other) == 0, 1, cann)
    out["cannabis_days"] = np.where(free, np.where(drug_free, 0, cann), interp("cannabis_days"))
    out["other_drug_days"] = np.where(free, np.where(drug_free, 0, other), interp("other_drug_days"))
    out["drug_free"] = drug_free
    rel = np.clip(j / np.maximum(p[:, 2], 1), 0.0, 1.0)
    out.update(_split_items(out["samlet"].astype(np.int64), rel, rng, shape["tem"]["personlig_gap_first"],
                            tr["item_split_sd"]))
    return out


def _split_items(total: np.ndarray, rel: np.ndarray, rng: np.random.Generator, gap: float,
                 sd: dict[str, float]) -> dict[str, np.ndarray]:
    """Split a sum of the three well-being items (0-30) into personlig, nære relationer, social.

    Personlig trivsel starts ``gap`` below the other two and catches up by the last registration
    (004-F6.26: "Stigningen dækker især over en markant stigning i personlig trivsel").
    """
    n = total.size
    pers = np.rint(total / 3 - gap * (1 - rel) + rng.normal(0, sd["personlig"], n))
    pers = np.clip(pers, np.maximum(0, total - 20), np.minimum(10, total))
    rest = total - pers
    naere = np.clip(np.rint(rest / 2 + rng.normal(0, sd["naere"], n)), np.maximum(0, rest - 10), np.minimum(10, rest))
    return {"personlig_trivsel": pers, "naere_relationer": naere, "social_trivsel": rest - naere}


def _form_dates(youth: np.ndarray, j: np.ndarray, first: np.ndarray, end: np.ndarray, counts: np.ndarray,
                rng: np.random.Generator, gap: dict[str, float]) -> np.ndarray:
    """Dates (days since 1970-01-01) of the forms: about weekly from ``first``, never after ``end``.

    Gaps are ``typical * U(low, high)`` days, at least 1; when they do not fit before ``end`` they
    are compressed (keeping at least one day between forms while the span allows; beyond that,
    forms share a date and the tem_id breaks the tie).
    """
    n = j.size
    g = np.maximum(1, np.rint(gap["typical"] * rng.uniform(gap["low"], gap["high"], n))).astype(np.int64)
    g[j == 0] = 0
    starts = np.cumsum(counts) - counts
    csum = np.cumsum(g)
    off = csum - csum[starts][youth]                   # days after the first form
    total = off[starts + counts - 1]                   # per youth: days from first to last form
    span = np.maximum(end - first, 0)
    steps = counts - 1
    # compress: off' = j + (off - j) * (span - steps) / (total - steps) when the forms do not fit
    room = np.maximum(span - steps, 0)
    extra = np.maximum(total - steps, 1)
    squeeze = (total > span)[youth]
    fit = j + np.floor((off - j) * (room[youth] / extra[youth])).astype(np.int64)
    tight = (span < steps)[youth]
    crowded = np.floor(j * (span[youth] / np.maximum(steps[youth], 1))).astype(np.int64)
    off = np.where(squeeze, np.where(tight, crowded, fit), off)
    return first[youth] + off
