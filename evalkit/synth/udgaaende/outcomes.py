"""Outcomes of the synthetic ``udgaaende`` export: hash days, poly-drug days, absence, WHO-5 and age.

One school type at a time, vectorised over its persons, each block meets the counts and means
printed in Socialstyrelsen (2017), *Evaluering af forsøg med udgående indsatser til unge med
rusmiddelproblemer*: hash days and cessation ("Dage med forbrug af hash de seneste 30 dage på tværs
af skoletype", pp. 26-27; "Antal unge, der helt stopper med at indtage cannabis", pp. 27-28),
absence and poly-drug days ("Ulovligt fravær og forbrug af mere end ét illegalt stof om dagen", pp.
28-29), WHO-5 ("Udviklingen i trivsel ...", p. 30; "Antal unge, der oplever forbedret trivsel", p.
31), all of them in "Deltagernes progression i projektet" (p. 26), and ages by school type and
gender (section 4.1, pp. 10-11: most students 18-20, the youngest 16 and the oldest 31). Dropouts'
values are not published and follow documented free means.
"""

from __future__ import annotations

import numpy as np

from evalkit.synth._common import beta_days, overdispersed_counts, repair_sum, tilted_pmf
from evalkit.synth.udgaaende.published import (
    _SKOLETYPE,
    AGE_MAX,
    AGE_MIN,
    AGE_PMF,
    AGE_VALUES,
    DROPOUT_MEANS,
    Design,
    Stratum,
)


