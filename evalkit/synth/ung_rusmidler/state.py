"""Shared state of the published-size UNG Rusmidler builder, and the Risikoprofil of an episode.

The builder (:class:`evalkit.synth.ung_rusmidler.published._Published`) is one class made of one
stage class per module (episodes, persons, UngMap, TEM); they share the design, the random streams
and the per-episode arrays declared here. Generates nothing itself; :meth:`_State._risk` derives the
Risikoprofil R0-R3 as the number of the three risk factors (Socialstyrelsen, *Erfaringsopsamling –
UNG Rusmidler*, figur 6.18), which the episode, UngMap and TEM stages all group by.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evalkit.synth._common import streams
from evalkit.synth.ung_rusmidler.targets import _PUBLISHED_STREAMS, _days, _design_cached


class _State:
    """What every stage of the published-size builder shares: the design, the random streams and ``e``.

    ``e`` holds one array per episode property (``etype``, ``kommune``, ``status``, ...); each stage reads
    the arrays of the stages before it and adds its own. The other attributes are set by the stage that
    first computes them.
    """

    d: dict[str, Any]
    r: dict[str, np.random.Generator]
    cutoff: int
    e: dict[str, np.ndarray]
    n: int                                   # episodes (skeleton)
    kommune_names: list[str]                 # skeleton
    group_in_treatment: dict[int, int]       # skeleton: kommune index -> group youths in treatment
    combo_bits: np.ndarray                   # treatment_cells: (8, 3) risk-factor combinations
    u: dict[str, Any]                        # ungmap_values: the UngMap youths' values
    boundary: np.ndarray                     # _drug_flags: youths with fixed day vectors
    cohorts: dict[str, dict[str, Any]]       # tem_anchors
    anchors: dict[str, dict[str, np.ndarray]]  # tem_anchors
    forms: dict[str, np.ndarray]             # tem_forms
    anchor_pos: np.ndarray                   # tem_forms
    anchor_vals: dict[str, np.ndarray]       # tem_forms

    def __init__(self, seed: int):
        self.d = _design_cached()
        self.r = streams(seed, _PUBLISHED_STREAMS)
        self.cutoff = _days(self.d["cutoff"])
        self.e: dict[str, np.ndarray] = {}

    def _risk(self, idx: np.ndarray) -> np.ndarray:
        """Risikoprofil 0-3 of episodes ``idx`` (-1 without UngMap)."""
        combo = self.e["combo"][idx]
        return np.where(combo >= 0, self.combo_bits.sum(axis=1)[np.maximum(combo, 0)], -1)
