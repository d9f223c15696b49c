"""The typed structure the table builders read (filled once by prepare)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evalkit.compare.trajectories import FormPositions, Summary, Trajectories
from evalkit.report._build import prepared
from evalkit.report.model import Text
from evalkit.report.spec import Context


@dataclass
class Grouping:
    """A TEM cohort split into groups: which units, which group each is in, and the group labels."""

    key: str
    label: Text
    cohort: Text
    groups: tuple[str, ...]
    group_labels: dict[str, Text]
    codes: np.ndarray            # group index per unit, -1 = not in this grouping
    grid: str = "main"           # "main" (episode forms) or "gruppe" (group-course forms)
    members: list[np.ndarray] = field(init=False, repr=False)   # the units of each group (ascending)

    def __post_init__(self) -> None:
        self.members = [np.flatnonzero(self.codes == i) for i in range(len(self.groups))]


@dataclass
class Prepared:
    """Everything the table builders read (stored by :func:`prepare` with the toolkit's ``store_prepared``)."""

    c: Mapping[str, Any]
    episodes: dict[str, np.ndarray]
    kommuner: list[tuple[str, str]]          # (row key, name) of the printed municipalities
    ungmap: dict[str, np.ndarray]
    ungmap_under_min_age: int = 0            # treatment UngMaps left out for age (seed 004 p. 6.2 text)
    grids: dict[str, FormPositions] = field(default_factory=dict)
    groupings: dict[str, Grouping] = field(default_factory=dict)
    trajectories: dict[tuple[str, str], Summary] = field(default_factory=dict)
    units: dict[tuple[str, str], Trajectories] = field(default_factory=dict)
    scale: dict[str, int] = field(default_factory=dict)
    tem_notes: dict[str, int] = field(default_factory=dict)
    form_values: dict[str, np.ndarray] = field(default_factory=dict)


def _prep(ctx: Context) -> Prepared:
    return prepared(ctx, Prepared)
