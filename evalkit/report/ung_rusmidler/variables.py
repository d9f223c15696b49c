"""Derived episode-level variables offered to custom tables by name (``evalkit table ... --rows risikoprofil``).

Each takes the export and returns one value per Logbog episode (row of ``logbog_episodes``), from the
episode's UngMap at intake; missing where the episode has no UngMap:

- ``ungeprofil``: LAV, SIP, SEP or SEIP (:func:`evalkit.profiles.resolve_ungeprofil`);
- ``risikoprofil``: R0 < R1 < R2 < R3 (:func:`evalkit.profiles.risikoprofil_from_ungmap`);
- ``stofscore``: 0-100 (:func:`evalkit.measures.stofscore`);
- ``stofscore_12plus``: yes/no (:func:`evalkit.measures.stofscore_12plus`).

>>> import evalkit
>>> ex = evalkit.read_export("data/samples/ung-rusmidler/export.xlsx")  # doctest: +SKIP
>>> VARIABLES["risikoprofil"](ex).value_counts().sort_index().tolist()  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from evalkit.io.export import Export
from evalkit.report._build.values import positions

__all__ = ["VARIABLES"]

_DAYS = ["days_hash_30", "days_kokain_30", "days_amfetamin_30", "days_ecstasy_30", "days_andre_30"]


def _on_episodes(export: Export, values: pd.Series) -> pd.Series:
    """One value per UngMap row placed on its episode's row (missing where the episode has none)."""
    episodes = export["logbog_episodes"]
    pos = positions(export["ungmap_intake"]["episode_id"], episodes["episode_id"])
    ok = pos >= 0
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = np.full(len(episodes), -1, dtype=np.int64)
        codes[pos[ok]] = values.cat.codes.to_numpy()[ok]
        return pd.Series(pd.Categorical.from_codes(codes, dtype=values.dtype), index=episodes.index)
    out = pd.Series([None] * len(episodes), index=episodes.index, dtype="object")
    out.iloc[pos[ok]] = values.to_numpy(dtype=object)[ok]
    numeric = pd.to_numeric(out, errors="coerce") if values.dtype.kind in "iuf" else None
    return numeric.astype("float64") if numeric is not None else out


def ungeprofil(export: Export) -> pd.Series:
    from evalkit.profiles import resolve_ungeprofil

    return _on_episodes(export, resolve_ungeprofil(export["ungmap_intake"]))


def risikoprofil(export: Export) -> pd.Series:
    from evalkit.profiles import risikoprofil_from_ungmap

    return _on_episodes(export, risikoprofil_from_ungmap(export["ungmap_intake"]))


def stofscore(export: Export) -> pd.Series:
    from evalkit.measures import stofscore as score

    return _on_episodes(export, score(export["ungmap_intake"][_DAYS]).astype("float64"))


def stofscore_12plus(export: Export) -> pd.Series:
    from evalkit.measures import stofscore_12plus as plus

    flags = plus(export["ungmap_intake"][_DAYS])
    text = flags.map({True: "ja", False: "nej"}).astype("object")
    return _on_episodes(export, text.where(flags.notna(), None))


VARIABLES: dict[str, Callable[[Export], pd.Series]] = {
    "ungeprofil": ungeprofil, "risikoprofil": risikoprofil, "stofscore": stofscore,
    "stofscore_12plus": stofscore_12plus,
}
