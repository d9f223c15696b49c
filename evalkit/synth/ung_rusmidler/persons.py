"""Dates and persons of the synthetic UNG Rusmidler episodes: stays, dates, sex, age, repeat entrants.

Lengths of stay meet figur 6.19 and 6.21 of Socialstyrelsen's *Erfaringsopsamling – UNG Rusmidler*
(means per type and per Risikoprofil round to the printed values, the medians are exact); start,
discharge, UngMap and first-TEM dates fall inside each forløb's registration window (figur 6.1) and
leave room for the episode's TEM forms; women per type and mean ages meet figur 6.4, the under-18
counts figur 6.6, section 6.2 and the Sammenfatning; 17 + 2 pairs of episodes belong to one person
each (the repeat entrants of section 6.2), with one birth date per person.
"""

from __future__ import annotations

import math

import numpy as np

from evalkit.synth.ung_rusmidler.solver import _choose, _Rows, _solve
from evalkit.synth.ung_rusmidler.state import _State
from evalkit.synth.ung_rusmidler.targets import (
    _AGE15,
    _AGE18,
    _AGE_MAX,
    _AGE_U18_MAX,
    _BEH,
    _ETYPES,
    _RAAD,
    _YEAR,
    _printed,
    _sum_bounds,
)


class _PersonStages(_State):
    """Stages that place the episodes in time and give them persons: stays, dates, sex, age."""

    # -- time ---------------------------------------------------------------------------------
    def _needed_days(self) -> np.ndarray:
        """Days an episode must last (or run until the cut-off) to hold its UngMap and TEM forms."""
        e = self.e
        off = self.d["tem"]["first_form_days"]
        sh = self.d["shape"]
        within = sh["ungmap_within_days"]
        first = np.where(e["etype"] == _BEH, np.where(e["ungmap"], within + off["behandling"][1], off["behandling"][1]),
                         np.where(e["group"], off["group"][1], off["counselling"][1]))
        need = np.where(e["tem_count"] > 0, first + sh["min_days_between_forms"] * (e["tem_count"] - 1), 0)
        return np.maximum(need, np.where(e["ungmap"], within, 1))

    def lengths_of_stay(self) -> None:
        """Length of stay of every discharged episode (004-F6.19, 004-F6.21).

        Means per risk profile and per type round to the printed values; the medians are exact
        (113 days of 216: the 108th and 109th values; 112 days of 15: the 8th value).
        """
        rng = self.r["los"]
        e, ep = self.e, self.d["episodes"]["length_of_stay"]
        sh = self.d["shape"]["length_of_stay"]
        dis = np.flatnonzero(e["status"] >= 0)
        need = self._needed_days()[dis]
        window = (self.cutoff - e["wstart"])[dis]
        beh = e["etype"][dis] == _BEH
        rprof = np.where(e["combo"][dis] >= 0, self.combo_bits.sum(axis=1)[np.maximum(e["combo"][dis], 0)], -1)
        med = np.where(beh, ep["behandling"]["median"], ep["raadgivning"]["median"])
        draw = med * np.exp(rng.normal(0, sh["sigma"], dis.size))
        seed = np.clip(np.maximum(draw, need + rng.uniform(0, sh["slack_days"], dis.size)), 1, window)
        los_r = self.d["treatment"]["los_by_risikoprofil"]
        n_r = np.array(self.d["treatment"]["discharged_by_risikoprofil"]).sum(axis=1)
        beh_mean = float(_printed(ep["behandling"]["mean"])[0])
        r_sums = [float(_printed(m)[0]) * k for m, k in zip(los_r, n_r, strict=True)]
        groups = [(np.flatnonzero(beh & (rprof == r)), float(_printed(los_r[r])[0])) for r in range(4)]
        no_prof = np.flatnonzero(beh & (rprof < 0))
        groups.append((no_prof, (beh_mean * beh.sum() - sum(r_sums)) / max(no_prof.size, 1)))
        groups.append((np.flatnonzero(~beh), float(_printed(ep["raadgivning"]["mean"])[0])))
        for _ in range(40):
            for idx, target in groups:
                seed[idx] *= target / seed[idx].mean()
            seed = np.clip(seed, need, window)
        lb, ub = need.astype(float), window.astype(float)
        for mask, m in ((beh, ep["behandling"]["median"]), (~beh, ep["raadgivning"]["median"])):
            idx = np.flatnonzero(mask)
            order = idx[np.lexsort((rng.random(idx.size), seed[idx]))]       # ranks by the draws
            n = order.size
            k_mid = 2 - n % 2                                                # the 8th of 15; 108th+109th of 216
            feasible = np.flatnonzero((need[order] <= m) & (window[order] >= m))
            mids = feasible[np.argsort(np.abs(feasible - (n - 1) / 2), kind="stable")][:k_mid]
            rest = np.setdiff1d(np.arange(n), mids)
            low, high = order[rest[: (n - k_mid) // 2]], order[rest[(n - k_mid) // 2:]]
            ub[low] = np.minimum(ub[low], m)
            lb[high] = np.maximum(lb[high], m)
            lb[order[mids]] = ub[order[mids]] = m
        rows = _Rows(dis.size)
        for r in range(4):
            rows.add(groups[r][0], *_sum_bounds(los_r[r], n_r[r]))
        rows.add(np.flatnonzero(beh), *_sum_bounds(ep["behandling"]["mean"], int(beh.sum())))
        rows.add(np.flatnonzero(~beh), *_sum_bounds(ep["raadgivning"]["mean"], int((~beh).sum())))
        los = _solve(np.clip(seed, lb, ub), lb, ub, rows, self.r["solver"], "length of stay")
        e["los"] = np.zeros(self.n, dtype=np.int64)
        e["los"][dis] = los

    def dates(self) -> None:
        """Start, discharge, UngMap and first-TEM dates inside each forløb's registration window (004-F6.1)."""
        rng = self.r["dates"]
        e = self.e
        need = self._needed_days()
        window = self.cutoff - e["wstart"]
        dis = e["status"] >= 0
        u = rng.random(self.n)
        # discharged: the discharge date anywhere it leaves room for the whole stay
        dis_date = self.cutoff - np.floor(u * (window - e["los"] + 1)).astype(np.int64)
        # ongoing: elapsed time ~ lognormal, at least what the forms need
        og = self.d["shape"]["ongoing"]
        elapsed = np.rint(np.exp(rng.normal(np.log(og["elapsed_median_days"]), og["elapsed_sigma"], self.n))).astype(
            np.int64
        )
        elapsed = np.clip(np.maximum(elapsed, need + rng.integers(0, og["slack_days"] + 1, self.n)), need, window)
        start = np.where(dis, dis_date - e["los"], self.cutoff - elapsed)
        e["start"] = start
        e["discharge"] = np.where(dis, dis_date, -1)
        e["end"] = np.where(dis, dis_date, self.cutoff)
        room = np.minimum(self.d["shape"]["ungmap_within_days"], e["end"] - start - 1).clip(0)
        e["completed"] = np.where(e["ungmap"], start + np.floor(rng.random(self.n) * (room + 1)).astype(np.int64), -1)

    # -- people ---------------------------------------------------------------------------
    def sex_and_bands(self) -> None:
        """Women per type (004-F6.4) and who is under 18 (L2312-2314, 004-F6.6, 004-S)."""
        rng = self.r["people"]
        e, ep = self.e, self.d["episodes"]
        e["woman"] = np.zeros(self.n, dtype=bool)
        e["under18"] = np.zeros(self.n, dtype=bool)
        for t, key in enumerate(_ETYPES):
            members = np.flatnonzero(e["etype"] == t)
            e["woman"][_choose(rng, members, ep["women"][key])] = True
            if t != _BEH:
                e["under18"][_choose(rng, members, ep["under_18"][key])] = True
        u_factor = np.where(e["combo"] >= 0, self.combo_bits[np.maximum(e["combo"], 0), 2], 0)
        ung_ok = np.flatnonzero(e["ungmap"] & (u_factor == 0))
        e["under18"][_choose(rng, ung_ok, self.d["ungmap"]["under_18"])] = True
        no_ung = np.flatnonzero((e["etype"] == _BEH) & ~e["ungmap"])
        e["under18"][_choose(rng, no_ung, ep["under_18"]["behandling"] - self.d["ungmap"]["under_18"])] = True

    def repeat_entrants(self) -> None:
        """Link 17 + 2 pairs of episodes to one person each (L2273), same kommune and sex, in order."""
        rng = self.r["people"]
        e = self.e
        person = np.arange(self.n)
        used = np.zeros(self.n, dtype=bool)
        spec = self.d["episodes"]["repeat_entrants"]
        for first_type, k in ((_BEH, spec["behandling_to_behandling"]), (_RAAD, spec["raadgivning_to_behandling"])):
            firsts = rng.permutation(np.flatnonzero((e["etype"] == first_type) & (e["status"] >= 0) & ~e["under18"]))
            made = 0
            for f in firsts:
                if made == k:
                    break
                if used[f]:
                    continue
                ok = np.flatnonzero((e["etype"] == _BEH) & ~used & ~e["under18"] & (e["kommune"] == e["kommune"][f])
                                    & (e["woman"] == e["woman"][f]) & (e["start"] >= e["discharge"][f] + 14)
                                    & (np.arange(self.n) != f))
                if ok.size == 0:
                    continue
                s = int(rng.choice(ok))
                person[s] = person[f]
                used[[f, s]] = True
                made += 1
            if made < k:
                raise RuntimeError(f"only {made} of {k} repeat entrants could be linked")
        _, e["person"] = np.unique(person, return_inverse=True)

    def ages(self) -> None:
        """Birth dates such that mean ages per type round to 004-F6.4 and every band holds.

        Ages are (date - birth) / 365.25 rounded to 2 decimals; one birth date per person keeps the
        ages of a repeat entrant's two episodes consistent.
        """
        rng = self.r["people"]
        e, ep = self.e, self.d["episodes"]
        n_p = int(e["person"].max()) + 1
        shape = ep["age_shape"]
        age = np.empty(self.n)
        under = e["under18"]
        age[under] = 15 + rng.gamma(shape["under_18"]["shape"], shape["under_18"]["scale"], under.sum())
        for t, key in enumerate(_ETYPES):
            m = ~under & (e["etype"] == t)
            a, s = shape["adult"][key]
            age[m] = 18 + rng.gamma(a, s, m.sum())
        age = np.where(under, np.clip(age, 15.05, 17.9), np.clip(age, 18.05, 25.9))
        for t, key in enumerate(_ETYPES):
            target = float(_printed(ep["mean_age"][key])[0])
            m = ~under & (e["etype"] == t)
            for _ in range(20):
                shift = (target * (e["etype"] == t).sum() - age[e["etype"] == t].sum()) / m.sum()
                age[m] = np.clip(age[m] + shift, 18.05, 25.9)
        # bounds on each person's birth date from every episode's band (at start and at UngMap)
        lo = np.full(n_p, -10**9, dtype=np.int64)
        hi = np.full(n_p, 10**9, dtype=np.int64)
        for when in ("start", "completed"):
            has = e[when] >= 0
            d = e[when]
            b_lo = np.where(under, d - _AGE_U18_MAX, d - _AGE_MAX)
            b_hi = np.where(under, d - _AGE15, d - _AGE18)
            np.maximum.at(lo, e["person"][has], b_lo[has])
            np.minimum.at(hi, e["person"][has], b_hi[has])
        seed = np.zeros(n_p)
        np.add.at(seed, e["person"], e["start"] - age * _YEAR)
        seed /= np.bincount(e["person"], minlength=n_p)
        rows = _Rows(n_p)
        for t, key in enumerate(_ETYPES):
            m = e["etype"] == t
            v, _d = _printed(ep["mean_age"][key])
            k = int(m.sum())
            # sum(start - birth) / 365.25 / k in [v - 0.04, v + 0.04]: inside [v - 0.05, v + 0.05)
            # with room for the rounding of each age to 2 decimals
            a_lo = math.ceil((float(v) - 0.04) * _YEAR * k)
            a_hi = math.floor((float(v) + 0.04) * _YEAR * k)
            coef = np.bincount(e["person"][m], minlength=n_p)
            on = np.flatnonzero(coef)
            rows.add(on, int(e["start"][m].sum()) - a_hi, int(e["start"][m].sum()) - a_lo, coef[on])
        birth = _solve(np.clip(seed, lo, hi), lo, hi, rows, self.r["solver"], "birth dates")
        e["birth"] = birth[e["person"]]
        e["birth_lo"], e["birth_hi"] = lo[e["person"]], hi[e["person"]]
