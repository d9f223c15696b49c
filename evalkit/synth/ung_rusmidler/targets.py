"""Targets of the synthetic UNG Rusmidler sample: the printed figures, the free choices, the codes.

Loads the versioned design file: every value printed in chapter 6 of Socialstyrelsen's
*Erfaringsopsamling – UNG Rusmidler* that a person-level export determines (each with its figure
number, Danish decimal comma kept), the nearest consistent value where a figure is a misprint, and
every free parameter of the generator. Turns a printed value into exact integer targets: a mean
printed as "5,7" becomes the range of integer sums that round to it, a table of youths with at least
k TEM forms (figur 6.23-6.25, 6.29, 6.32) the number with exactly k. Also holds the dictionary codes
the design is indexed by, and the seed of the bundled sample (the year of the data cut-off, figur
6.19).

>>> _exactly_k([5, 3, 3, 1])
array([2, 0, 2, 1])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from evalkit.io.schema import dataset

#: Seed of the bundled sample (the year of the data cut-off, 004-F6.19).
DEFAULT_SEED = 2019
#: The three canonical tables, in dictionary order.
TABLES = ("logbog_episodes", "ungmap_intake", "tem_registrations")

_DATASET = "ung-rusmidler"
_DESIGN_FILE = "_ung_rusmidler_targets.yaml"
_DS = dataset(_DATASET)
_ETYPES = _DS.table("logbog_episodes").column("enrolment_type").codes      # anonym_raadgivning, raadgivning, behandling
_SEXES = _DS.table("logbog_episodes").column("sex").codes                  # K, M
_STATUSES = _DS.table("logbog_episodes").column("discharge_status").codes  # faerdigbehandlet, udeblevet, andet
_PROFILES = _DS.table("ungmap_intake").column("ungeprofil").codes          # LAV, SIP, SEP, SEIP
_SERVICES = ("svc_raadgivning", "svc_individuel_behandling", "svc_gruppeforloeb",
             "svc_inddragelse_paaroerende", "svc_andet")
_SUBSTANCES = ("hash", "kokain", "amfetamin", "ecstasy", "andre")           # the five of the stofscore
# The design file lists types, discharge statuses and profiles in the dictionary's code order.
if (tuple(_ETYPES), tuple(_STATUSES), tuple(_PROFILES)) != (
        ("anonym_raadgivning", "raadgivning", "behandling"), ("faerdigbehandlet", "udeblevet", "andet"),
        ("LAV", "SIP", "SEP", "SEIP")):
    raise RuntimeError("the ung-rusmidler dictionary changed its code order; update _ung_rusmidler_targets.yaml")
_ANON, _RAAD, _BEH = (_ETYPES.index(c) for c in ("anonym_raadgivning", "raadgivning", "behandling"))
_LAV, _SIP, _SEP, _SEIP = (_PROFILES.index(c) for c in ("LAV", "SIP", "SEP", "SEIP"))
_ANDET = _STATUSES.index("andet")
_EXTERNALISING, _INTERNALISING = [_SEP, _SEIP], [_SIP, _SEIP]
_EPOCH = date(1970, 1, 1)
_NEVER = 1 << 20   # ``drug_from`` of a youth who never answers the drug questions of the TEM form
_YEAR = 365.25
# Age bounds in days such that the age rounded to 2 decimals stays inside its band.
_AGE15, _AGE_U18_MAX, _AGE18, _AGE_MAX = 5479, 6570, 6575, 9492
_PUBLISHED_STREAMS = ("structure", "treatment", "counts", "los", "dates", "people", "ungmap", "drugs", "tem",
                      "trajectories", "solver")
_TEM_MEASURES = ("samlet", "koncentration", "planlaegning", "cannabis_days", "other_drug_days",
                 "alcohol_units_week", "drug_free")


@lru_cache(maxsize=1)
def _design_cached() -> dict[str, Any]:
    text = resources.files("evalkit.synth").joinpath(_DESIGN_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def design() -> dict[str, Any]:
    """The design of the published-size sample: printed targets and documented free choices.

    Loaded from ``evalkit/synth/_ung_rusmidler_targets.yaml`` (versioned). Printed values keep the
    Danish decimal comma of seed 004 and cite their figure id; free choices are marked ``free``;
    nearest-consistent replacements of misprints are marked ``deviation`` with the audit finding.

    Returns
    -------
    dict
        A fresh copy; changing it does not change the generator.

    Examples
    --------
    >>> d = design()
    >>> d["version"], d["ungmap"]["n"], d["tem"]["at_least_k"]["treatment"][0]
    (2, 390, 327)
    """
    return yaml.safe_load(yaml.safe_dump(_design_cached(), allow_unicode=True))


def _days(iso: str) -> int:
    return (date.fromisoformat(str(iso)) - _EPOCH).days


def _printed(value: Any) -> tuple[Fraction, int]:
    """A printed value ("5,7") or ``{chosen: 5.7}`` as an exact fraction and its decimals."""
    if isinstance(value, dict):
        value = value["chosen"]
    text = str(value).replace(",", ".").strip()
    decimals = len(text.split(".")[1]) if "." in text else 0
    return Fraction(text), decimals


def _sum_bounds(value: Any, n: int, scale: int = 1, inner: Fraction = Fraction(4, 5)) -> tuple[int, int]:
    """Integer range of ``sum(x)`` so that ``sum(x) / (scale * n)`` rounds half-up to ``value``.

    With half a unit ``h`` of the printed precision the mean must lie in ``[v - h, v + h)``. The
    range asked for is the inner part ``v +- inner * h`` (so the figure does not depend on the
    rounding rule or on floating-point noise in whoever recomputes it), unless that holds no integer.

    >>> _sum_bounds("5,7", 327, 3)    # samlet trivsel = (sum of three items) / 3
    (5553, 5630)
    """
    v, d = _printed(value)
    h = Fraction(1, 2 * 10 ** d)
    lo = math.ceil((v - inner * h) * scale * n)
    hi = math.floor((v + inner * h) * scale * n)
    if lo > hi:
        lo = math.ceil((v - h) * scale * n)
        hi = math.ceil((v + h) * scale * n) - 1
    return lo, hi


def _exactly_k(at_least: Sequence[int]) -> np.ndarray:
    """Youths with exactly k forms (k = 1..11) and with 12 or more, from a ">= k" table."""
    a = np.asarray(at_least, dtype=np.int64)
    out = np.append(a[:-1] - a[1:], a[-1])
    if (out < 0).any():
        raise ValueError(f"a table of youths with >= k forms must be non-increasing: {a.tolist()}")
    return out
