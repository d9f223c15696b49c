"""Danish and English labels of the codes on every :mod:`evalkit.compare` result.

A result names what was computed by codes (``test_code``, ``p_method_code``, ``estimate_code``,
``estimate_ci_code``, ``effect_size_code``, ``effect_size_ci_code``, ``zero_handling_code``,
``tie_handling_code``, ``status``, ``alternative``); :func:`label` turns a code into text in one
language. The labels live in ``evalkit/compare/data/labels.yaml``, grouped by kind; codes are
unique across the groups.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources

import yaml

__all__ = ["LANGUAGES", "code_kinds", "label", "label_table"]

#: The languages every code has a label in.
LANGUAGES = ("da", "en")


@cache
def _load() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    entry = resources.files("evalkit.compare") / "data" / "labels.yaml"
    raw = yaml.safe_load(entry.read_text(encoding="utf-8"))
    labels: dict[str, dict[str, str]] = {}
    kinds: dict[str, str] = {}
    for kind, group in raw.items():
        for code, texts in group.items():
            if code in labels:
                raise ValueError(f"compare labels.yaml: code {code!r} appears in both {kinds[code]!r} and {kind!r}")
            missing = [lang for lang in LANGUAGES if not str(texts.get(lang, "")).strip()]
            if missing:
                raise ValueError(f"compare labels.yaml: code {code!r} has no label in {missing}")
            labels[code] = {lang: str(texts[lang]) for lang in LANGUAGES}
            kinds[code] = kind
    return labels, kinds


def label_table() -> Mapping[str, Mapping[str, str]]:
    """Every code with its labels, ``{code: {"da": ..., "en": ...}}`` (read-only view).

    >>> label_table()["paired_t"]["da"]
    'Parret t-test'
    """
    return _load()[0]


def code_kinds() -> Mapping[str, str]:
    """The kind of every code (``test``, ``p_method``, ``estimate``, ``ci_method``, ...).

    >>> code_kinds()["ci_clopper_pearson"]
    'ci_method'
    """
    return _load()[1]


def label(code: str, lang: str = "da") -> str:
    """The label of ``code`` in ``lang`` (``"da"`` or ``"en"``); an empty code gives ``""``.

    Raises ``KeyError`` for an unknown code and ``ValueError`` for an unknown language.

    >>> label("wilcoxon_signed_rank", "da")
    'Wilcoxons test for parrede observationer'
    >>> label("mcnemar", "en"), label("fisher_exact", "da")
    ("McNemar's test", 'Fishers eksakte test')
    >>> label("", "en")
    ''
    """
    if lang not in LANGUAGES:
        raise ValueError(f"`lang` must be one of {LANGUAGES}, got {lang!r}")
    if not code:
        return ""
    table = _load()[0]
    if code not in table:
        raise KeyError(f"no label for the compare code {code!r}")
    return table[code][lang]