def _hash(s: Stratum, cat: np.ndarray, fu: np.ndarray, rng, strict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Completers' hash days. ``cat``: 0 no use at T0, 1 stopped, 2 halved, 3 neither (000-T7.2b)."""
    n = cat.size
    zero, stop, half = cat == 0, cat == 1, cat == 2
    elig = ~zero
    lo0 = np.where(zero, 0, np.where(half, 3, 1))
    hi0 = np.where(zero, 0, 30)
    t0 = np.clip(beta_days(n, s.hash_sum[0] / max(elig.sum(), 1), 30, rng), lo0, hi0)
    t0 = repair_sum(t0, s.hash_sum[0], lo0, hi0, rng, strict=strict)
    # T1 bounds: stopped 0; halved 1 .. (T0-1)//2 (strictly below half); neither > T0/2
    lo1 = np.select([zero, stop, half], [0, 0, 1], t0 // 2 + 1)
    hi1 = np.select([zero, stop, half], [30, 0, (t0 - 1) // 2], 30)
    frac = np.where(half, rng.uniform(0.1, 0.45, n), rng.uniform(0.55, 1.1, n))
    t1 = np.where(zero, (rng.random(n) < 0.15) * rng.integers(1, 5, n), np.rint(t0 * frac))
    t1 = np.clip(t1.astype(np.int64), lo1, hi1)
    t1 = repair_sum(t1, s.hash_sum[1], lo1, hi1, rng, strict=strict)
    base = np.where(t1 > 0, np.rint(t1 * rng.uniform(0.55, 1.0, n)),
                    (rng.random(n) < 0.2) * rng.integers(1, 8, n))
    t2 = np.clip(base.astype(np.int64), 0, 30)
    # abstinent at follow-up stays abstinent: the repair only moves those who use
    hi2 = np.where(t2 > 0, 30, 0)[fu]
    t2[fu] = repair_sum(t2[fu], s.hash_sum[2], np.minimum(1, hi2), hi2, rng, strict=strict)
    return t0, t1, t2


def _poly(s: Stratum, users: np.ndarray, fu: np.ndarray, rng, strict) -> tuple[np.ndarray, ...]:
    """Completers' days with more than one illegal drug; non-users are 0 at every time point."""
    n = users.size
    t0, t1, t2 = (np.zeros(n, dtype=np.int64) for _ in range(3))
    k = int(users.sum())
    if k:
        mean0 = s.poly_sum[0] / k
        a0 = np.minimum(rng.geometric(1 / max(mean0, 1.0), k), 30)
        a0 = repair_sum(a0, s.poly_sum[0], 1, 30, rng, strict=strict)
        a1 = repair_sum(rng.binomial(a0, 0.3), s.poly_sum[1], 0, 30, rng, strict=strict)
        a2 = np.minimum(rng.poisson(a1 * 0.9 + 0.2), 30)
        ufu = fu[users]
        a2[ufu] = repair_sum(a2[ufu], s.poly_sum[2], 0, 30, rng, strict=strict)
        t0[users], t1[users], t2[users] = a0, a1, a2
    return t0, t1, t2


def _fravaer(s: Stratum, fu: np.ndarray, rng, strict) -> tuple[np.ndarray, ...]:
    n = fu.size
    t0 = repair_sum(overdispersed_counts(n, s.fravaer_sum[0] / max(n, 1), 14, rng), s.fravaer_sum[0], 0, 14, rng,
                    strict=strict)
    t1 = repair_sum(rng.binomial(t0, 0.45), s.fravaer_sum[1], 0, 14, rng, strict=strict)
    t2 = np.minimum(rng.binomial(t1, 0.7) + (rng.random(n) < 0.15), 14).astype(np.int64)
    t2[fu] = repair_sum(t2[fu], s.fravaer_sum[2], 0, 14, rng, strict=strict)
    return t0, t1, t2


def _who5(s: Stratum, improved: np.ndarray, fu: np.ndarray, rng, strict) -> tuple[np.ndarray, ...]:
    """Raw WHO-5 (0-25). Improved: T1 >= T0 + 3; not improved: T1 <= T0 (000-T7.2e, A3)."""
    n = improved.size
    hi0 = np.where(improved, 22, 25)
    t0 = np.clip(np.rint(rng.normal(s.who5_raw_sum[0] / max(n, 1), 4.5, n)).astype(np.int64), 0, hi0)
    t0 = repair_sum(t0, s.who5_raw_sum[0], 0, hi0, rng, strict=strict)
    down = np.maximum(t0 - rng.binomial(4, 0.35, n), 0)
    need = s.who5_raw_sum[1] - down[~improved].sum()
    k = max(int(improved.sum()), 1)
    lam = max(need / k - t0[improved].mean() - 3, 0.0) if improved.any() else 0.0
    up = t0 + 3 + rng.poisson(lam, n)
    lo1 = np.where(improved, t0 + 3, 0)
    hi1 = np.where(improved, 25, t0)
    t1 = np.clip(np.where(improved, up, down), lo1, hi1)
    t1 = repair_sum(t1, s.who5_raw_sum[1], lo1, hi1, rng, strict=strict)
    t2 = np.clip(t1 + np.rint(rng.normal(0.3, 2.0, n)).astype(np.int64), 0, 25)
    t2[fu] = repair_sum(t2[fu], s.who5_raw_sum[2], 0, 25, rng, strict=strict)
    return t0, t1, t2


def _dropouts(n: int, fu: np.ndarray, rng, strict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Dropouts' T0 and T2 values (T2 meaningful only where ``fu``), sums from DROPOUT_MEANS."""
    m = DROPOUT_MEANS

    def fit(values, mean, lo, hi, mask=None):
        mask = np.ones(values.size, bool) if mask is None else mask
        values = values.copy()
        values[mask] = repair_sum(values[mask], round(mean * mask.sum()), lo, hi, rng, strict=strict)
        return values

    out = {}
    h0 = fit(np.clip(beta_days(n, m["hash_t0"], 30, rng), 0, 30), m["hash_t0"], 0, 30)
    h2 = fit(np.rint(h0 * rng.uniform(0.4, 1.0, n)).astype(np.int64), m["hash_t2"], 0, 30, fu)
    out["hash"] = (h0, h2)
    users = rng.random(n) < m["poly_share"]
    p0 = np.where(users, np.minimum(rng.geometric(1 / m["poly_t0_users"], n), 30), 0)
    p0 = fit(p0, m["poly_t0_users"], 1, 30, users) if users.any() else p0
    p2 = np.where(users, rng.binomial(p0, 0.75), 0)
    ufu = users & fu
    p2 = fit(p2, m["poly_t2_users"], 0, 30, ufu) if ufu.any() else p2
    out["poly"] = (p0, p2)
    a0 = fit(overdispersed_counts(n, m["fravaer_t0"], 14, rng), m["fravaer_t0"], 0, 14)
    a2 = fit(rng.binomial(a0, 0.75), m["fravaer_t2"], 0, 14, fu)
    out["fravaer"] = (a0, a2)
    w0 = fit(np.clip(np.rint(rng.normal(m["who5_raw_t0"], 4.5, n)), 0, 25).astype(np.int64), m["who5_raw_t0"], 0, 25)
    w2 = fit(np.clip(w0 + np.rint(rng.normal(1.5, 3.0, n)).astype(np.int64), 0, 25), m["who5_raw_t2"], 0, 25, fu)
    out["who5"] = (w0, w2)
    return out


def _ages(d: Design, st_of: np.ndarray, female: np.ndarray, rng) -> np.ndarray:
    """Ages meeting each school type x gender sum; one 16-year-old and one 31-year-old (000-S4.1)."""
    n = st_of.size
    age = np.zeros(n, dtype=np.int64)
    frozen = np.zeros(n, bool)
    groups = [("erhvervsskole", False, "alder_sum_maend"), ("erhvervsskole", True, "alder_sum_kvinder"),
              ("produktionsskole", False, "alder_sum_maend"), ("produktionsskole", True, "alder_sum_kvinder")]
    idx = {g[:2]: np.flatnonzero((st_of == _SKOLETYPE.index(g[0])) & (female == g[1])) for g in groups}
    oldest, youngest = idx[("erhvervsskole", False)], idx[("produktionsskole", True)]
    if oldest.size > 1 and youngest.size > 1:
        age[oldest[0]], age[youngest[0]] = AGE_MAX, AGE_MIN
        frozen[[oldest[0], youngest[0]]] = True
    for st, fem, attr in groups:
        members = idx[(st, fem)]
        if members.size == 0:
            continue
        target = getattr(d.strata[st], attr)
        free = members[~frozen[members]]
        rest = target - age[members[frozen[members]]].sum()
        q = tilted_pmf(AGE_PMF, AGE_VALUES, rest / max(free.size, 1))
        # best of a few draws: the closest sum leaves only a few units for repair_sum to move,
        # so the repair hardly changes the 18-20 share
        tries = rng.choice(AGE_VALUES, size=(max(1, min(32, 1_000_000 // max(free.size, 1))), free.size), p=q)
        age[free] = tries[np.argmin(np.abs(tries.sum(axis=1) - rest))]
        age[free] = repair_sum(age[free], rest, AGE_MIN, AGE_MAX, rng, strict=d.strict)
    return age.astype(np.int64)
