"""Printed-figure consistency checks for report writers (``evalkit check-figures FILE``).

A report that prints "30 skoler (68 %)", "Knap en tredjedel (34 %)" and "13 + 19 of 44" can be
checked without its data: a (count, %) pair fixes the possible bases, a % alone fixes the feasible
(k, n) pairs, parts must add up to their total, and a verbal quantifier must agree with its number.
The figures come from a YAML or CSV file (see :func:`load_figures`); the bundled example
``catalogues/003-printed-figures.yml`` holds the figures of NIRAS's evaluation of "Modelkommuneprojekt
Unge, alkohol og stoffer" (2011-2014).

Rounding: a printed ``p`` with ``d`` decimals stands for the true values in ``[p - h, p + h)`` with
``h = 0.5 * 10^-d`` (``half-up``, the default), ``[p - h, p + h]`` or ``(p - h, p + h)`` for even / odd
last digits (``half-even``), or ``[p, p + 2h)`` (``truncate``). All base arithmetic is in integers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from evalkit.io.schema import normalise_name
from evalkit.verify import CatalogueError, parse_printed

__all__ = [
    "QUANTIFIERS",
    "FigureSet",
    "Finding",
    "check_file",
    "check_set",
    "feasible_pairs",
    "load_figures",
    "quantifier_range",
]

#: Verbal quantifiers (normalised) and the range of per cent each allows, (low, high, low_open, high_open).
#: evalkit's reading of Danish usage ("knap" = just under, "godt" = just over, within 5 points); a file may
#: override any of them or add its own under ``quantifiers:``.
QUANTIFIERS: dict[str, tuple[float, float, bool, bool]] = {
    "alle": (100, 100, False, False), "ingen": (0, 0, False, False),
    "stort_set_alle": (90, 100, False, False), "naesten_alle": (90, 100, False, False),
    "stoerstedelen": (50, 100, True, False), "hovedparten": (50, 100, True, False),
    "de_fleste": (50, 100, True, False), "flertallet": (50, 100, True, False),
    "over_halvdelen": (50, 100, True, False), "mere_end_halvdelen": (50, 100, True, False),
    "under_halvdelen": (0, 50, False, True), "mindre_end_halvdelen": (0, 50, False, True),
    "halvdelen": (47.5, 52.5, False, False), "cirka_halvdelen": (45, 55, False, False),
    "omkring_halvdelen": (45, 55, False, False), "ca_halvdelen": (45, 55, False, False),
    "hver_anden": (45, 55, False, False),
    "knap_halvdelen": (45, 50, False, True), "godt_halvdelen": (50, 55, True, False),
    "en_tredjedel": (30, 36.67, False, False), "cirka_en_tredjedel": (30, 36.67, False, False),
    "knap_en_tredjedel": (28.33, 100 / 3, False, True), "godt_en_tredjedel": (100 / 3, 38.33, True, False),
    "hver_tredje": (30, 36.67, False, False), "to_tredjedele": (63.33, 70, False, False),
    "knap_to_tredjedele": (61.67, 200 / 3, False, True), "godt_to_tredjedele": (200 / 3, 71.67, True, False),
    "en_fjerdedel": (22.5, 27.5, False, False), "en_kvart": (22.5, 27.5, False, False),
    "hver_fjerde": (22.5, 27.5, False, False), "knap_en_fjerdedel": (20, 25, False, True),
    "godt_en_fjerdedel": (25, 30, True, False), "tre_fjerdedele": (72.5, 77.5, False, False),
    "hver_femte": (18, 22, False, False), "hver_tiende": (8, 12, False, False),
    "more_than_half": (50, 100, True, False), "most": (50, 100, True, False), "about_half": (45, 55, False, False),
    "just_under_a_third": (28.33, 100 / 3, False, True), "one_in_four": (22.5, 27.5, False, False),
}
#: Comparative quantifiers ("lidt mindre", "slightly lower"): the value is below (or above) the
#: reference by at most this relative share of the reference and this many percentage points.
COMPARATIVES: dict[str, tuple[int, float, float]] = {
    "lidt_mindre": (-1, 0.25, 10.0), "lidt_lavere": (-1, 0.25, 10.0), "lidt_faerre": (-1, 0.25, 10.0),
    "lidt_stoerre": (1, 0.25, 10.0), "lidt_hoejere": (1, 0.25, 10.0), "lidt_flere": (1, 0.25, 10.0),
    "slightly_lower": (-1, 0.25, 10.0), "slightly_smaller": (-1, 0.25, 10.0), "slightly_higher": (1, 0.25, 10.0),
}
_FILLER = ("en_", "et_", "af_", "ca_", "cirka_")


@dataclass(frozen=True)
class Finding:
    """One check of one figure: ``status`` is ``ok``, ``inconsistent`` or ``info``."""

    label: str
    check: str
    status: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FigureSet:
    """Figures and partitions read from a file, with the settings that apply to all of them."""

    figures: list[dict[str, Any]]
    partitions: list[dict[str, Any]]
    max_n: int = 50
    rounding: str = "half-up"
    candidate_bases: tuple[int, ...] = ()
    quantifiers: dict[str, tuple[float, float, bool, bool]] = field(default_factory=dict)


def _bounds(printed: Decimal, decimals: int, rounding: str) -> tuple[int, int, int, bool, bool]:
    """Integer form of the interval of true percentages: (low, high, scale, low_open, high_open), value = x/scale."""
    scale = 2 * 10**decimals
    p2 = int(printed * scale)          # 2 * p * 10^d, an even integer
    if rounding == "half-up":
        return p2 - 1, p2 + 1, scale, False, True
    if rounding == "half-even":
        even = (p2 // 2) % 2 == 0
        return p2 - 1, p2 + 1, scale, not even, not even
    if rounding == "truncate":
        return p2, p2 + 2, scale, False, True
    raise CatalogueError(f"unknown rounding {rounding!r}; one of half-up, half-even, truncate")


def feasible_pairs(printed: str, max_n: int = 50, rounding: str = "half-up",
                   bases: Any = None) -> list[tuple[int, int]]:
    """Every (k, n) with n <= ``max_n`` (or n in ``bases``) whose percentage 100 k / n prints as ``printed``.

    >>> feasible_pairs("68 %")[:3]
    [(13, 19), (15, 22), (17, 25)]
    >>> [n for k, n in feasible_pairs("21 %")][:4], (9, 44) in feasible_pairs("21 %")
    ([14, 19, 24, 28], False)
    """
    value, decimals = _percent(printed)
    low, high, scale, low_open, high_open = _bounds(value, decimals, rounding)
    n = np.arange(1, max_n + 1, dtype=np.int64) if bases is None else np.asarray(sorted(set(bases)), dtype=np.int64)
    # 100 k / n in [low/scale, high/scale)  <=>  low * n <= 100 * scale * k < high * n
    k_min = -((-low * n) // (100 * scale))
    k_min = np.where(low_open & (k_min * 100 * scale == low * n), k_min + 1, k_min)
    k_max = (high * n) // (100 * scale)
    k_max = np.where(high_open & (k_max * 100 * scale == high * n), k_max - 1, k_max)
    pairs = [(int(k), int(nn)) for nn, a, b in zip(n, k_min, np.minimum(k_max, n), strict=True)
             for k in range(max(int(a), 0), int(b) + 1)]
    return pairs


def _percent(printed: str) -> tuple[Decimal, int]:
    value = parse_printed(str(printed))
    text = str(printed).replace("%", "").replace("pct.", "").strip()
    decimals = len(text.rsplit(",", 1)[1]) if "," in text else 0
    return value, decimals


def _is_percent(fig: dict[str, Any]) -> bool:
    return "%" in str(fig.get("printed", "")) or "pct" in str(fig.get("printed", "")) or fig.get("unit") == "percent"


def quantifier_range(phrase: str, extra: dict | None = None) -> tuple[float, float, bool, bool] | None:
    """The per-cent range a verbal quantifier allows, or ``None`` if it has no agreed range.

    >>> quantifier_range("Knap en tredjedel")[:2]
    (28.33, 33.333333333333336)
    >>> quantifier_range("Størstedelen af skolerne")[:2], quantifier_range("Enkelte") is None
    ((50, 100), True)
    """
    table = {**QUANTIFIERS, **{normalise_name(k): tuple(v) for k, v in (extra or {}).items()}}
    key = normalise_name(phrase)
    words = key.split("_")
    # the longest leading run of words that names a quantifier ("knap en tredjedel af skolerne")
    for end in range(len(words), 0, -1):
        candidate = "_".join(words[:end])
        for c in (candidate, *(candidate[len(f):] for f in _FILLER if candidate.startswith(f))):
            if c in table:
                return table[c]  # type: ignore[return-value]
    return None


def _comparative(phrase: str) -> tuple[int, float, float] | None:
    key = normalise_name(phrase)
    for name, rule in COMPARATIVES.items():
        if name in key:
            return rule
    return None


def _within(value: float, rng: tuple[float, float, bool, bool]) -> bool:
    low, high, low_open, high_open = rng
    above = value > low if low_open else value >= low - 1e-9
    below = value < high if high_open else value <= high + 1e-9
    return above and below


def _fmt(x: float) -> str:
    """Up to three decimals, so that a value next to a rounding boundary shows which side it is on."""
    return f"{x:.3f}".rstrip("0").rstrip(".")


def _pair_findings(fig: dict[str, Any], s: FigureSet) -> list[Finding]:
    label, out = str(fig["label"]), []
    count, base = fig.get("count"), fig.get("base")
    rounding = str(fig.get("rounding", s.rounding))
    if _is_percent(fig):
        if count is not None and base is not None:
            ok = (int(count), int(base)) in feasible_pairs(fig["printed"], rounding=rounding, bases=[int(base)])
            true = 100 * int(count) / int(base)
            out.append(Finding(label, "count-percent-base", "ok" if ok else "inconsistent",
                               f"{count}/{base} = {_fmt(true)} % "
                               f"{'prints' if ok else 'does not print'} as {fig['printed']}",
                               {"count": count, "base": base, "percent": true}))
        elif base is not None:
            ks = [k for k, _ in feasible_pairs(fig["printed"], rounding=rounding, bases=[int(base)])]
            out.append(Finding(label, "percent-base", "ok" if ks else "inconsistent",
                               f"{fig['printed']} of {base}: " + (f"k = {', '.join(map(str, ks))}" if ks else
                                                                  f"no count k gives it (n = {base})"), {"k": ks}))
        elif count is not None:
            pairs = feasible_pairs(fig["printed"], max(s.max_n, int(count)), rounding)
            bases = [n for k, n in pairs if k == int(count)]
            bases = [n for n in bases if n <= s.max_n]
            status = "info" if len(bases) != 1 else "ok"
            msg = (f"{count} ({fig['printed']}) fits base " + (", ".join(map(str, bases)) if bases else "none")
                   + f" (n <= {s.max_n})" + (" only" if len(bases) == 1 else ""))
            out.append(Finding(label, "candidate-bases", "inconsistent" if not bases else status, msg,
                               {"bases": bases}))
        else:
            pairs = feasible_pairs(fig["printed"], s.max_n, rounding)
            out.append(Finding(label, "feasible-pairs", "info",
                               f"{fig['printed']}: {len(pairs)} (k, n) pairs with n <= {s.max_n}, smallest n = "
                               f"{min((n for _, n in pairs), default='none')}; e.g. "
                               + ", ".join(f"{k}/{n}" for k, n in pairs[:6]), {"pairs": pairs}))
        for n in s.candidate_bases:
            if base is None:
                ks = [k for k, _ in feasible_pairs(fig["printed"], rounding=rounding, bases=[n])]
                if count is not None:
                    ks = [k for k in ks if k == int(count)]
                out.append(Finding(label, f"base-{n}", "ok" if ks else "inconsistent",
                                   f"base {n}: " + (f"k = {', '.join(map(str, ks))}" if ks else
                                                    f"no count gives {fig['printed']} with n = {n}"), {"k": ks}))
    elif count is not None and base is not None:
        ok = 0 <= int(count) <= int(base)
        out.append(Finding(label, "count-base", "info" if ok else "inconsistent",
                           f"{count} of {base} = {_fmt(100 * int(count) / int(base))} %" if ok and int(base) else
                           f"{count} is not a count of its base {base}", {"count": count, "base": base}))
    return out


def _value(fig: dict[str, Any]) -> float | None:
    if _is_percent(fig):
        return float(parse_printed(str(fig["printed"])))
    if fig.get("count") is not None and fig.get("base"):
        return 100 * float(fig["count"]) / float(fig["base"])
    return None


def _quantifier_findings(fig: dict[str, Any], by_label: dict[str, dict], s: FigureSet) -> list[Finding]:
    phrase, label = fig.get("quantifier"), str(fig["label"])
    if not phrase:
        return []
    value = _value(fig)
    if fig.get("compare_to"):
        rule = _comparative(str(phrase))
        ref = by_label.get(str(fig["compare_to"]))
        if rule is None or ref is None or value is None or _value(ref) is None:
            return [Finding(label, "quantifier", "info", f"'{phrase}' not checked (no rule or no reference value)")]
        sign, rel, points = rule
        ref_value = _value(ref)
        diff = value - ref_value  # type: ignore[operator]
        ok = sign * diff > 0 and abs(diff) <= points and abs(diff) <= rel * abs(ref_value)  # type: ignore[arg-type]
        return [Finding(label, "quantifier", "ok" if ok else "inconsistent",
                        f"'{phrase}': {_fmt(value)} % against {_fmt(ref_value)} % ({ref['label']}) is "  # type: ignore[arg-type]
                        f"{_fmt(diff)} points ({_fmt(100 * diff / ref_value)} %); 'lidt' allows at most "  # type: ignore[operator]
                        f"{_fmt(points)} points and {_fmt(100 * rel)} % of the reference",
                        {"value": value, "reference": ref_value})]
    rng = quantifier_range(str(phrase), s.quantifiers)
    if rng is None or value is None:
        return [Finding(label, "quantifier", "info", f"'{phrase}' has no agreed range or the figure no value; "
                                                      "give one under 'quantifiers:' to check it")]
    ok = _within(value, rng)
    lo = ("(" if rng[2] else "[") + _fmt(rng[0])
    hi = _fmt(rng[1]) + (")" if rng[3] else "]")
    return [Finding(label, "quantifier", "ok" if ok else "inconsistent",
                    f"'{phrase}' means {lo}, {hi} %; the figure is {_fmt(value)} %",
                    {"value": value, "range": list(rng)})]


def _partition_findings(part: dict[str, Any]) -> list[Finding]:
    label = str(part["label"])
    parts = part["parts"]
    values = list(parts.values()) if isinstance(parts, dict) else list(parts)
    if any(isinstance(v, str) and "%" in v for v in values) or part.get("unit") == "percent":
        decs = [(_percent(str(v))) for v in values]
        total = float(part.get("total", 100))
        h = sum(0.5 * 10.0 ** -d for _, d in decs)
        s = float(sum(v for v, _ in decs))
        ok = s - h <= total < s + h
        return [Finding(label, "partition", "ok" if ok else "inconsistent",
                        f"{' + '.join(str(v) for v in values)} = {_fmt(s)}; rounded shares of {_fmt(total)} can sum to "
                        f"({_fmt(total - h)}, {_fmt(total + h)}] only", {"sum": s})]
    nums = [int(v) for v in values]
    total = int(part["total"])
    s = sum(nums)
    terms = " ".join(("+ " if i and v >= 0 else "- " if v < 0 else "") + str(abs(v)) for i, v in enumerate(nums))
    status = "ok" if s == total else "inconsistent"
    gap = f"; {total - s} not accounted for" if s < total else f"; {s - total} more than the total" if s > total else ""
    return [Finding(label, "partition", status, f"{terms} = {s} of {total}{gap}", {"sum": s, "total": total})]


def _group_findings(figures: list[dict[str, Any]], s: FigureSet) -> list[Finding]:
    """Figures sharing a ``group`` must share one base: the bases every one of them allows."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in figures:
        if f.get("group") and _is_percent(f):
            groups.setdefault(str(f["group"]), []).append(f)
    out = []
    for name, members in groups.items():
        common: set[int] | None = None
        for f in members:
            pairs = feasible_pairs(f["printed"], s.max_n, str(f.get("rounding", s.rounding)))
            ns = {n for k, n in pairs if f.get("count") is None or k == int(f["count"])}
            if f.get("base") is not None:
                ns &= {int(f["base"])}
            common = ns if common is None else common & ns
        bases = sorted(common or ())
        counts = ""
        if len(bases) == 1:   # one base left: the count behind every percentage of the group
            ks = [(f["label"], [k for k, _ in feasible_pairs(f["printed"], bases=bases)]) for f in members]
            counts = f"; at n = {bases[0]}: " + ", ".join(f"{lab} k = {'/'.join(map(str, k))}" for lab, k in ks)
        status = "inconsistent" if not bases else "ok" if len(bases) == 1 else "info"
        out.append(Finding(f"group {name}", "common-base", status,
                           f"{len(members)} figures; bases n <= {s.max_n} that fit all of them: "
                           + (", ".join(map(str, bases)) if bases else "none") + counts, {"bases": bases}))
    return out


