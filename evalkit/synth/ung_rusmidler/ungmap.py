"""UngMap intake of the synthetic UNG Rusmidler sample: drug use, stofscore and the other risk items.

For the 390 treatment youths with an UngMap: substances used in the last 30 days (figur 6.14 of
Socialstyrelsen's *Erfaringsopsamling – UNG Rusmidler*), days of use such that stofscore 12+ holds
exactly for the youths of that risk factor and the mean stofscore rounds to the printed value
(figur 6.15), education, uddannelseshjælp, diagnosis by a psychiatrist and illegal activities
(figur 6.17, 6.18), opioid users per kommune ("helt op til 19 %" in one kommune, half the kommuner
none; the running text of sections 6.3 and 6.5), and which opioid users answer the drug questions
of the TEM form only from their 2nd form (figur 6.35).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from evalkit.synth.ung_rusmidler.solver import _choose, _draw, _rake_prob, _Rows, _solve, _uniform
from evalkit.synth.ung_rusmidler.state import _State
from evalkit.synth.ung_rusmidler.targets import _EXTERNALISING, _LAV, _PROFILES, _printed


class _UngMapStages(_State):
    """Stages that fill the UngMap intake of the treatment youths with an UngMap."""

    def ungmap_values(self) -> None:
        """Drug use, stofscore, education, benefits, diagnosis, illegal activities (004-F6.14-6.18)."""
        rng = self.r["ungmap"]
        e, um = self.e, self.d["ungmap"]
        ung = np.flatnonzero(e["ungmap"])
        n = ung.size
        bits = self.combo_bits[e["combo"][ung]]
        s12, psych, udd = bits[:, 0] == 1, bits[:, 1] == 1, bits[:, 2] == 1
        prof = e["profile"][ung]
        under = e["under18"][ung]
        edu = np.zeros(n, dtype=bool)
        edu[_choose(rng, np.flatnonzero(under), um["in_education"]["under_18"])] = True
        edu[_choose(rng, np.flatnonzero(~under & ~udd), um["in_education"]["adult"])] = True
        illegal = np.zeros(n, dtype=bool)
        sh = self.d["shape"]["ungmap"]
        w_ill = np.where(np.isin(prof, _EXTERNALISING), sh["illegal_weight_externalising"], 1.0)
        illegal[_choose(rng, np.arange(n), um["illegal_activities"], w_ill)] = True
        drug_free = np.zeros(n, dtype=bool)
        w_df = np.where(prof == _LAV, sh["drug_free_weight_lav"], 1.0)
        cand = np.flatnonzero(~s12)
        drug_free[_choose(rng, cand, um["drug_free"], w_df[cand])] = True
        flags = self._drug_flags(ung, s12, drug_free, prof)
        days = self._ungmap_days(ung, s12, flags)
        self.u = {"idx": ung, "psych": psych, "udd": udd, "edu": edu, "illegal": illegal,
                  "drug_free": drug_free, "flags": flags, "days": days, "profile": prof, "s12": s12}
        e["opioid"][ung] = flags[:, 5] == 1
        self._later_opioid_users()

    def _later_opioid_users(self) -> None:
        """The opioid users who answer the drug questions from their 2nd form (004-F6.35: 6/20 -> 10/22)."""
        e, spec = self.e, self.d["tem"]["drug_item"]
        idx = np.arange(self.n)
        pool = np.flatnonzero(e["opioid"] & e["tem"] & (e["drug_from"] == 0) & (e["tem_count"] >= 2)
                              & np.isin(e["profile"], [_PROFILES.index(p) for p in spec["later_profiles"]])
                              & np.isin(self._risk(idx), spec["later_risikoprofiler"]))
        e["drug_from"][_choose(self.r["drugs"], pool, spec["later"]["opioid"])] = 1

    def _opioid_per_kommune(self, ung: np.ndarray) -> dict[int, int]:
        """Opioid users per kommune: one kommune with exactly 19 %, the rest spread, half none (L2547-2549).

        "helt op til 19 %" (L3196-3197) is the highest share: every other kommune's share rounds below 19 %.
        """
        rng = self.r["drugs"]
        um = self.d["ungmap"]
        total = um["users"]["opioider"]
        n_k = np.bincount(self.e["kommune"][ung], minlength=len(self.kommune_names))
        others = um["opioid_kommuner"] - 1
        k_i = self.kommune_names.index(um["opioid_kommune"])
        k = next(k for k in range(1, int(n_k[k_i]) + 1)
                 if Fraction(37, 2) <= Fraction(100 * k, int(n_k[k_i])) < Fraction(39, 2))    # rounds to 19 %
        if total - k < others:
            raise ValueError("too few opioid users left for the other opioid kommuner")
        pool = np.flatnonzero((n_k >= um["opioid_kommune_min_ungmaps"]) & (np.arange(n_k.size) != k_i))
        picks = _choose(rng, pool, others)
        rest = total - k
        split = np.ones(others, dtype=np.int64) + np.bincount(
            rng.choice(others, rest - others, p=n_k[picks] / n_k[picks].sum()), minlength=others
        )
        # below 18,5 % (so below 19 % when rounded): 200 * users < 37 * UngMaps
        cap = (37 * n_k[picks] - 1) // 200
        if cap.sum() < rest or (cap < 1).any():
            raise ValueError("the other opioid kommuner cannot hold their users below 19 %")
        while (split > cap).any():   # move the excess to the kommuner with room, largest room first
            over = int(np.flatnonzero(split > cap)[0])
            room = cap - split
            split[over] -= 1
            split[int(np.argmax(room))] += 1
        out = {int(k_i): int(k)}
        out.update({int(p): int(c) for p, c in zip(picks, split, strict=True)})
        return out

    def _drug_flags(self, ung: np.ndarray, s12: np.ndarray, drug_free: np.ndarray, prof: np.ndarray) -> np.ndarray:
        """Which substances each UngMap youth used in the last 30 days (004-F6.14).

        Columns: hash, kokain, amfetamin, ecstasy, andre, opioider, centralstimulerende (= any of
        kokain/amfetamin/ecstasy). Exact totals 273 / 144 / 34 / 22; every opioid user has TEM forms.
        """
        rng = self.r["drugs"]
        um = self.d["ungmap"]
        n = ung.size
        per_k = self._opioid_per_kommune(ung)
        kom = self.e["kommune"][ung]
        tem = self.e["tem"][ung]
        split = um["central_split"]
        sh = self.d["shape"]["ungmap"]
        ext = np.isin(prof, _EXTERNALISING)
        p = np.zeros((n, 7))
        p[:, 0] = np.where(s12, sh["hash"]["stofscore_12plus"], sh["hash"]["other"])
        p[:, 6] = (np.where(s12, sh["central"]["stofscore_12plus"], sh["central"]["other"])
                   * np.where(ext, sh["central"]["externalising"], sh["central"]["internalising_or_low"]))
        p[:, 1], p[:, 2], p[:, 3] = split["kokain"], split["amfetamin"], split["ecstasy"]
        p[:, 4] = sh["andre"]
        p[:, 5] = np.where(np.isin(kom, list(per_k)), sh["opioider"], 0.0)
        ub = np.where(drug_free[:, None], 0, 1) * np.ones((1, 7))
        # every opioid user has a TEM form (004-F6.35 "(n=22)"); youths whose drug answers are missing
        # at the first registration are not among them except the two chosen afterwards
        may_opioid = tem & (self.e["drug_from"][ung] == 0)
        ub[:, 5] = np.where(np.isin(kom, list(per_k)) & ~drug_free & may_opioid, 1, 0)
        lb = np.zeros((n, 7))
        # boundary youths (A21): flags fixed by their day vectors
        self.boundary = _choose(rng, np.flatnonzero(s12), len(um["boundary_days"]))
        for b, vec in zip(self.boundary, um["boundary_days"], strict=True):
            f = (np.asarray(vec) > 0).astype(float)
            lb[b, :5] = ub[b, :5] = f
            lb[b, 5] = ub[b, 5] = 0
            lb[b, 6] = ub[b, 6] = float(f[1:4].any())
        var = np.arange(n * 7).reshape(n, 7)
        rows = _Rows(n * 7)
        users = um["users"]
        rows.add(var[:, 0], users["hash"])
        rows.add(var[:, 6], users["central"])
        rows.add(var[:, 4], users["andre"])
        rows.add(var[:, 5], users["opioider"])
        rows.add(var[tem, 5], self.d["tem_targets"]["opioid"]["tem"])
        for k_i, k in per_k.items():
            rows.add(var[kom == k_i, 5], k)
        for i in range(n):
            if drug_free[i]:
                continue
            rows.add(var[i, :6], 1, 6)                               # some drug
            rows.add(var[i, [1, 2, 3, 6]], -3, 0, [1, 1, 1, -3])    # any of kokain/amfetamin/ecstasy -> central
            rows.add(var[i, [1, 2, 3, 6]], 0, 3, [1, 1, 1, -1])     # central -> one of them
            if s12[i]:
                rows.add(var[i, :5], 1, 5)                           # stofscore 12+ needs stofscore drugs
        p = _rake_prob(p.ravel().copy(), [(var[:, 0].ravel(), users["hash"]), (var[:, 6].ravel(), users["central"]),
                                         (var[:, 4].ravel(), users["andre"]), (var[:, 5].ravel(), users["opioider"])])
        seed = np.clip(_draw(rng, p), lb.ravel(), ub.ravel())
        x = _solve(seed, lb.ravel(), ub.ravel(), rows, self.r["solver"], "UngMap drug flags")
        return x.reshape(n, 7)

    def _ungmap_days(self, ung: np.ndarray, s12: np.ndarray, flags: np.ndarray) -> np.ndarray:
        """Days of use per substance in the last 30 days; stofscore 12+ iff the five add up to >= 18.

        The sum over all youths is set so that the mean stofscore rounds to 9,6 (004-F6.15).
        """
        rng = self.r["drugs"]
        um = self.d["ungmap"]
        n = ung.size
        used = flags[:, :6] == 1
        sh = self.d["shape"]["ungmap"]["days"]
        heavy = s12[:, None]
        seed = np.where(
            heavy, _uniform(rng, sh["others"]["stofscore_12plus"], (n, 6)), _uniform(rng, sh["others"]["other"], (n, 6))
        )
        seed[:, 0] = np.where(
            s12, _uniform(rng, sh["hash"]["stofscore_12plus"], n), _uniform(rng, sh["hash"]["other"], n)
        )
        seed[:, 5] = _uniform(rng, sh["opioider"], n)
        seed = np.where(used, seed, 0)
        # keep the draws off the boundary: only the designated youths have 17 or 18 days (A21)
        total = seed[:, :5].sum(axis=1)
        want = np.where(s12, np.where(total < 19, rng.uniform(19, 32, n), total),
                        np.where(total > 16, rng.uniform(1, 16, n), total))
        seed[:, :5] *= (want / np.maximum(total, 1e-9))[:, None]
        lb = np.where(used, 1, 0).astype(float)
        ub = np.where(used, 30, 0).astype(float)
        for b, vec in zip(self.boundary, um["boundary_days"], strict=True):
            lb[b, :5] = ub[b, :5] = vec
        var = np.arange(n * 6).reshape(n, 6)
        rows = _Rows(n * 6)
        below = _choose(rng, np.flatnonzero(~s12 & (used[:, :5].sum(axis=1) >= 2)), um["just_below_days"])
        for i in range(n):
            if not used[i, :5].any() or i in self.boundary:
                continue
            if s12[i]:
                rows.add(var[i, :5], 19, 150)          # stofscore > 12 (12+ under either reading)
            elif i in below:
                rows.add(var[i, :5], 17)               # stofscore 11,33
            else:
                rows.add(var[i, :5], 0, 16)
        # stofscore = 100 * days / 150, so sum(days) = 1.5 * sum(stofscore): bounds on days
        v, dec = _printed(um["stofscore_mean"])
        h = Fraction(2, 5 * 10 ** dec)                        # inner 4/5 of the half unit
        d_lo = math.ceil((v - h) * n * Fraction(3, 2))
        d_hi = math.floor((v + h) * n * Fraction(3, 2))
        rows.add(var[:, :5].ravel(), d_lo, d_hi)
        x = _solve(seed.ravel(), lb.ravel(), ub.ravel(), rows, self.r["solver"], "UngMap drug days")
        return x.reshape(n, 6)
