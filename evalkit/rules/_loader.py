"""Load versioned rule files (YAML) into read-only mappings.

Every rule file shipped in ``evalkit/rules/*.yaml`` (and every rule file a data owner supplies,
such as an Ungeprofil classifier) starts with the same header:

``rule``        the rule's name (for shipped files: the file name without ``.yaml``)
``version``     an integer or string the owner bumps on every change
``source``      where the definition comes from (seed figure id, anchors.md section, letter, ...)
``valid_from``  ISO date from which the definition applies

Everything else is the rule's own content, checked by the module that uses it. Shipped files are
read once (:func:`functools.cache`) and returned as nested read-only mappings and tuples, so a caller
cannot change a threshold for everybody by accident. Intervals are written with explicit bounds:
``min`` / ``max`` plus ``include_min`` / ``include_max`` (see :func:`interval_mask`).
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np
import yaml

HEADER_KEYS = ("rule", "version", "source", "valid_from")


class RuleFileError(ValueError):
    """A rule file is missing, malformed or lacks a required header field."""


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Turn a frozen rule (read-only mappings and tuples) back into plain dicts and lists.

    >>> thaw(load_rule("who5")["items"]["columns"])[:2]
    ['who5_1', 'who5_2']
    """
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


def validate_header(raw: Any, origin: str) -> Mapping[str, Any]:
    """Check the common header of a rule file and return it frozen.

    Raises :class:`RuleFileError` naming the file and the missing field.
    """
    if not isinstance(raw, Mapping):
        raise RuleFileError(f"{origin}: a rule file must be a YAML mapping, got {type(raw).__name__}")
    missing = [k for k in HEADER_KEYS if raw.get(k) in (None, "")]
    if missing:
        raise RuleFileError(
            f"{origin}: missing header field(s) {', '.join(f'`{k}`' for k in missing)}; "
            f"every rule file needs {', '.join(HEADER_KEYS)}"
        )
    valid_from = raw["valid_from"]
    if not isinstance(valid_from, _dt.date):
        try:
            _dt.date.fromisoformat(str(valid_from))
        except ValueError as exc:
            raise RuleFileError(f"{origin}: `valid_from` must be an ISO date (yyyy-mm-dd), got {valid_from!r}") from exc
    return _freeze(raw)


def shipped_rule_names() -> list[str]:
    """Names of the rule files shipped with evalkit.

    >>> "stofscore" in shipped_rule_names()
    True
    """
    folder = resources.files("evalkit.rules")
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


@cache
def load_rule(name: str) -> Mapping[str, Any]:
    """Load the shipped rule file ``evalkit/rules/<name>.yaml`` (cached, read-only).

    >>> rule = load_rule("stofscore")
    >>> rule["rule"], rule["threshold"]["value"]
    ('stofscore', 12)
    """
    known = shipped_rule_names()
    if name not in known:
        raise RuleFileError(f"unknown rule file `{name}`; shipped rule files: {', '.join(known)}")
    entry = resources.files("evalkit.rules") / f"{name}.yaml"
    raw = yaml.safe_load(entry.read_text(encoding="utf-8"))
    rule = validate_header(raw, f"evalkit/rules/{name}.yaml")
    if rule["rule"] != name:
        raise RuleFileError(f"evalkit/rules/{name}.yaml: header `rule` is {rule['rule']!r}, expected {name!r}")
    return rule


def load_rule_file(path: str | os.PathLike[str], *, expect_rule: str | None = None) -> Mapping[str, Any]:
    """Load a rule file supplied by a user or data owner (not cached; read-only result).

    Parameters
    ----------
    path
        Path to a YAML file with the common header (``rule``, ``version``, ``source``, ``valid_from``).
    expect_rule
        If given, the header's ``rule`` must equal it (protects against passing the wrong file).
    """
    origin = os.fspath(path)
    try:
        with open(origin, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh)
    except OSError as exc:
        raise RuleFileError(f"cannot read rule file {origin!r}: {exc.strerror}") from exc
    rule = validate_header(raw, origin)
    if expect_rule is not None and rule["rule"] != expect_rule:
        raise RuleFileError(f"{origin}: header `rule` is {rule['rule']!r}, expected {expect_rule!r}")
    return rule


def rule_id(rule: Mapping[str, Any]) -> str:
    """A short provenance string ``name@version`` for ledgers and report footnotes.

    >>> rule_id(load_rule("who5"))
    'who5@1'
    """
    return f"{rule['rule']}@{rule['version']}"


def interval_mask(values: np.ndarray, spec: Mapping[str, Any]) -> np.ndarray:
    """Boolean mask of ``values`` inside the interval described by ``spec``.

    ``spec`` may give ``min`` and/or ``max``; ``include_min`` / ``include_max`` default to ``True``.
    NaN is never inside an interval.

    >>> interval_mask(np.array([35.0, 36.0, np.nan]), {"min": 0, "max": 35})
    array([ True, False, False])
    >>> interval_mask(np.array([50.0, 52.0]), {"min": 50, "include_min": False})
    array([False,  True])
    """
    values = np.asarray(values, dtype="float64")
    mask = ~np.isnan(values)
    lo = spec.get("min")
    hi = spec.get("max")
    if lo is not None:
        mask &= values >= lo if spec.get("include_min", True) else values > lo
    if hi is not None:
        mask &= values <= hi if spec.get("include_max", True) else values < hi
    return mask
