"""Logbog episodes of the synthetic UNG Rusmidler sample: kommune, type, cells, discharges, services.

Builds the 569 episodes per kommune and enrolment type (figur 6.3 of Socialstyrelsen's
*Erfaringsopsamling – UNG Rusmidler*) with their registration windows (figur 6.1), the group-course
youths (figur 6.24; in the kommune without anonymous counselling, treatment episodes, the second
figur 5.1), the cross-classification of the 449 treatment episodes by risk factors, Ungeprofil,
TEM forms and discharge status (figur 6.11, 6.18, 6.21, 6.31, 6.34, 6.37), the UngMaps per kommune
(one kommune with room for exactly 19 % opioid users, sections 6.3 and 6.5), the discharges of
counselling episodes and who of them has TEM forms (figur 6.19, 6.23), and the services ticked at
discharge (figur 6.22).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from evalkit.synth._common import apportion
from evalkit.synth.ung_rusmidler.solver import _choose, _deal, _draw, _ipf, _rake_prob, _Rows, _solve
from evalkit.synth.ung_rusmidler.state import _State
from evalkit.synth.ung_rusmidler.targets import _ANON, _BEH, _PROFILES, _RAAD, _SERVICES, _days


class _EpisodeStages(_State):
    """Stages that build the Logbog episodes: structure, cells, discharges, services."""

    def skeleton(self) -> None:
        """Episodes per kommune and type (004-F6.3) and the group-course youths (004-F6.24).

        Group youths are anonymous-counselling episodes; in a kommune without anonymous counselling
        they are treatment episodes without individual TEM forms, chosen by :meth:`group_treatment`.
        """
        names, forloeb, etype, group = [], [], [], []
        self.group_in_treatment: dict[int, int] = {}
        for name, spec in self.d["kommuner"].items():
            n_group = self.d["group_course_youths"].get(name, 0)
            n_anon = spec["episodes"][_ANON]
            if n_anon == 0 and n_group:
                self.group_in_treatment[list(self.d["kommuner"]).index(name)] = n_group
                n_group = 0
            elif n_group > n_anon:
                raise ValueError(f"{name}: {n_group} group-course youths but {n_anon} anonymous episodes")
            for t, k in enumerate(spec["episodes"]):
                names += [name] * k
                forloeb += [spec["forloeb"]] * k
                etype += [t] * k
                group += [t == _ANON and i < n_group for i in range(k)]
        self.kommune_names = list(self.d["kommuner"])
        self.e["kommune"] = np.array([self.kommune_names.index(x) for x in names])
        self.e["forloeb"] = np.array(forloeb)
        self.e["etype"] = np.array(etype)
        self.e["group"] = np.array(group)
        n = len(names)
        self.n = n
        win = {int(k): _days(v["registration_start"]) for k, v in self.d["forloeb"].items()}
        self.e["wstart"] = np.array([win[f] for f in forloeb])
        for key, fill in (("ungmap", False), ("tem", False), ("combo", -1), ("profile", -1),
                          ("status", -1), ("tem_count", 0), ("opioid", False), ("drug_from", 0)):
            self.e[key] = np.full(n, fill)

    def treatment_cells(self) -> None:
        """Cross-classify the 449 treatment episodes (004-F6.11, 6.18, 6.21, 6.31, 6.34, 6.37).

        The UngMap youths get a (risk-factor combination, Ungeprofil, TEM, discharge status) cell
        from an integer table whose margins are the printed counts; the others a (TEM, status) cell.
        """
        rng = self.r["treatment"]
        um, tr = self.d["ungmap"], self.d["treatment"]
        beh = np.flatnonzero(self.e["etype"] == _BEH)
        ung = np.concatenate([_choose(rng, beh[self.e["kommune"][beh] == k], n_k)
                              for k, n_k in enumerate(self._ungmaps_per_kommune())])
        counts_c = np.array(list(um["risk_combinations"].values()))
        bits = np.array([[int(ch) for ch in c] for c in um["risk_combinations"]])   # (8, 3): s, p, u
        r_of = bits.sum(axis=1)
        odds = um["profile_odds"]
        w_cp = np.tile(np.array([odds["base"][p] for p in _PROFILES], dtype=float), (8, 1))
        for f, key in enumerate(("stofscore_12plus", "psych_diagnosis", "uddannelseshjaelp")):
            fac = np.array([odds[key][p] for p in _PROFILES])
            w_cp *= np.where(bits[:, [f]] == 1, fac[None, :], 1.0)
        tem_w = np.array([tr["tem_odds"][p] for p in _PROFILES])
        shape = (8, 4, 2, 4)                                     # combo, profile, TEM, status (0 = ongoing)
        C, P, T, S = np.indices(shape)
        R = r_of[C]
        seed = (counts_c[C] * (w_cp / w_cp.sum(axis=1, keepdims=True))[C, P]
                * np.where(T == 1, tem_w[P], 1.0) / 8.0)
        cell = np.arange(seed.size).reshape(shape)
        tem_by_r = np.array(tr["tem_by_risikoprofil"])
        r_total = np.bincount(r_of, weights=counts_c, minlength=4).astype(int)
        dis_r = np.array(tr["discharged_by_risikoprofil"])                  # (4 R, 3 status)
        dis_t = np.subtract(tr["discharged_tem_by_status"], tr["no_ungmap"]["discharged_tem"])
        status_tem = np.concatenate([[tem_by_r.sum() - dis_t.sum()], dis_t])
        status_all = np.concatenate([[um["n"] - dis_r.sum()], dis_r.sum(axis=0)])
        prof_n = [um["ungeprofil"][p] for p in _PROFILES]
        prof_t = [tr["tem_by_ungeprofil"][p] for p in _PROFILES]
        groups: list[tuple[np.ndarray, float]] = []
        for c in range(8):
            groups.append((cell[C == c], counts_c[c]))
        for p in range(4):
            groups += [(cell[(P == p) & (T == 1)], prof_t[p]), (cell[(P == p) & (T == 0)], prof_n[p] - prof_t[p])]
        for r in range(4):
            groups += [(cell[(R == r) & (T == 1)], tem_by_r[r]), (cell[(R == r) & (T == 0)], r_total[r] - tem_by_r[r])]
            groups += [(cell[(R == r) & (S == s + 1)], dis_r[r, s]) for s in range(3)]
            groups.append((cell[(R == r) & (S == 0)], r_total[r] - dis_r[r].sum()))
        for s in range(4):
            groups += [
                (cell[(S == s) & (T == 1)], status_tem[s]),
                (cell[(S == s) & (T == 0)], status_all[s] - status_tem[s]),
            ]
        fitted = _ipf(seed.ravel(), groups)
        rows = _Rows(seed.size)
        for idx, target in groups:
            rows.add(idx, target)
        table = _solve(fitted, 0, np.inf, rows, self.r["solver"], "treatment cross-classification")
        flat = _deal(rng, ung, table)
        c_i, p_i, t_i, s_i = np.unravel_index(flat, shape)
        self.e["ungmap"][ung] = True
        self.e["combo"][ung] = c_i
        self.e["profile"][ung] = p_i
        self.e["tem"][ung] = t_i == 1
        self.e["status"][ung] = s_i - 1
        self.combo_bits = bits
        # treatment episodes without UngMap: (TEM, status) cells
        nu = tr["no_ungmap"]
        rest = np.setdiff1d(beh, ung)
        dis, dis_t = np.array(nu["discharged"]), np.array(nu["discharged_tem"])
        n_t_ongoing = nu["tem"] - dis_t.sum()
        counts = [n_t_ongoing, *dis_t, len(rest) - nu["tem"] - (dis - dis_t).sum(), *(dis - dis_t)]
        lab = _deal(rng, rest, counts)
        self.e["tem"][rest] = lab < 4
        self.e["status"][rest] = np.where(lab % 4 == 0, -1, lab % 4 - 1)

    def group_treatment(self) -> None:
        """Group youths of a kommune without anonymous counselling (Hvidovre, 004-F5.1b): treatment
        episodes without individual TEM forms, whose TEM forms all come from the group course."""
        rng = self.r["treatment"]
        e = self.e
        for k_i, n_group in self.group_in_treatment.items():
            pool = np.flatnonzero((e["kommune"] == k_i) & (e["etype"] == _BEH) & ~e["tem"])
            if pool.size < n_group:
                raise RuntimeError(f"{self.kommune_names[k_i]}: {pool.size} treatment episodes without TEM forms "
                                   f"for {n_group} group-course youths")
            e["group"][_choose(rng, pool, n_group)] = True

    def _ungmaps_per_kommune(self) -> np.ndarray:
        """UngMaps per kommune: proportional to its treatment episodes (largest remainder), except
        the opioid kommune, which gets the nearest size that can show exactly 19 % opioid users."""
        um = self.d["ungmap"]
        beh_k = np.bincount(self.e["kommune"][self.e["etype"] == _BEH], minlength=len(self.kommune_names))
        name = um["opioid_kommune"]
        k_i = self.kommune_names.index(name)
        share = um["n"] * beh_k[k_i] / beh_k.sum()
        sizes = [n for n in range(1, int(beh_k[k_i]) + 1)
                 if any(Fraction(37, 2) <= Fraction(100 * k, n) < Fraction(39, 2) for k in range(1, n + 1))]
        if not sizes:
            raise ValueError(f"{name} has too few treatment episodes to show 19 % opioid users")
        n_star = min(sizes, key=lambda n: (abs(n - share), n))
        others = beh_k.copy()
        others[k_i] = 0
        out = apportion(um["n"] - n_star, others)
        out[k_i] = n_star
        return out

    def counselling_cells(self) -> None:
        """Discharges of counselling episodes (004-F6.19) and which counselling youths have TEM."""
        rng = self.r["treatment"]
        ct = self.d["tem"]["counselling_tem"]
        raad = np.flatnonzero(self.e["etype"] == _RAAD)
        dis = np.array(self.d["episodes"]["discharged"]["raadgivning"])
        k_t = ct["raadgivning_discharged"]
        counts = [k_t, dis.sum() - k_t, ct["raadgivning"] - k_t, len(raad) - dis.sum() - (ct["raadgivning"] - k_t)]
        lab = _deal(rng, raad, counts)
        discharged = raad[lab < 2]
        self.e["status"][discharged] = _deal(rng, discharged, dis)
        self.e["tem"][raad[(lab == 0) | (lab == 2)]] = True
        anon = np.flatnonzero((self.e["etype"] == _ANON) & ~self.e["group"])
        self.e["tem"][_choose(rng, anon, ct["anonym_raadgivning"])] = True

    def services(self) -> dict[str, np.ndarray]:
        """Services ticked at discharge (004-F6.22); each discharged youth has at least one."""
        rng = self.r["structure"]
        e = self.e
        spec = self.d["episodes"]["services"]
        sh = self.d["shape"]["services"]
        group_k = [self.kommune_names.index(k) for k in sh["group_kommuner"]]
        out = {s: np.full(self.n, -1, dtype=np.int64) for s in _SERVICES}
        for t, key in ((_RAAD, "raadgivning"), (_BEH, "behandling")):
            members = np.flatnonzero((e["etype"] == t) & (e["status"] >= 0))
            cols = [s for s in _SERVICES if spec[key][s] is not None]
            n, c = members.size, len(cols)
            in_group = np.isin(e["kommune"][members], group_k)
            p = np.stack([np.where(in_group, sh[s]["group_kommune"], sh[s]["other"]) if s == "svc_gruppeforloeb"
                          else np.full(n, sh[s]) for s in cols], axis=1)
            var = np.arange(n * c).reshape(n, c)
            rows = _Rows(n * c)
            for j, s in enumerate(cols):
                rows.add(var[:, j], spec[key][s])
            for i in range(n):
                rows.add(var[i], 1, c)
            p = _draw(rng, _rake_prob(p.ravel(), [(var[:, j], spec[key][s]) for j, s in enumerate(cols)]))
            x = _solve(p, 0, 1, rows, self.r["solver"], f"services {key}").reshape(n, c)
            for j, s in enumerate(cols):
                out[s][members] = x[:, j]
        return out
