"""Derived institution-level variables: used by the crosstabs and offered to custom tables by name.

Each function takes the institution rows (and the project rows where it needs them) and returns one
value per institution, missing where the input is missing:

- ``policy_approach``: the project's drug policy, ``common`` (fælles) or ``individual`` (6.4);
- ``school_group``: ``gymnasial`` (stx, hf, htx, hhx), ``produktionsskole``, ``teknisk_skole`` or ``oevrige``
  (the groups of the claim in 5.5);
- ``has_action_plan``: ``yes`` for a separate or integrated action plan, ``no`` for none (6.2);
- ``trained_detection``: ``yes`` when more than half or all teachers are trained in detection (7.1).

>>> import pandas as pd
>>> inst = pd.DataFrame({"project": ["skive", "odense"], "school_type": ["hhx", "landbrugsskole"],
...                      "action_plan": ["ingen", None], "training_opspore": ["alle", "ingen"]})
>>> proj = pd.DataFrame({"project": ["skive", "odense"], "politik": ["faelles", "individuel_valgt"]})
>>> policy_approach(inst, proj).tolist(), school_group(inst).tolist()
(['common', 'individual'], ['gymnasial', 'oevrige'])
>>> has_action_plan(inst).tolist(), trained_detection(inst).tolist()
(['no', None], ['yes', 'no'])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from evalkit.io.schema import dataset

__all__ = ["VARIABLES", "has_action_plan", "policy_approach", "school_group", "trained_detection"]

SCHOOL_GROUPS = {"almen_gymnasium": "gymnasial", "hf": "gymnasial", "htx": "gymnasial", "hhx": "gymnasial",
                 "produktionsskole": "produktionsskole", "teknisk_skole": "teknisk_skole"}
SCHOOL_GROUP_KEYS = ("gymnasial", "produktionsskole", "teknisk_skole", "oevrige")


def _mapped(values: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    out = values.astype("object").map(dict(mapping))
    return pd.Series(np.where(out.isna().to_numpy(), None, out.to_numpy(dtype=object)), index=out.index, dtype=object)


def policy_approach(institutions: pd.DataFrame, projects: pd.DataFrame) -> pd.Series:
    """``common`` / ``individual``: the policy approach of each institution's project."""
    approach = {p: ("common" if a == "faelles" else "individual")
                for p, a in zip(projects["project"].astype("object"), projects["politik"].astype("object"), strict=True)
                if not pd.isna(a)}
    return _mapped(institutions["project"], approach)


def school_group(institutions: pd.DataFrame) -> pd.Series:
    """The group of each institution's type of youth education (the claim of section 5.5)."""
    codes = dataset("modelkommuner").table("mk_institutioner").column("school_type").codes
    return _mapped(institutions["school_type"], {t: SCHOOL_GROUPS.get(t, "oevrige") for t in codes})


def has_action_plan(institutions: pd.DataFrame) -> pd.Series:
    """``yes`` for a separate or integrated action plan, ``no`` for none."""
    return _mapped(institutions["action_plan"], {"saerskilt": "yes", "integreret": "yes", "ingen": "no"})


def trained_detection(institutions: pd.DataFrame) -> pd.Series:
    """``yes`` when more than half or all teachers are trained in early detection (the top two boxes)."""
    return _mapped(institutions["training_opspore"],
                   {"alle": "yes", "over_halvdelen": "yes", "under_halvdelen": "no", "ingen": "no"})


def _on_export(fn: Callable[..., pd.Series], needs_projects: bool = False) -> Callable[[object], pd.Series]:
    def variable(export: object) -> pd.Series:
        inst = export["mk_institutioner"]  # type: ignore[index]
        return fn(inst, export["mk_projekter"]) if needs_projects else fn(inst)  # type: ignore[index]
    variable.__doc__ = fn.__doc__
    return variable


#: The derived variables custom tables may use by name (``evalkit table ... --rows policy_approach``).
VARIABLES: dict[str, Callable[[object], pd.Series]] = {
    "policy_approach": _on_export(policy_approach, needs_projects=True),
    "school_group": _on_export(school_group),
    "has_action_plan": _on_export(has_action_plan),
    "trained_detection": _on_export(trained_detection),
}
