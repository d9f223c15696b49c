"""The published-size UNG Rusmidler sample: runs the stages in order and assembles the three tables.

:class:`_Published` is the builder made of the stage classes (episodes, persons, UngMap, TEM); its
:meth:`~_Published.build` runs them in the order the targets depend on each other and assembles
``logbog_episodes`` (numbered by start date, identified persons ``P...`` and anonymous codes
``A...``), ``ungmap_intake`` and ``tem_registrations``, plus the per-episode arrays the scaled
generator resamples. Every figure of chapter 6 of Socialstyrelsen's *Erfaringsopsamling – UNG
Rusmidler* that a person-level export determines is met by the stages; this module only orders rows
and assigns ids. :func:`_base` caches the sample per seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.synth._common import canonical_frame, make_ids
from evalkit.synth.ung_rusmidler.episodes import _EpisodeStages
from evalkit.synth.ung_rusmidler.frames import _date32, _tem_table
from evalkit.synth.ung_rusmidler.persons import _PersonStages
from evalkit.synth.ung_rusmidler.targets import (
    _ANDET,
    _ANON,
    _DATASET,
    _EXTERNALISING,
    _INTERNALISING,
    _SERVICES,
    _SEXES,
    _SUBSTANCES,
    _YEAR,
)
from evalkit.synth.ung_rusmidler.tem import _TemStages
from evalkit.synth.ung_rusmidler.ungmap import _UngMapStages


@dataclass
class _Base:
    """The published-size tables plus the per-person arrays the scaled generator resamples."""

    tables: dict[str, pd.DataFrame]
    arrays: dict[str, np.ndarray]


class _Published(_EpisodeStages, _PersonStages, _UngMapStages, _TemStages):
    """Builds the published-size sample step by step; each method fills arrays in ``self.e``."""

    def build(self) -> _Base:
        self.skeleton()
        self.treatment_cells()
        self.group_treatment()
        self.counselling_cells()
        self.tem_counts()
        self.drug_item_gaps()
        self.lengths_of_stay()
        self.dates()
        self.sex_and_bands()
        self.repeat_entrants()
        self.ages()
        self.ungmap_values()
        self.tem_anchors()
        self.tem_forms()
        svc = self.services()
        return self.assemble(svc)

    def assemble(self, svc: dict[str, np.ndarray]) -> _Base:
        e, d = self.e, self.d
        rng = self.r["structure"]
        n = self.n
        # episodes in order of start date: the Logbog's running number
        order = np.lexsort((rng.random(n), e["start"]))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        episode_ids = make_ids("E", n)
        ep_id = episode_ids.take(pa.array(rank))
        anon = e["etype"] == _ANON
        # person keys: identified persons P..., anonymous codes A..., numbered by first episode
        first_rank = np.full(int(e["person"].max()) + 1, n, dtype=np.int64)
        np.minimum.at(first_rank, e["person"], rank)
        p_order = np.argsort(first_rank, kind="stable")
        p_num = np.empty_like(p_order)
        p_num[p_order] = np.arange(p_order.size)
        person_key = pc.if_else(pa.array(anon), make_ids("A", p_order.size).take(pa.array(p_num[e["person"]])),
                                make_ids("P", p_order.size).take(pa.array(p_num[e["person"]])))
        status = np.where(e["status"] >= 0, e["status"], -1)
        details = np.array(d["episodes"]["andet_details"], dtype=object)
        detail = np.where(status == _ANDET, details[rng.integers(0, details.size, n)], np.array(None, dtype=object))
        age = np.round((e["start"] - e["birth"]) / _YEAR, 2)

        def bool_arr(codes: np.ndarray) -> pa.Array:
            return pa.array(codes == 1, mask=codes < 0)

        logbog = {
            "episode_id": ep_id,
            "person_key": person_key,
            "kommune": pa.array(np.array(self.kommune_names, dtype=object)[e["kommune"]]),
            "forloeb": e["forloeb"].astype(np.int64),
            "enrolment_type": e["etype"].astype(np.int64),
            "start_date": _date32(e["start"]),
            "age_at_start": age,
            "sex": np.where(e["woman"], _SEXES.index("K"), _SEXES.index("M")).astype(np.int64),
            "discharge_date": _date32(e["discharge"], e["discharge"] < 0),
            "discharge_status": status.astype(np.int64),
            "discharge_reason_detail": pa.array(detail, type=pa.string()),
            **{s: bool_arr(svc[s]) for s in _SERVICES},
        }
        tables_ep = canonical_frame(_DATASET, "logbog_episodes", logbog).iloc[order].reset_index(drop=True)
        # UngMap
        u = self.u
        ung = u["idx"]
        u_order = np.lexsort((rank[ung], e["completed"][ung]))
        days = u["days"]
        profile = u["profile"]
        ungmap = {
            "ungmap_id": make_ids("U", ung.size),
            "episode_id": ep_id.take(pa.array(ung[u_order])),
            "person_key": person_key.take(pa.array(ung[u_order])),
            "completed_date": _date32(e["completed"][ung][u_order]),
            "age_at_ungmap": np.round((e["completed"][ung] - e["birth"][ung]) / _YEAR, 2)[u_order],
            **{f"days_{s}_30": days[u_order, i].astype(np.int64) for i, s in enumerate(_SUBSTANCES)},
            "days_opioider_30": days[u_order, 5].astype(np.int64),
            "used_centralstimulerende_30": pa.array(u["flags"][u_order, 6] == 1),
            "drug_free_30": pa.array(u["drug_free"][u_order]),
            "in_education": pa.array(u["edu"][u_order]),
            "uddannelseshjaelp": pa.array(u["udd"][u_order]),
            "psych_diagnosis_by_psychiatrist": pa.array(u["psych"][u_order]),
            "illegal_activities": pa.array(u["illegal"][u_order]),
            "ungeprofil": profile[u_order].astype(np.int64),
            "severe_internalising": pa.array(np.isin(profile, _INTERNALISING)[u_order]),
            "severe_externalising": pa.array(np.isin(profile, _EXTERNALISING)[u_order]),
        }
        tables_um = canonical_frame(_DATASET, "ungmap_intake", ungmap)
        # TEM: in order of date, then episode, then position
        f = self.forms
        t_order = np.lexsort((f["j"], rank[f["episode"]], f["date"]))
        tables_tem = self._tem_frame(f, t_order, ep_id, person_key)
        arrays = {
            "rank": rank, "person": e["person"], "etype": e["etype"], "forloeb": e["forloeb"], "wstart": e["wstart"],
            "start": e["start"], "discharge": e["discharge"], "end": e["end"], "completed": e["completed"],
            "birth": e["birth"], "birth_lo": e["birth_lo"], "birth_hi": e["birth_hi"],
            "tem_count": e["tem_count"], "group": e["group"], "anchor_pos": self.anchor_pos,
            "drug_from": e["drug_from"],
            "tem_first": np.full(n, -1, dtype=np.int64), "ungmap_row": np.full(n, -1, dtype=np.int64),
            **{f"anchor_{k}": v for k, v in self.anchor_vals.items()},
        }
        first_date = np.full(n, np.iinfo(np.int64).max)
        np.minimum.at(first_date, f["episode"], f["date"])
        arrays["tem_first"] = np.where(e["tem_count"] > 0, first_date, -1)
        u_row = np.empty(ung.size, dtype=np.int64)
        u_row[u_order] = np.arange(ung.size)
        arrays["ungmap_row"][ung] = u_row
        # TEM rows per episode in form order, for copying whole trajectories
        by_ep = np.lexsort((f["j"], f["episode"]))
        pos_in_table = np.empty(t_order.size, dtype=np.int64)
        pos_in_table[t_order] = np.arange(t_order.size)
        arrays["tem_rows"] = pos_in_table[by_ep]
        arrays["tem_ptr"] = np.concatenate([[0], np.cumsum(np.bincount(f["episode"], minlength=n))])
        return _Base({"logbog_episodes": tables_ep, "ungmap_intake": tables_um, "tem_registrations": tables_tem},
                     arrays)

    def _tem_frame(
        self, f: dict[str, np.ndarray], order: np.ndarray, ep_id: pa.Array, person_key: pa.Array
    ) -> pd.DataFrame:
        return _tem_table(f, order, ep_id, person_key, self.d["tem"]["recall_window_days"])


@lru_cache(maxsize=4)
def _base(seed: int) -> _Base:
    return _Published(seed).build()