def check_set(s: FigureSet) -> list[Finding]:
    """Every check of every figure, partition and group, in file order.

    >>> fs = FigureSet(figures=[{"label": "Lærere", "printed": "68 %", "count": 30},
    ...                         {"label": "Elever", "printed": "34 %", "quantifier": "Knap en tredjedel"}],
    ...                partitions=[{"label": "Handleplan", "parts": [13, 19], "total": 44}])
    >>> [(f.check, f.status) for f in check_set(fs)][1:]
    [('feasible-pairs', 'info'), ('quantifier', 'inconsistent'), ('partition', 'inconsistent')]
    """
    by_label = {str(f["label"]): f for f in s.figures}
    out: list[Finding] = []
    for fig in s.figures:
        out += _pair_findings(fig, s)
        out += _quantifier_findings(fig, by_label, s)
    for part in s.partitions:
        out += _partition_findings(part)
    return out + _group_findings(s.figures, s)


def load_figures(path: str | Path) -> FigureSet:
    """Read a figure file: YAML (``figures:``, ``partitions:``, ``settings:``) or CSV.

    CSV columns: ``label, printed, count, base, quantifier, compare_to, group, parts, total``; a row
    with ``parts`` ("4+11+12+7+6" or "50-7+2") and ``total`` is a partition. YAML figures take the
    same keys; ``settings`` may give ``max_n`` (default 50), ``rounding`` and ``candidate_bases``.
    """
    path = Path(path)
    if not path.is_file():
        raise CatalogueError(f"{path}: no such file")
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".yaml", ".yml"):
        raw = yaml.safe_load(text) or {}
        figures, partitions = list(raw.get("figures") or []), list(raw.get("partitions") or [])
        settings = raw.get("settings") or {}
        quantifiers = raw.get("quantifiers") or {}
    elif path.suffix.lower() in (".csv", ".txt"):
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,\t")
        rows = [{k.strip(): (v.strip() if v and v.strip() else None) for k, v in r.items() if k}
                for r in csv.DictReader(io.StringIO(text), dialect=dialect)]
        figures = [r for r in rows if not r.get("parts")]
        partitions = [{"label": r["label"], "parts": _parts(str(r["parts"])), "total": r.get("total") or 100}
                      for r in rows if r.get("parts")]
        settings, quantifiers = {}, {}
    else:
        raise CatalogueError(f"{path}: give a .yaml/.yml or .csv file")
    for i, f in enumerate(figures, 1):
        if not isinstance(f, dict) or "label" not in f or "printed" not in f:
            raise CatalogueError(f"{path}: figure {i} needs a label and a printed value")
        for key in ("count", "base"):
            if f.get(key) is not None:
                try:
                    f[key] = int(f[key])
                except (TypeError, ValueError) as exc:
                    raise CatalogueError(f"{path}: figure {f['label']!r}: {key} must be a whole number") from exc
        parse_printed(str(f["printed"]))
    for p in partitions:
        if "label" not in p or "parts" not in p:
            raise CatalogueError(f"{path}: a partition needs a label and parts")
    return FigureSet(figures, partitions, int(settings.get("max_n", 50)), str(settings.get("rounding", "half-up")),
                     tuple(int(n) for n in settings.get("candidate_bases", []) or []), dict(quantifiers))


def _parts(text: str) -> list[int]:
    out, sign, num = [], 1, ""
    for ch in text.replace(" ", "") + "+":
        if ch.isdigit():
            num += ch
        elif ch in "+-":
            if num:
                out.append(sign * int(num))
            sign, num = (1 if ch == "+" else -1), ""
        else:
            raise CatalogueError(f"parts {text!r}: only whole numbers joined by + or -")
    return out


def check_file(path: str | Path) -> list[Finding]:
    """Load ``path`` and check it (see :func:`check_set`).

    >>> from importlib import resources
    >>> example = resources.files("evalkit.verify") / "catalogues" / "003-printed-figures.yml"
    >>> findings = check_file(str(example))
    >>> sum(f.status == "inconsistent" for f in findings) > 5
    True
    """
    return check_set(load_figures(path))
