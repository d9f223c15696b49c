"""TEM forms of the synthetic UNG Rusmidler sample: counts per youth, missing answers, anchor values.

Forms per youth come from the printed tables of youths with at least k forms (figur 6.23-6.25,
6.29, 6.32 of Socialstyrelsen's *Erfaringsopsamling – UNG Rusmidler*; one youth with 39 forms); 14
treatment youths leave the drug questions of their first form unanswered, 4 of whom answer from
their 2nd (the reading that makes figur 6.28, 6.35 and 6.37 consistent). The values at the first,
5th (counselling) and 12th registration after last observation carried forward meet samlet trivsel,
koncentration, planlægning, the drug-free shares and the drug and alcohol days of figur 6.26-6.28,
6.30, 6.31, the second figur 6.16, 6.34-6.37 and section 6.5, per cohort, Ungeprofil, Risikoprofil
and discharge status; :mod:`.trajectories` fills in the forms around them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evalkit.synth.ung_rusmidler.solver import (
    _choose,
    _deal,
    _draw,
    _gamma,
    _rake_add,
    _rake_prob,
    _Rows,
    _solve,
    _uniform,
)
from evalkit.synth.ung_rusmidler.state import _State
from evalkit.synth.ung_rusmidler.targets import (
    _BEH,
    _NEVER,
    _PROFILES,
    _STATUSES,
    _TEM_MEASURES,
    _exactly_k,
    _printed,
    _sum_bounds,
)
from evalkit.synth.ung_rusmidler.trajectories import _fill_forms, _form_dates, _form_positions


class _TemStages(_State):
    """Stages that build the TEM forms: counts, unanswered drug questions, anchors, forms."""

    def tem_counts(self) -> None:
        """Forms per youth from the printed tables of youths with >= k forms (004-F6.23-6.25, 6.29, 6.32)."""
        rng = self.r["counts"]
        t = self.d["tem"]
        al = t["at_least_k"]
        u = _exactly_k(al["treatment_ungmap"])
        d = _exactly_k(al["treatment_discharged"])
        nu = _exactly_k(al["treatment"]) - u
        nu_d = np.asarray(t["treatment_no_ungmap_discharged_exactly"])
        parts = {"u_d": d - nu_d, "u_o": u - (d - nu_d), "n_d": nu_d, "n_o": nu - nu_d}
        if any((v < 0).any() for v in parts.values()):
            raise ValueError(f"inconsistent TEM count tables: {parts}")
        e = self.e
        beh_t = (e["etype"] == _BEH) & e["tem"]
        sets = {
            "u_d": np.flatnonzero(beh_t & e["ungmap"] & (e["status"] >= 0)),
            "u_o": np.flatnonzero(beh_t & e["ungmap"] & (e["status"] < 0)),
            "n_d": np.flatnonzero(beh_t & ~e["ungmap"] & (e["status"] >= 0)),
            "n_o": np.flatnonzero(beh_t & ~e["ungmap"] & (e["status"] < 0)),
            "c": np.flatnonzero((e["etype"] != _BEH) & e["tem"]),
            "g": np.flatnonzero(e["group"]),
        }
        parts["c"] = _exactly_k(al["counselling"])
        parts["g"] = _exactly_k(al["group"])
        for key, members in sets.items():
            e["tem_count"][members] = _deal(rng, members, parts[key]) + 1
        # the 12+ tail: 12 + Geometric, and the one treatment youth with 39 forms (fn 25)
        tail = np.flatnonzero(e["tem_count"] == 12)
        extra = rng.geometric(t["tail_p"], tail.size) - 1
        treated = (e["etype"][tail] == _BEH) & ~e["group"][tail]
        limit = np.where(treated, t["max_forms"] - 1, t["tail_cap_counselling_group"])
        e["tem_count"][tail] = np.minimum(12 + extra, limit)
        longest = np.flatnonzero((e["tem_count"] >= 12) & (e["etype"] == _BEH) & e["tem"] & e["ungmap"]
                                 & (e["status"] < 0) & (e["forloeb"] == 1))
        e["tem_count"][_choose(rng, longest, 1)] = t["max_forms"]

    def drug_item_gaps(self) -> None:
        """Treatment youths who leave the drug questions of their first form(s) unanswered (004-F6.28, 6.35, 6.37).

        ``drug_from`` is the 0-based form from which a youth answers the drug-free item, cannabis days and
        other-drug days: 0 for most, 1 for those who answer later, a large number for those who never do.
        Never-answerers are ongoing (004-F6.31's discharged groups keep every youth); neither they nor the
        Risikoprofil 2 youth answering later use opioids (the opioid users answering later are chosen in
        :meth:`ungmap_values`).
        """
        rng = self.r["treatment"]
        e, spec = self.e, self.d["tem"]["drug_item"]
        n = self.n
        risk = self._risk(np.arange(n))
        treat = (e["etype"] == _BEH) & e["tem"]
        free = treat & (e["drug_from"] == 0)
        for prof, r in spec["never_ungmap"]:
            pool = np.flatnonzero(free & e["ungmap"] & (e["status"] < 0) & (e["profile"] == _PROFILES.index(prof))
                                  & (risk == r))
            e["drug_from"][_choose(rng, pool, 1)] = _NEVER
            free = treat & (e["drug_from"] == 0)
        e["drug_from"][_choose(rng, np.flatnonzero(free & ~e["ungmap"] & (e["status"] < 0)),
                               spec["never_no_ungmap"])] = _NEVER
        free = treat & (e["drug_from"] == 0) & (e["tem_count"] >= 2)
        later_prof = np.isin(e["profile"], [_PROFILES.index(p) for p in spec["later_profiles"]])
        later = spec["later"]
        e["drug_from"][_choose(rng, np.flatnonzero(free & e["ungmap"] & (risk == 2) & later_prof),
                               later["risikoprofil_2"])] = 1
        free = treat & (e["drug_from"] == 0) & (e["tem_count"] >= 2)
        e["drug_from"][_choose(rng, np.flatnonzero(free & ~e["ungmap"]), later["no_ungmap"])] = 1

    def _cohort(self, members: np.ndarray, with_fifth: bool) -> dict[str, Any]:
        """Anchor variables of a TEM cohort: one per distinct (youth, anchor position)."""
        c = self.e["tem_count"][members]
        last = np.minimum(c, 12) - 1
        fifth = np.minimum(c, 5) - 1 if with_fifth else last
        pos = np.stack([np.zeros_like(last), fifth, last], axis=1)
        key = np.arange(members.size)[:, None] * 64 + pos
        uniq, inv = np.unique(key, return_inverse=True)
        return {"members": members, "pos": pos, "var": inv.reshape(pos.shape), "n_var": uniq.size}

    def _solve_binary(self, co: dict[str, Any], p_first: np.ndarray, p_last: np.ndarray,
                      targets: list[tuple[np.ndarray, int, int]], what: str) -> np.ndarray:
        """Drug-free flags at the anchors; ``targets`` are (youths, anchor column, exact count)."""
        var, nv = co["var"], co["n_var"]
        seed = np.zeros(nv)
        seed[var[:, 2]] = p_last
        seed[var[:, 1]] = np.where(var[:, 1] == var[:, 2], p_last, (p_first + p_last) / 2)
        seed[var[:, 0]] = np.where(var[:, 0] == var[:, 2], (p_first + p_last) / 2, p_first)
        groups = [(var[y, a], k) for y, a, k in targets]
        seed = _draw(self.r["tem"], _rake_prob(seed, groups))
        rows = _Rows(nv)
        for idx, k in groups:
            rows.add(idx, k)
        x = _solve(seed, 0, 1, rows, self.r["solver"], what)
        return x[var].astype(float)

    def _solve_level(self, co: dict[str, Any], first: np.ndarray, gain: np.ndarray, lo: float, hi: float,
                     targets: list[tuple[np.ndarray, int, Any, int]], what: str) -> np.ndarray:
        """Integer values at the anchors; ``targets`` are (youths, anchor column, printed mean, scale)."""
        var, nv = co["var"], co["n_var"]
        seed = np.zeros(nv)
        rel = co["pos"] / np.maximum(co["pos"][:, [2]], 1)
        for a in range(3):
            seed[var[:, a]] = first + gain * rel[:, a]
        groups = []
        for y, a, value, scale in targets:
            groups.append((var[y, a], float(_printed(value)[0]) * scale))
        seed = _rake_add(seed, groups, lo, hi)
        rows = _Rows(nv)
        for y, a, value, scale in targets:
            rows.add(var[y, a], *_sum_bounds(value, y.size, scale))
        x = _solve(seed, lo, hi, rows, self.r["solver"], what)
        return x[var].astype(float)

    def tem_anchors(self) -> None:
        """First, fifth (counselling) and 12th-after-LOCF values of every TEM youth (spec 3.4)."""
        e, tt, sh = self.e, self.d["tem_targets"], self.d["shape"]["tem"]
        rng = self.r["tem"]
        self.cohorts = {
            "treatment": self._cohort(np.flatnonzero((e["etype"] == _BEH) & e["tem"]), False),
            "counselling": self._cohort(np.flatnonzero((e["etype"] != _BEH) & e["tem"]), True),
            "group": self._cohort(np.flatnonzero(e["group"]), False),
        }
        self.anchors = {}
        for name, co in self.cohorts.items():
            self.anchors[name] = self._anchor_values(name, co, tt, sh, rng)

    def _anchor_values(self, name: str, co: dict[str, Any], tt: dict, sh: dict,
                       rng: np.random.Generator) -> dict[str, np.ndarray]:
        e = self.e
        m = co["members"]
        n = m.size
        all_y = np.arange(n)
        prof = e["profile"][m]
        rprof = self._risk(m)
        status = e["status"][m]
        # who answers the drug questions at the first registration and by the 12th (spec 3.4: a youth
        # enters a share from the first registration where the item is answered)
        answers = (e["drug_from"][m] == 0, e["drug_from"][m] < _NEVER)
        co["drug_answers"] = answers
        df_targets: list[tuple[np.ndarray, int, int]] = []
        lvl_targets: list[tuple[np.ndarray, int, Any, int]] = []
        if name == "treatment":
            t = tt["treatment"]
            df_targets += [(np.flatnonzero(answers[0]), 0, t["drug_free"]["first"]),
                           (np.flatnonzero(answers[1]), 2, t["drug_free"]["last"])]
            for p, key in enumerate(_PROFILES):
                for a, when in ((0, "first"), (2, "last")):
                    k = tt["ungeprofil"]["drug_free"][key].get(when)
                    if k is not None:
                        df_targets.append((np.flatnonzero((prof == p) & answers[a // 2]), a, k))
                    v = tt["ungeprofil"]["samlet_trivsel"][key].get(when)
                    if v is not None:
                        lvl_targets.append((np.flatnonzero(prof == p), a, v, 3))
            for r in range(4):
                key = f"R{r}"
                for a, when in ((0, "first"), (2, "last")):
                    k = tt["risikoprofil"]["drug_free"][key].get(when)
                    if k is not None:
                        df_targets.append((np.flatnonzero((rprof == r) & answers[a // 2]), a, k))
                    v = tt["risikoprofil"]["samlet_trivsel"][key].get(when)
                    if v is not None:
                        lvl_targets.append((np.flatnonzero(rprof == r), a, v, 3))
            for s, key in enumerate(_STATUSES):
                k = tt["discharge_status"]["drug_free"].get(key, {}).get("last")
                if k is not None:
                    df_targets.append((np.flatnonzero((status == s) & answers[1]), 2, k))
                v = tt["discharge_status"]["samlet_trivsel"].get(key, {}).get("last")
                if v is not None:
                    lvl_targets.append((np.flatnonzero(status == s), 2, v, 3))
            opi = e["opioid"][m]
            df_targets += [(np.flatnonzero(opi & answers[0]), 0, tt["opioid"]["drug_free"]["first"]),
                           (np.flatnonzero(opi & answers[1]), 2, tt["opioid"]["drug_free"]["last"])]
            lvl_targets += [(all_y, 0, t["samlet_trivsel"]["first"], 3), (all_y, 2, t["samlet_trivsel"]["last"], 3)]
        elif name == "counselling":
            t = tt["counselling"]
            df_targets += [(all_y, 0, t["drug_free"]["first"]), (all_y, 1, t["drug_free"]["fifth"])]
            lvl_targets += [(all_y, 0, t["samlet_trivsel"]["first"], 3), (all_y, 2, t["samlet_trivsel"]["last"], 3)]
        else:
            t = tt["group"]
            lvl_targets += [(all_y, 0, t["samlet_trivsel"]["first"], 3), (all_y, 2, t["samlet_trivsel"]["last"], 3)]
        # youths who stay longer (more forms) improve more: their 12th value is their own, not carried
        engaged = np.log(e["tem_count"][m]) - np.log(e["tem_count"][m]).mean()
        p_first = np.clip(sh["drug_free_first_rate"] + rng.normal(0, sh["drug_free_first_sd"], n), 0.05, 0.95)
        p_last = np.clip(p_first + sh["drug_free_gain"] + sh["drug_free_engagement"] * engaged
                         + rng.normal(0, sh["drug_free_gain_sd"], n), 0.05, 0.95)
        if df_targets:
            df = self._solve_binary(co, p_first, p_last, df_targets, f"{name}: drug-free")
        else:
            draw = np.stack([rng.random(n) < p_first, rng.random(n) < p_last, rng.random(n) < p_last], axis=1)
            df = self._free_anchor(co, draw.astype(float))
        # samlet trivsel in units of the sum of the three items (0-30)
        base_first = 3 * (sh["samlet_first"] + rng.normal(0, sh["samlet_sd"], n) + sh["drug_free_bonus"] * df[:, 0])
        gain = 3 * (rng.normal(sh["samlet_gain"], sh["samlet_gain_sd"], n) + sh["engagement"] * engaged)
        samlet = self._solve_level(co, base_first, gain, 0, 30, lvl_targets, f"{name}: samlet trivsel")
        out = {"samlet": samlet, "drug_free": df}
        tr = tt["treatment"]
        it = sh["items"]
        for item in ("koncentration", "planlaegning"):
            first = samlet[:, 0] / 3 + it[item]["offset"] + rng.normal(0, it["sd"], n)
            item_gain = rng.normal(it[item]["gain"], it["gain_sd"], n)
            if name == "treatment":   # 004-F6.27
                out[item] = self._solve_level(co, first, item_gain, 0, 10,
                                              [(all_y, 0, tr[item]["first"], 1), (all_y, 2, tr[item]["last"], 1)],
                                              f"{name}: {item}")
            else:
                out[item] = self._free_level(co, first, item_gain, 0, 10)
        drinkers = rng.random(n) >= sh["alcohol_zero_share"]
        alc = np.where(drinkers, _gamma(rng, sh["alcohol_gamma"], n), 0.0)
        alc_gain = rng.normal(sh["alcohol_gain"], sh["alcohol_gain_sd"], n)
        if name == "treatment":       # 004-P6.5c
            out.update(self._tem_drug_days(co, df, tr, sh, rng))
            out["alcohol_units_week"] = self._solve_level(
                co, alc, alc_gain, 0, 80,
                [(all_y, 0, tr["alcohol_units_week"]["first"], 1), (all_y, 2, tr["alcohol_units_week"]["last"], 1)],
                f"{name}: alcohol")
        else:
            user_c = rng.random(n) < sh["cannabis_user_share"]
            user_o = rng.random(n) < sh["other_user_share"]
            c = np.where(user_c[:, None], np.rint(_uniform(rng, sh["cannabis_days"], (n, 3))), 0)
            o = np.where(user_o[:, None], np.rint(_uniform(rng, sh["other_days"], (n, 3))), 0)
            c = np.where((c + o) == 0, 1, c)
            out["cannabis_days"] = self._free_anchor(co, np.where(df == 1, 0, c).astype(float))
            out["other_drug_days"] = self._free_anchor(co, np.where(df == 1, 0, o).astype(float))
            out["alcohol_units_week"] = self._free_level(co, alc, alc_gain, 0, 80)
        return out

    @staticmethod
    def _free_anchor(co: dict[str, Any], vals: np.ndarray) -> np.ndarray:
        """Anchor values without targets; where two anchors are the same form the later one wins."""
        flat = np.zeros(co["n_var"])
        for a in range(3):
            flat[co["var"][:, a]] = vals[:, a]
        return flat[co["var"]]

    def _free_level(
        self, co: dict[str, Any], first: np.ndarray, gain: np.ndarray, lo: float, hi: float
    ) -> np.ndarray:
        """Anchor values without targets: rounded draws, equal where two anchors are the same form."""
        rel = co["pos"] / np.maximum(co["pos"][:, [2]], 1)
        return self._free_anchor(co, np.clip(np.rint(first[:, None] + gain[:, None] * rel), lo, hi))

    def _tem_drug_days(self, co: dict[str, Any], df: np.ndarray, tr: dict, sh: dict,
                   rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Cannabis and other-drug days at the anchors (004-P6.5c): 0 when drug-free, else >= 1 day."""
        var, nv = co["var"], co["n_var"]
        n = var.shape[0]
        flat_df = np.zeros(nv)
        for a in range(3):
            flat_df[var[:, a]] = df[:, a]
        user_c = rng.random(n) < sh["cannabis_user_share"]
        user_o = rng.random(n) < sh["other_user_share"]
        seed = np.zeros(2 * nv)
        lb = np.zeros(2 * nv)
        ub = np.zeros(2 * nv)
        for a in range(3):
            seed[var[:, a]] = np.where(user_c, _uniform(rng, sh["cannabis_days"], n), 0.0)
            seed[nv + var[:, a]] = np.where(user_o, _uniform(rng, sh["other_days"], n), 0.0)
        ub[:nv] = np.where(flat_df == 1, 0, 7)
        ub[nv:] = np.where(flat_df == 1, 0, 7)
        rows = _Rows(2 * nv)
        for v in np.flatnonzero(flat_df == 0):
            rows.add([v, nv + v], 1, 14)
        # means over the youths answering the drug questions at the first / by the 12th registration
        ans = {0: np.flatnonzero(co["drug_answers"][0]), 2: np.flatnonzero(co["drug_answers"][1])}
        for off, item in ((0, "cannabis_days"), (nv, "other_drug_days")):
            for a, when in ((0, "first"), (2, "last")):
                rows.add(off + var[ans[a], a], *_sum_bounds(tr[item][when], ans[a].size, 1))
        groups = [(var[ans[0], 0], float(_printed(tr["cannabis_days"]["first"])[0])),
                  (var[ans[2], 2], float(_printed(tr["cannabis_days"]["last"])[0])),
                  (nv + var[ans[0], 0], float(_printed(tr["other_drug_days"]["first"])[0])),
                  (nv + var[ans[2], 2], float(_printed(tr["other_drug_days"]["last"])[0]))]
        seed = _rake_add(seed, groups, 0, 7)
        x = _solve(np.clip(seed, lb, ub), lb, ub, rows, self.r["solver"], "treatment: drug days")
        return {"cannabis_days": x[:nv][var].astype(float), "other_drug_days": x[nv:][var].astype(float)}

    def tem_forms(self) -> None:
        """Every TEM form: anchors as solved, the forms between and after interpolated (spec 3.4)."""
        rng = self.r["trajectories"]
        e, sh = self.e, self.d["shape"]
        gap = self.d["tem"]["gap_days"]
        off = self.d["tem"]["first_form_days"]
        parts = []
        for name, co in self.cohorts.items():
            m = co["members"]
            counts = e["tem_count"][m]
            youth, j = _form_positions(counts)
            vals = _fill_forms(youth, j, co["pos"], self.anchors[name], rng, sh)
            base = np.where(e["ungmap"][m], e["completed"][m], e["start"][m])
            key = "group" if name == "group" else ("behandling" if name == "treatment" else "counselling")
            lo, hi = off[key]
            first = base + rng.integers(lo, hi + 1, m.size)
            end = e["end"][m]
            first = np.minimum(first, end - (counts - 1))
            first = np.maximum(first, base)
            dates = _form_dates(youth, j, first, end, counts, rng, gap)
            parts.append(
                {"episode": m[youth], "j": j, "date": dates, "group": np.full(j.size, name == "group"),
                 "drug_missing": j < e["drug_from"][m][youth], **vals}
            )
        self.forms = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        # anchor values per episode, kept for the scaled generator
        self.anchor_pos = np.zeros((self.n, 3), dtype=np.int64)
        self.anchor_vals = {k: np.zeros((self.n, 3)) for k in _TEM_MEASURES}
        for name, co in self.cohorts.items():
            self.anchor_pos[co["members"]] = co["pos"]
            for k in _TEM_MEASURES:
                self.anchor_vals[k][co["members"]] = self.anchors[name][k]
