"""Report ``udgaaende``: outreach group courses at erhvervsskoler and produktionsskoler (seeds 000/001).

Every table of seed 000 (Socialstyrelsen 2017) and the 001 summary card that a person-level export
determines, in the published order, plus what the documents lacked: the n behind every cell, the
paired test and effect size behind every "signifikant", the eligibility rules behind every
denominator and the row ledger. Figure ids are those of ``../shared/spec/seed000_figures.md``
(section 1 lists the figures, 2 the audit, 3.3 how each is computed from person records).

``prepare`` turns the export into one person-level structure, once and vectorised: the three
registrations (Indskrivning, Afslutning, Opfølgning) become ``(persons, 3)`` arrays per measure.
Every builder then only selects and counts. Rules a data owner may change (cannabis-reduction
eligibility, the WHO-5 improvement rule and missing-item policy, which paired test each row gets,
the goals and their targets) live in ``constants/udgaaende.yaml``.

Examples
--------
>>> from evalkit.synth.udgaaende import generate
>>> ctx = context_from_tables(generate())
>>> prepare(ctx)
>>> t = progression(ctx)
>>> round(t.cell("hash", "indskrivning").value, 1), t.cell("hash", "n_indskrivning").value
(14.9, 333)
"""

from __future__ import annotations

import math
import unicodedata
import warnings
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from importlib import resources
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

from evalkit.report.model import Cell, Column, T, Table, TestRow, Text
from evalkit.report.spec import Context, ReportOptions, ReportSpec, TableSpec

__all__ = [
    "SPEC", "Prepared", "constants", "context_from_tables", "prepare",
    "organisation", "age", "enrolment", "completion", "follow_up", "progression", "hash_by_school",
    "absence_by_school", "polydrug_by_school", "who5_by_school", "dropouts", "cannabis_reduction",
    "who5_improved", "who5_improved_10", "who5_bands", "goals", "costs",
]

SCHOOLS = ("erhvervsskole", "produktionsskole")
GENDERS = ("kvinde", "mand")
STATUSES = ("gennemfoert", "frafaldet")
TP = ("indskrivning", "afslutning", "opfoelgning")

SCHOOL_LABEL = {"erhvervsskole": T("Erhvervsskoler", "Vocational colleges"),
                "produktionsskole": T("Produktionsskoler", "Production schools")}
SCHOOL_SHORT = {"erhvervsskole": "es", "produktionsskole": "ps"}
GENDER_LABEL = {"kvinde": T("Kvinde", "Women"), "mand": T("Mand", "Men")}
TP_LABEL = {"indskrivning": T("Indskrivning", "Enrolment"), "afslutning": T("Afslutning", "End of course"),
            "opfoelgning": T("Opfølgning", "Follow-up")}
TOTAL = T("I alt", "Total")
ALL_SCHOOLS = T("Begge skoletyper", "Both school types")


@dataclass(frozen=True)
class _Measure:
    column: str          #: registreringer column (``who5`` is scored from the five items)
    rule: str | None     #: measure name of evalkit.measures.progression_days
    label: Text
    short: Text


MEASURES: dict[str, _Measure] = {
    "hash": _Measure("hash_dage_30", "cannabis_days_30",
                     T("Dage med forbrug af hash mv. seneste 30 dage", "Days of cannabis use, last 30 days"),
                     T("Hash, dage (30)", "Cannabis, days (30)")),
    "flere_stoffer": _Measure("flere_stoffer_dage_30", "multidrug_days_30",
                              T("Dage med forbrug af mere end ét illegalt stof (alle stoffer inkl. hash)*",
                                "Days using more than one illegal drug (all drugs incl. cannabis)*"),
                              T("Flere stoffer, dage (30)", "Several drugs, days (30)")),
    "fravaer": _Measure("ulovligt_fravaer_dage_14", "absence_days_14",
                        T("Dage med ulovligt fravær seneste 14 dage", "Days of unauthorised absence, last 14 days"),
                        T("Ulovligt fravær, dage (14)", "Unauthorised absence, days (14)")),
    "who5": _Measure("who5", None, T("Trivselsscore (WHO5)", "Well-being score (WHO-5, 0-100)"),
                     T("WHO-5 (0-100)", "WHO-5 (0-100)")),
}


# ----------------------------------------------------------------------------------- constants


@lru_cache(maxsize=1)
def constants() -> dict[str, Any]:
    """The report's versioned constants (``evalkit/report/constants/udgaaende.yaml``), read once.

    Returns
    -------
    dict
        The parsed YAML: cohort codes, cannabis-reduction eligibility, WHO-5 rules, paired tests per
        row, goals with their targets (000-G7-maal) and the cost rounding (000-T8).

    Examples
    --------
    >>> c = constants()
    >>> c["cannabis_reduction"]["eligibility"], [g["target"] for g in c["goals"]]
    ('used_at_intake', [70, 75, 70, 75, 70, 60, 20])
    """
    text = (resources.files("evalkit.report") / "constants" / "udgaaende.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for kind in data["tests"]["paired"].values():
        if kind not in ("wilcoxon", "paired_t"):
            raise ValueError(f"constants/udgaaende.yaml: unknown paired test {kind!r} (wilcoxon | paired_t)")
    return data


# ----------------------------------------------------------------------------- person level


@dataclass
class Prepared:
    """The export as person-level arrays (position ``i`` = ``i``-th row of ``deltagere``).

    ``values[m]`` is a ``(persons, 3)`` float array of measure ``m`` at Indskrivning, Afslutning and
    Opfølgning (NaN = not registered or missing); ``registered`` says which registrations exist.
    School, gender and status are codes into :data:`SCHOOLS`, :data:`GENDERS`, :data:`STATUSES`
    (-1 = missing or unknown).
    """

    n: int
    school: np.ndarray
    gender: np.ndarray
    status: np.ndarray
    age: np.ndarray
    kommune: np.ndarray          #: codes into ``kommune_names``
    kommune_names: list[str]
    skole: np.ndarray            #: codes (-1 missing)
    forloeb: np.ndarray          #: codes (-1 missing)
    registered: np.ndarray
    values: dict[str, np.ndarray]
    who5_band: np.ndarray        #: (persons, 3) band codes into ``band_codes`` (-1 none)
    band_codes: list[str]
    band_labels: dict[str, Text]
    costs: pd.DataFrame | None
    reduction: dict[str, Any] = field(default_factory=dict)      #: :func:`_reduction`, filled by prepare
    improved: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  #: by WHO-5 change rule

    @property
    def completer(self) -> np.ndarray:
        return self.status == 0

    @property
    def dropout(self) -> np.ndarray:
        return self.status == 1

    def users(self, cohort: np.ndarray) -> np.ndarray:
        """Persons of ``cohort`` with more than 0 poly-drug days at one or more registrations (the 146)."""
        v = self.values["flere_stoffer"]
        with np.errstate(invalid="ignore"):
            return cohort & np.any(v > 0, axis=1)

    def cohort(self, measure: str, cohort: np.ndarray) -> np.ndarray:
        """The persons a measure's row is computed over: the poly-drug row uses the users only."""
        return self.users(cohort) if measure == "flere_stoffer" else cohort


def _codes(col: pd.Series, categories: Sequence[str]) -> np.ndarray:
    """Positions of the values in ``categories`` (-1 = missing or unknown), for any string-like dtype."""
    cats = list(categories)
    if isinstance(col.dtype, pd.CategoricalDtype):
        lookup = np.array([cats.index(str(c)) if str(c) in cats else -1 for c in col.cat.categories] + [-1],
                          dtype=np.int64)
        return lookup[col.cat.codes.to_numpy()]
    return pd.Categorical(col, categories=cats).codes.astype(np.int64)


def _float(col: pd.Series) -> np.ndarray:
    return pd.to_numeric(col, errors="raise").to_numpy(dtype="float64", na_value=np.nan)


def context_from_tables(tables: Mapping[str, pd.DataFrame], options: ReportOptions | None = None) -> Context:
    """A report context around in-memory canonical tables (pyarrow-backed or plain numpy dtypes).

    Parameters
    ----------
    tables
        ``deltagere``, ``registreringer`` and optionally ``omkostninger``, with the dictionary's
        canonical column names (``evalkit/io/dictionary/udgaaende.yaml``).
    options
        Report options (language, disclosure threshold); defaults as the CLI's.

    Returns
    -------
    Context
        Ready for :func:`prepare` and the table builders; its ledger counts every row as kept.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate())
    >>> len(ctx.export["deltagere"])
    405
    """
    from evalkit.io.export import Export
    from evalkit.io.ledger import Ledger
    from evalkit.io.problems import ProblemList

    ledger = Ledger()
    for name, frame in tables.items():
        ledger.start(name, None, len(frame))
    export = Export(dataset="udgaaende", tables=dict(tables), ledger=ledger, problems=ProblemList())
    return Context(export=export, options=options or ReportOptions())


def prepare(ctx: Context) -> None:
    """Compute the person-level structure once (vectorised) and record the report's cohort stages.

    Parameters
    ----------
    ctx
        The report context; ``ctx.data["udgaaende"]`` receives a :class:`Prepared`, and
        ``ctx.ledger_stages`` the completers, follow-up, poly-drug, cannabis-eligibility and WHO-5
        stages (read / kept / excluded by reason).

    Notes
    -----
    Registrations are matched to persons by ``person_id`` and to a time point by ``tidspunkt``.
    Day counts are validated by :func:`evalkit.measures.progression_days`; WHO-5 is
    :func:`evalkit.measures.who5_percent` (raw x 4, missing-item policy from the constants) and its
    bands :func:`evalkit.measures.who5_band` (seed 000 fn 14). Sources: 000-T7.2-progression,
    000-WHO5-scoring; spec seed000_figures.md 3.3.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate())
    >>> prepare(ctx)
    >>> p = ctx.data["udgaaende"]
    >>> p.n, int(p.completer.sum()), int(p.users(p.completer).sum())
    (405, 333, 146)
    """
    from evalkit.measures import progression_days, who5_band, who5_percent
    from evalkit.rules import load_rule

    const = constants()
    d = ctx.export["deltagere"]
    reg = ctx.export["registreringer"]
    n = len(d)
    ids = pd.Index(d["person_id"])
    if not ids.is_unique:
        raise ValueError("deltagere: person_id is not unique")
    pos = ids.get_indexer(reg["person_id"])
    tp = _codes(reg["tidspunkt"], TP)
    ok = (pos >= 0) & (tp >= 0)
    pos, tp = pos[ok], tp[ok]
    registered = np.zeros((n, 3), dtype=bool)
    registered[pos, tp] = True

    values: dict[str, np.ndarray] = {}
    for key, m in MEASURES.items():
        if m.rule is None:
            items = reg[[f"who5_{i}" for i in range(1, 6)]]
            v = who5_percent(items, missing=const["who5"]["missing"]).to_numpy(dtype="float64", na_value=np.nan)
        else:
            v = progression_days(reg[m.column], m.rule).to_numpy(dtype="float64", na_value=np.nan)
        grid = np.full((n, 3), np.nan)
        grid[pos, tp] = v[ok]
        values[key] = grid

    scheme = const["who5"]["band_scheme"]
    bands_rule = load_rule("who5")["band_schemes"][scheme]["bands"]
    band_codes = [b["code"] for b in bands_rule]
    flat = who5_band(pd.Series(values["who5"].ravel()), scheme=scheme)
    band = pd.Categorical(flat, categories=band_codes).codes.astype(np.int64).reshape(n, 3)

    kom_codes, kom_names = pd.factorize(d["kommune"].astype(object), sort=False)
    prep = Prepared(
        n=n, school=_codes(d["skoletype"], SCHOOLS), gender=_codes(d["koen"], GENDERS),
        status=_codes(d["status"], STATUSES), age=_float(d["alder"]),
        kommune=np.asarray(kom_codes, dtype=np.int64), kommune_names=[str(k) for k in kom_names],
        skole=np.asarray(pd.factorize(d["skole"].astype(object))[0], dtype=np.int64),
        forloeb=np.asarray(pd.factorize(d["forloeb"].astype(object))[0], dtype=np.int64),
        registered=registered, values=values, who5_band=band, band_codes=band_codes,
        band_labels={b["code"]: T(b["label_da"], b["label_en"]) for b in bands_rule},
        costs=ctx.export["omkostninger"] if "omkostninger" in ctx.export else None,
    )
    prep.reduction = _reduction(prep)
    for rule in (const["who5"]["improved_rule"], const["who5"]["sensitivity_rule"]):
        prep.improved[rule] = _improved(prep, rule)
    ctx.data["udgaaende"] = prep
    _ledger_stages(ctx, prep)
    _report_notes(ctx)


def _ledger_stages(ctx: Context, p: Prepared) -> None:
    C = p.completer
    nC = int(C.sum())
    unknown = int((p.status < 0).sum())
    ctx.ledger_stages["completers"] = {"read": p.n, "kept": nC, "excluded": _nonzero(
        {"dropped out (frafaldet)": int(p.dropout.sum()), "status missing or unknown": unknown})}
    F = C & p.registered[:, 2]
    ctx.ledger_stages["completers_followed_up"] = {"read": nC, "kept": int(F.sum()), "excluded": _nonzero(
        {"no Opfølgning registration": nC - int(F.sum())})}
    P = p.users(C)
    no_reg = int((C & ~p.registered.any(axis=1)).sum())
    ctx.ledger_stages["polydrug_users"] = {"read": nC, "kept": int(P.sum()), "excluded": _nonzero(
        {"0 poly-drug days at every registration": nC - int(P.sum()) - no_reg, "no registration": no_reg})}
    red = p.reduction
    ctx.ledger_stages["cannabis_reduction_eligible"] = {"read": nC, "kept": int(red["eligible"].sum()),
                                                        "excluded": _nonzero(red["excluded"])}
    pairs = C & ~np.isnan(p.values["who5"][:, 0]) & ~np.isnan(p.values["who5"][:, 1])
    ctx.ledger_stages["who5_pairs"] = {"read": nC, "kept": int(pairs.sum()), "excluded": _nonzero(
        {"WHO-5 missing at Indskrivning or Afslutning": nC - int(pairs.sum())})}


def _nonzero(d: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in d.items() if v}


def _report_notes(ctx: Context) -> None:
    c = constants()
    red = c["cannabis_reduction"]
    who = c["who5"]
    ctx.notes.append(T(
        f"Konstanter: evalkit/report/constants/udgaaende.yaml version {c['version']}. Cannabisreduktion: "
        f"{red['eligibility']} ({red['from']} -> {red['to']}); WHO-5: manglende items = {who['missing']}, "
        f"forbedret = {who['improved_rule']} (følsomhed: {who['sensitivity_rule']}), bånd = {who['band_scheme']}.",
        f"Constants: evalkit/report/constants/udgaaende.yaml version {c['version']}. Cannabis reduction: "
        f"{red['eligibility']} ({red['from']} -> {red['to']}); WHO-5: missing items = {who['missing']}, "
        f"improved = {who['improved_rule']} (sensitivity: {who['sensitivity_rule']}), bands = {who['band_scheme']}."))
    ctx.notes.append(T(
        "Design: før- og eftermåling uden kontrolgruppe (evidensgrad C, seed 000 afsnit 5.4); ændringer og "
        "test beskriver udviklingen hos deltagerne, ikke en effekt af indsatsen.",
        "Design: before/after measurement without a control group (evidence grade C, seed 000 section 5.4); "
        "changes and tests describe how participants developed, not an effect of the programme."))


# ----------------------------------------------------------------------------------- helpers


def _count(value: int, family: str | None = None) -> Cell:
    """A person count; ``family`` (the population it counts a part of) is turned into a link by value."""
    return Cell(int(value), "count", link=family)


def _pct(num: int, den: int, count_of: str) -> Cell:
    return Cell(100.0 * int(num) / int(den) if den else None, "percent", n=int(den), count_of=count_of)


def _mean(x: np.ndarray, count_of: str | None = None) -> Cell:
    x = x[~np.isnan(x)]
    return Cell(float(x.mean()) if x.size else None, "mean", n=int(x.size), count_of=count_of)


def _f(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def _test_row(row: str, outcome: Text, r: Any, note: str | None = None) -> TestRow:
    """A :class:`TestRow` from an :mod:`evalkit.compare` result (NaN becomes None)."""
    es_ci = tuple(r.effect_size_ci) if r.effect_size_ci is not None else (None, None)
    est_ci = tuple(r.estimate_ci) if r.estimate_ci is not None else (None, None)
    return TestRow(row=row, outcome=outcome, method=r.method, n=int(r.n), statistic=_f(r.statistic),
                   p_value=_f(r.p_value), effect_size=_f(r.effect_size), effect_size_name=r.effect_size_name or None,
                   effect_size_ci=(_f(es_ci[0]), _f(es_ci[1])), estimate=_f(r.estimate),
                   estimate_name=r.estimate_name or None, estimate_ci=(_f(est_ci[0]), _f(est_ci[1])), note=note)


def _quiet(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a compare function without its small-sample warnings (the report prints n and status)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _paired(measure: str, pre: np.ndarray, post: np.ndarray) -> Any:
    from evalkit.compare import paired_t, wilcoxon

    kind = constants()["tests"]["paired"][measure]
    return _quiet(paired_t if kind == "paired_t" else wilcoxon, pre, post)


def _change_label(measure: str, a: str, b: str, prefix: Text | None = None) -> Text:
    m = MEASURES[measure].short
    head_da = f"{prefix.da}, " if prefix else ""
    head_en = f"{prefix.en}, " if prefix else ""
    return T(f"{head_da}{m.da}: {TP_LABEL[a].da} → {TP_LABEL[b].da}",
             f"{head_en}{m.en}: {TP_LABEL[a].en} → {TP_LABEL[b].en}")


def _paired_tests(p: Prepared, row: str, measure: str, cohort: np.ndarray, prefix: Text | None = None,
                  changes: Sequence[Sequence[str]] | None = None) -> list[TestRow]:
    """Paired tests of every configured change (T0 -> T1, T0 -> T2) on the complete pairs of a cohort."""
    out = []
    v = p.values[measure][cohort]
    for a, b in changes or constants()["tests"]["changes"]:
        i, j = TP.index(a), TP.index(b)
        both = ~np.isnan(v[:, i]) & ~np.isnan(v[:, j])
        r = _paired(measure, v[both, i], v[both, j])
        out.append(_test_row(row, _change_label(measure, a, b, prefix), r))
        out[-1].count_of = f"{row}|n_{a}+{row}|n_{b}"
    return out


def _group_table(success: np.ndarray, group: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """2 x 2 counts: rows = school type (ES, PS), columns = (no, yes)."""
    out = np.zeros((2, 2), dtype=np.int64)
    for g in (0, 1):
        sel = valid & (group == g)
        out[g, 1] = int((success & sel).sum())
        out[g, 0] = int(sel.sum()) - out[g, 1]
    return out


def _chi_square(row: str, outcome: Text, table: np.ndarray, count_of: str, share: str) -> TestRow:
    """Chi-square (Fisher when expected counts are small) of a 2 x 2 table: rows ES, PS; columns (no, yes)."""
    from evalkit.compare import chi_square

    test = _test_row(row, outcome, _quiet(chi_square, table))
    test.count_of = count_of
    if test.estimate is not None:
        test.estimate_name = f"share {share}, PS - VC"
    return test


def _inner(rows: Sequence[str], cols: Sequence[str]) -> str:
    """``count_of`` for a test over the inner cells of a table."""
    return "+".join(f"{r}|{c}" for r in rows for c in cols)


def _slug(name: str) -> str:
    """A stable snake_case key for a municipality name: ``"Tårnby"`` -> ``"taarnby"``."""
    s = name.strip().lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    out = "".join(ch if ch.isalnum() else "_" for ch in s)
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_") or "kommune"


def _danish_key(name: str) -> str:
    """Sort key with the Danish alphabet's order (æ, ø, å after z)."""
    return name.lower().translate(str.maketrans({"æ": "{", "ø": "|", "å": "}"}))


def _p(ctx: Context) -> Prepared:
    return ctx.data["udgaaende"]


# ------------------------------------------------------------------------------- 000-T3


def organisation(ctx: Context) -> Table:
    """000-T3-organisering: group courses and participants per municipality and school type.

    Participants are all enrolled persons (completers and dropouts, 405 in seed 000); courses are
    the distinct ``forloeb`` in the same cell. Rows are municipalities (key: the name in
    snake_case, ``"Tårnby"`` -> ``taarnby``), in Danish alphabetical order, then the total.

    Parameters
    ----------
    ctx
        A prepared context (:func:`prepare`).

    Returns
    -------
    Table
        Columns ``es_forloeb``, ``es_deltagere``, ``ps_forloeb``, ``ps_deltagere``, ``forloeb``,
        ``deltagere``; participant counts are additive, course counts are numbers (not persons).

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = organisation(ctx)
    >>> t.cell("lolland", "ps_deltagere").value, t.cell("lolland", "ps_forloeb").value
    (117, 14)
    """
    p = _p(ctx)
    cols = [Column("es_forloeb", T("ES: forløb", "VC: courses")), Column("es_deltagere", T("ES: deltagere", "VC: participants")),
            Column("ps_forloeb", T("PS: forløb", "PS: courses")), Column("ps_deltagere", T("PS: deltagere", "PS: participants")),
            Column("forloeb", T("Forløb i alt", "Courses, total"), is_total=True),
            Column("deltagere", T("Deltagere i alt", "Participants, total"), is_total=True)]
    table = Table(id="organisation", source="000-T3-organisering",
                  title=T("Antal gruppeforløb og deltagere i projektperioden, fordelt på kommune og skoletype",
                          "Group courses and participants in the project period by municipality and school type"),
                  columns=cols, additive=True, row_lines=(("es_deltagere", "ps_deltagere", "deltagere"),))
    k = len(p.kommune_names)
    persons = np.zeros((k, 2), dtype=np.int64)
    courses = np.zeros((k, 2), dtype=np.int64)
    valid = (p.kommune >= 0) & (p.school >= 0)
    np.add.at(persons, (p.kommune[valid], p.school[valid]), 1)
    cf = valid & (p.forloeb >= 0)
    pairs = pd.DataFrame({"k": p.kommune[cf], "s": p.school[cf], "f": p.forloeb[cf]}).drop_duplicates()
    np.add.at(courses, (pairs["k"].to_numpy(), pairs["s"].to_numpy()), 1)
    total_courses = pairs.drop_duplicates("f").groupby("s").size().reindex([0, 1], fill_value=0).to_numpy()
    used: set[str] = set()
    order = sorted(range(k), key=lambda i: _danish_key(p.kommune_names[i]))
    for i in order:
        key = _slug(p.kommune_names[i])
        base, j = key, 2
        while key in used or key == "total":
            key, j = f"{base}_{j}", j + 1
        used.add(key)
        es, ps = persons[i]
        table.add_row(key, T(p.kommune_names[i]), _organisation_cells(key, courses[i], es, ps))
    es, ps = persons.sum(axis=0)
    table.add_row("total", TOTAL, _organisation_cells("total", total_courses, es, ps), is_total=True)
    table.notes.append(T("Deltagere: alle indskrevne (gennemførte og frafaldne); forløb: antal forskellige "
                         "gruppeforløb i cellen. ES = erhvervsskole, PS = produktionsskole.",
                         "Participants: everyone enrolled (completers and dropouts); courses: distinct group "
                         "courses in the cell. VC = vocational college, PS = production school."))
    _missing_note(table, int((~valid).sum()), T("uden kommune eller skoletype", "without municipality or school type"))
    return table


def _organisation_cells(key: str, courses: np.ndarray, es: int, ps: int) -> dict[str, Cell]:
    """Course counts carry the participants as n and are hidden with them (a course count is not a person count)."""
    def courses_cell(value: int, n: int, col: str) -> Cell:
        return Cell(int(value), "number", decimals=0, n=int(n), count_of=f"{key}|{col}")

    return {"es_forloeb": courses_cell(courses[0], es, "es_deltagere"),
            "es_deltagere": _count(es),
            "ps_forloeb": courses_cell(courses[1], ps, "ps_deltagere"),
            "ps_deltagere": _count(ps),
            "forloeb": courses_cell(int(courses[0] + courses[1]), es + ps, "deltagere"),
            "deltagere": _count(es + ps)}


def _missing_note(table: Table, n: int, what: Text) -> None:
    if n:
        table.notes.append(T(f"{n} personer {what.da} indgår ikke.", f"{n} persons {what.en} are not included."))


# ------------------------------------------------------------------------------ 000-S4.1


def age(ctx: Context) -> Table:
    """000-S4.1-alder / 000-F4.1a: mean, youngest and oldest age by school type and gender.

    Over all enrolled persons with a recorded age (``alder``); a missing age is left out and counted
    in the note. ``min`` / ``max`` carry as ``n`` the number of persons who share that age, so that
    disclosure control hides an extreme value fewer than ``--min-cell`` persons share (anchors.md 6.1:
    "min, max ... only if at least 5 people share that value").

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``; columns ``kvinde_n``,
        ``kvinde_gennemsnit``, ``mand_n``, ``mand_gennemsnit``, ``n``, ``gennemsnit``, ``min``, ``max``.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = age(ctx)
    >>> round(t.cell("total", "gennemsnit").value, 1), t.cell("total", "min").value, t.cell("total", "max").value
    (19.8, 16, 31)
    """
    p = _p(ctx)
    cols = [Column("kvinde_n", T("Kvinder, antal", "Women, n")), Column("kvinde_gennemsnit", T("Kvinder, gns. alder", "Women, mean age")),
            Column("mand_n", T("Mænd, antal", "Men, n")), Column("mand_gennemsnit", T("Mænd, gns. alder", "Men, mean age")),
            Column("n", T("Antal", "n"), is_total=True), Column("gennemsnit", T("Gns. alder", "Mean age"), is_total=True),
            Column("min", T("Yngste", "Youngest")), Column("max", T("Ældste", "Oldest"))]
    table = Table(id="age", source="000-S4.1-alder", title=T("Deltagernes alder fordelt på skoletype og køn",
                                                             "Participants' age by school type and gender"),
                  columns=cols, additive=True, row_lines=(("kvinde_n", "mand_n", "n"),))
    has = ~np.isnan(p.age)
    for key, sel in (("erhvervsskole", p.school == 0), ("produktionsskole", p.school == 1), ("total", p.school >= 0)):
        cells: dict[str, Cell] = {}
        for g, gkey in enumerate(GENDERS):
            x = p.age[sel & (p.gender == g) & has]
            cells[f"{gkey}_n"] = _count(x.size)
            cells[f"{gkey}_gennemsnit"] = _mean(x, f"{key}|{gkey}_n")
        x = p.age[sel & (p.gender >= 0) & has]
        cells["n"] = _count(x.size)
        cells["gennemsnit"] = _mean(x, f"{key}|n")
        for col, fn in (("min", np.min), ("max", np.max)):
            v = float(fn(x)) if x.size else None
            cells[col] = Cell(None if v is None else int(v), "number", decimals=0,
                              n=None if v is None else int((x == v).sum()), count_of=f"{key}|n")
        table.add_row(key, ALL_SCHOOLS if key == "total" else SCHOOL_LABEL[key], cells, is_total=key == "total")
    table.notes.append(T("Alle indskrevne med registreret alder. Yngste/ældste vises kun, når mindst "
                         "--min-cell personer har den alder.",
                         "Everyone enrolled with a recorded age. Youngest/oldest are shown only when at least "
                         "--min-cell persons share that age."))
    _missing_note(table, int((~has).sum()), T("uden registreret alder", "without a recorded age"))
    return table


# ------------------------------------------------------------------------------- 000-T7.1


def enrolment(ctx: Context) -> Table:
    """000-T7.1-indskrevne / 000-F4.1b: enrolled students by school type and gender.

    Counts :math:`n(s, g)`; the table's column percentage :math:`n(s, g) / n(\\cdot, g)` (as printed
    in T7.1) and the text's row percentage :math:`n(s, g) / n(s, \\cdot)` (000-F4.1b: "70 pct. mænd").

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``; columns ``kvinde``, ``mand``,
        ``total`` (counts), ``kvinde_pct``, ``mand_pct``, ``total_pct`` (column %),
        ``kvinde_rowpct``, ``mand_rowpct`` (row %). A chi-square test of gender by school type.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = enrolment(ctx)
    >>> t.cell("erhvervsskole", "mand").value, round(t.cell("erhvervsskole", "mand_rowpct").value, 2)
    (87, 70.16)
    """
    p = _p(ctx)
    valid = (p.school >= 0) & (p.gender >= 0)
    counts = np.zeros((2, 2), dtype=np.int64)
    np.add.at(counts, (p.school[valid], p.gender[valid]), 1)
    cols = [Column("kvinde", GENDER_LABEL["kvinde"]), Column("mand", GENDER_LABEL["mand"]), Column("total", TOTAL, is_total=True),
            Column("kvinde_pct", T("Kvinde, pct. af kolonne", "Women, column %")),
            Column("mand_pct", T("Mand, pct. af kolonne", "Men, column %")),
            Column("total_pct", T("I alt, pct. af kolonne", "Total, column %")),
            Column("kvinde_rowpct", T("Andel kvinder (pct. af række)", "Share women (row %)")),
            Column("mand_rowpct", T("Andel mænd (pct. af række)", "Share men (row %)"))]
    table = Table(id="enrolment", source="000-T7.1-indskrevne", title=T("Antal elever indskrevet i forløb",
                                                                        "Students enrolled in group courses"),
                  columns=cols, additive=True, plot="grouped", plot_columns=("kvinde_rowpct", "mand_rowpct"))
    col_tot = counts.sum(axis=0)
    grand = int(counts.sum())
    for s, key in enumerate(SCHOOLS):
        row = counts[s]
        n = int(row.sum())
        table.add_row(key, SCHOOL_LABEL[key], {
            "kvinde": _count(row[0]), "mand": _count(row[1]), "total": _count(n),
            "kvinde_pct": _pct(row[0], col_tot[0], f"{key}|kvinde+total|kvinde"),
            "mand_pct": _pct(row[1], col_tot[1], f"{key}|mand+total|mand"),
            "total_pct": _pct(n, grand, f"{key}|total+total|total"),
            "kvinde_rowpct": _pct(row[0], n, f"{key}|kvinde+{key}|total"),
            "mand_rowpct": _pct(row[1], n, f"{key}|mand+{key}|total")})
    table.add_row("total", T("Alle skoler", "All schools"), {
        "kvinde": _count(col_tot[0]), "mand": _count(col_tot[1]), "total": _count(grand),
        "kvinde_pct": _pct(col_tot[0], col_tot[0], "total|kvinde"), "mand_pct": _pct(col_tot[1], col_tot[1], "total|mand"),
        "total_pct": _pct(grand, grand, "total|total"),
        "kvinde_rowpct": _pct(col_tot[0], grand, "total|kvinde+total|total"),
        "mand_rowpct": _pct(col_tot[1], grand, "total|mand+total|total")}, is_total=True)
    table.notes.append(T("Alle indskrevne elever. Tabellens procenter (T7.1) er kolonneprocenter; tekstens "
                         "andel mænd (\"70 pct.\", \"68 pct.\", figur 4.1) er rækkeprocenter.",
                         "Everyone enrolled. The table's percentages (T7.1) are column percentages; the text's "
                         "share of men (\"70 pct.\", \"68 pct.\", figure 4.1) is a row percentage."))
    _missing_note(table, int((~valid).sum()), T("uden skoletype eller køn", "without school type or gender"))
    table.tests.append(_chi_square("total", T("Køn fordelt på skoletype", "Gender by school type"), counts,
                                   _inner(SCHOOLS, GENDERS), "men"))
    return table


# ------------------------------------------------------------------------------- 000-F7.1


def completion(ctx: Context) -> Table:
    """000-F7.1-gennemfoerelse: completion rate by school type.

    :math:`|C_s| / n(s)` with :math:`C` = status ``gennemfoert`` (105/124, 228/281, 333/405 in seed 000).

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``; columns ``gennemfoert``,
        ``frafaldet``, ``total`` (counts), ``gennemfoert_pct``, ``frafaldet_pct``. A chi-square test
        of completion by school type ("ikke nævneværdig variation", p. 25).

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = completion(ctx)
    >>> t.cell("total", "gennemfoert").value, round(t.cell("total", "gennemfoert_pct").value, 2)
    (333, 82.22)
    """
    p = _p(ctx)
    valid = (p.school >= 0) & (p.status >= 0)
    counts = np.zeros((2, 2), dtype=np.int64)
    np.add.at(counts, (p.school[valid], p.status[valid]), 1)
    cols = [Column("gennemfoert", T("Gennemført", "Completed")), Column("frafaldet", T("Frafaldet", "Dropped out")),
            Column("total", T("Indskrevet", "Enrolled"), is_total=True),
            Column("gennemfoert_pct", T("Gennemført, pct.", "Completed, %")),
            Column("frafaldet_pct", T("Frafaldet, pct.", "Dropped out, %"))]
    table = Table(id="completion", source="000-F7.1-gennemfoerelse",
                  title=T("Gennemførselsrate på tværs af skoletype", "Completion rate by school type"),
                  columns=cols, additive=True, plot="bars", plot_columns=("gennemfoert_pct",))
    for key, row, label in (("erhvervsskole", counts[0], SCHOOL_LABEL["erhvervsskole"]),
                            ("produktionsskole", counts[1], SCHOOL_LABEL["produktionsskole"]),
                            ("total", counts.sum(axis=0), ALL_SCHOOLS)):
        n = int(row.sum())
        table.add_row(key, label, {
            "gennemfoert": _count(row[0], "completers"), "frafaldet": _count(row[1], "dropouts"), "total": _count(n),
            "gennemfoert_pct": _pct(row[0], n, f"{key}|gennemfoert+{key}|total"),
            "frafaldet_pct": _pct(row[1], n, f"{key}|frafaldet+{key}|total")}, is_total=key == "total")
    table.notes.append(T("Alle indskrevne; gennemført/frafaldet efter registreret status.",
                         "Everyone enrolled; completed/dropped out as registered (status)."))
    _missing_note(table, int((~valid).sum()), T("uden skoletype eller status", "without school type or status"))
    table.tests.append(_chi_square("total", T("Gennemførelse fordelt på skoletype", "Completion by school type"), counts,
                                   _inner(SCHOOLS, ("gennemfoert", "frafaldet")), "dropped out"))
    return table


def follow_up(ctx: Context) -> Table:
    """000-F7.1 footnote 13: Opfølgning among completers and dropouts (290 of 333; 38 of 72).

    A person is followed up when an Opfølgning registration exists.

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``gennemfoert``, ``frafaldet``, ``total``; columns ``opfoelgning``,
        ``ingen_opfoelgning``, ``total`` (counts), ``opfoelgning_pct``.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = follow_up(ctx)
    >>> t.cell("gennemfoert", "opfoelgning").value, t.cell("frafaldet", "opfoelgning").value
    (290, 38)
    """
    p = _p(ctx)
    f = p.registered[:, 2]
    cols = [Column("opfoelgning", T("Med opfølgning", "Followed up")),
            Column("ingen_opfoelgning", T("Uden opfølgning", "Not followed up")),
            Column("total", TOTAL, is_total=True), Column("opfoelgning_pct", T("Med opfølgning, pct.", "Followed up, %"))]
    table = Table(id="follow_up", source="000-F7.1-gennemfoerelse",
                  title=T("Opfølgning tre måneder efter gruppeforløbet, fordelt på status",
                          "Follow-up three months after the group course, by status"), columns=cols, additive=True)
    rows = (("gennemfoert", p.completer, T("Gennemført", "Completed"), "completers"),
            ("frafaldet", p.dropout, T("Frafaldet", "Dropped out"), "dropouts"),
            ("total", (p.status >= 0), TOTAL, "enrolled"))
    for key, sel, label, family in rows:
        k, n = int((sel & f).sum()), int(sel.sum())
        table.add_row(key, label, {"opfoelgning": _count(k, family),
                                   "ingen_opfoelgning": _count(n - k, family), "total": _count(n, family),
                                   "opfoelgning_pct": _pct(k, n, f"{key}|opfoelgning+{key}|total")},
                      is_total=key == "total")
    table.notes.append(T("Opfølgning = der findes en registrering ved Opfølgning (fodnote 13: \"opfølgningssamtaler "
                         "med 38 af dem tre måneder efter gruppeforløbet blev afsluttet\").",
                         "Followed up = an Opfølgning registration exists (footnote 13: follow-up talks with 38 "
                         "dropouts three months after the group course ended)."))
    return table


# -------------------------------------------------------------------------- 000-T7.2 rows


MEAN_COLS = [Column(tp, TP_LABEL[tp]) for tp in TP]
N_COLS = [Column(f"n_{tp}", T(f"n, {TP_LABEL[tp].da.lower()}", f"n, {TP_LABEL[tp].en.lower()}")) for tp in TP]


def _means_row(p: Prepared, key: str, measure: str, cohort: np.ndarray,
               time_points: Sequence[str] = TP) -> dict[str, Cell]:
    """Available-case means per time point over ``cohort`` with their n (each mean points at its n)."""
    v = p.values[measure]
    cells: dict[str, Cell] = {}
    for tp in time_points:
        x = v[cohort, TP.index(tp)]
        x = x[~np.isnan(x)]
        cells[f"n_{tp}"] = _count(x.size)
        cells[tp] = Cell(float(x.mean()) if x.size else None, "mean", n=int(x.size), count_of=f"{key}|n_{tp}")
    return cells


def progression(ctx: Context) -> Table:
    """000-T7.2-progression: mean cannabis days, poly-drug days, illegal absence and WHO-5 per time point.

    Completers only (status ``gennemfoert``). Each mean is over the completers with a value at that
    time point (available case: :math:`\\bar x_{T0}` and :math:`\\bar x_{T1}` over :math:`C`,
    :math:`\\bar x_{T2}` over those followed up), with its n beside it. The poly-drug row is over the
    completers with more than 0 poly-drug days at one or more registrations (the table's footnote:
    146 in seed 000). Every change T0 -> T1 and T0 -> T2 gets a paired test on the complete pairs
    (test per row from the constants: Wilcoxon signed-rank for day counts, paired t for WHO-5).

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``hash``, ``flere_stoffer``, ``fravaer``, ``who5`` (means) and ``antal`` (completers
        registered at each time point); columns ``indskrivning``, ``afslutning``, ``opfoelgning``
        and ``n_indskrivning``, ``n_afslutning``, ``n_opfoelgning``.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = progression(ctx)
    >>> [round(t.cell("who5", tp).value, 1) for tp in ("indskrivning", "afslutning", "opfoelgning")]
    [52.5, 71.0, 72.0]
    >>> t.cell("antal", "opfoelgning").value, len(t.tests)
    (290, 8)
    """
    p = _p(ctx)
    C = p.completer
    table = Table(id="progression", source="000-T7.2-progression", title=T("Deltagernes progression i projektet",
                                                                           "Participants' progression in the project"),
                  columns=MEAN_COLS + N_COLS)
    for m in MEASURES:
        cohort = p.cohort(m, C)
        table.add_row(m, MEASURES[m].label, _means_row(p, m, m, cohort))
        table.tests += _paired_tests(p, m, m, cohort)
    table.add_row("antal", T("Antal elever - Gennemførte", "Number of students - completers"), {
        tp: _count(int((C & p.registered[:, i]).sum()))
        for i, tp in enumerate(TP)}, is_total=True)
    table.notes += [
        T("Gennemførte elever. Gennemsnit for de elever, der har en værdi ved tidspunktet (tilgængelige "
          "observationer, ingen LOCF eller imputation); n står ved hvert gennemsnit. Test på de fuldstændige par.",
          "Completers. Means over the students with a value at the time point (available cases, no LOCF or "
          "imputation); n beside every mean. Tests on the complete pairs."),
        T("* Gennemsnit for de gennemførte, der ved indskrivning, afslutning og/eller opfølgning har haft mindst én "
          "dag med forbrug af mere end ét illegalt stof (tabellens fodnote).",
          "* Mean over the completers with at least one day of using more than one illegal drug at enrolment, "
          "end and/or follow-up (the table's footnote)."),
    ]
    return table


def _by_school(ctx: Context, measure: str, table_id: str, source: str, title: Text, population_mean: bool = False) -> Table:
    """Means per time point by school type, with paired tests per school and a test of the change between them."""
    from evalkit.compare import mann_whitney

    p = _p(ctx)
    C = p.completer
    table = Table(id=table_id, source=source, title=title, columns=MEAN_COLS + N_COLS, additive=True, row_lines=(),
                  plot="lines", plot_columns=TP)
    for s, key in enumerate(SCHOOLS):
        cohort = p.cohort(measure, C & (p.school == s))
        table.add_row(key, SCHOOL_LABEL[key], _means_row(p, key, measure, cohort))
        table.tests += _paired_tests(p, key, measure, cohort, prefix=SCHOOL_LABEL[key])
    cohort = p.cohort(measure, C & (p.school >= 0))
    table.add_row("total", ALL_SCHOOLS, _means_row(p, "total", measure, cohort), is_total=True)
    if population_mean:
        ref = float(constants()["who5"]["population_mean"])
        table.add_row("befolkning", T("Befolkningens gennemsnit (fast referenceværdi, fodnote 14)",
                                      "Population mean (printed reference value, footnote 14)"),
                      {tp: Cell(ref, "number", decimals=0) for tp in TP})
    v = p.values[measure]
    first, second = (TP.index(x) for x in constants()["tests"]["changes"][0])
    delta = v[:, second] - v[:, first]
    es = delta[p.cohort(measure, C & (p.school == 0))]
    ps = delta[p.cohort(measure, C & (p.school == 1))]
    r = _quiet(mann_whitney, es[~np.isnan(es)], ps[~np.isnan(ps)])
    a, b = constants()["tests"]["changes"][0]
    table.tests.append(_test_row("total", T(
        f"Ændring {TP_LABEL[a].da.lower()} → {TP_LABEL[b].da.lower()}, produktionsskoler mod erhvervsskoler",
        f"Change {TP_LABEL[a].en.lower()} → {TP_LABEL[b].en.lower()}, production schools vs vocational colleges"), r))
    table.tests[-1].count_of = "+".join(f"{s}|n_{tp}" for s in SCHOOLS for tp in (a, b))
    return table


def _school_notes(table: Table, measure: str) -> None:
    who = T("de gennemførte med mindst én dag med flere stoffer ved en registrering (som tabel 7.2's fodnote)",
            "completers with at least one day of several drugs at a registration (as table 7.2's footnote)") \
        if measure == "flere_stoffer" else T("gennemførte elever", "completers")
    table.notes.append(T(f"Population: {who.da}. Gennemsnit over tilgængelige observationer pr. tidspunkt (ingen "
                         "LOCF); n står ved hvert gennemsnit. Test pr. skoletype på de fuldstændige par; forskellen "
                         "mellem skoletyperne testes på ændringen (Mann-Whitney).",
                         f"Population: {who.en}. Means over the available values per time point (no LOCF); n beside "
                         "every mean. Tests per school type on the complete pairs; the difference between school "
                         "types is tested on the change (Mann-Whitney)."))


def hash_by_school(ctx: Context) -> Table:
    """000-F7.2a-hash-skoletype: cannabis days (last 30) per time point by school type (completers).

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``; the columns of :func:`progression`.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = hash_by_school(ctx)
    >>> round(t.cell("erhvervsskole", "indskrivning").value), round(t.cell("produktionsskole", "opfoelgning").value, 1)
    (18, 6.1)
    """
    t = _by_school(ctx, "hash", "hash_by_school", "000-F7.2a-hash-skoletype",
                   T("Dage med forbrug af hash de seneste 30 dage på tværs af skoletype",
                     "Days of cannabis use in the last 30 days by school type"))
    _school_notes(t, "hash")
    return t


def absence_by_school(ctx: Context) -> Table:
    """000-F7.2c-fravaer-polystof (absence): days of illegal absence (last 14) by school type (completers).

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``; the columns of :func:`progression`.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = absence_by_school(ctx)
    >>> round(t.cell("erhvervsskole", "indskrivning").value, 1), round(t.cell("erhvervsskole", "afslutning").value, 1)
    (1.7, 0.6)
    """
    t = _by_school(ctx, "fravaer", "absence_by_school", "000-F7.2c-fravaer-polystof",
                   T("Ulovligt fravær de seneste 14 dage på tværs af skoletype",
                     "Unauthorised absence in the last 14 days by school type"))
    _school_notes(t, "fravaer")
    return t


def polydrug_by_school(ctx: Context) -> Table:
    """000-F7.2c-fravaer-polystof (poly-drug): days with more than one illegal drug by school type.

    Over the poly-drug users among the completers (the 146 of table 7.2's footnote), split by school.

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``; the columns of :func:`progression`.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = polydrug_by_school(ctx)
    >>> round(t.cell("produktionsskole", "indskrivning").value, 1), t.cell("total", "n_indskrivning").value
    (4.2, 146)
    """
    t = _by_school(ctx, "flere_stoffer", "polydrug_by_school", "000-F7.2c-fravaer-polystof",
                   T("Forbrug af mere end ét illegalt stof de seneste 30 dage på tværs af skoletype",
                     "Days using more than one illegal drug in the last 30 days by school type"))
    _school_notes(t, "flere_stoffer")
    return t


def who5_by_school(ctx: Context) -> Table:
    """000-F7.2d-trivsel-skoletype: mean WHO-5 (0-100) per time point by school type (completers).

    The printed population mean (68, footnote 14; ``constants.who5.population_mean``) is shown as a
    reference row; it is a constant, not data.

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``, ``befolkning``; the columns of
        :func:`progression`.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = who5_by_school(ctx)
    >>> [round(t.cell(s, "indskrivning").value) for s in ("erhvervsskole", "produktionsskole")]
    [52, 52]
    """
    t = _by_school(ctx, "who5", "who5_by_school", "000-F7.2d-trivsel-skoletype",
                   T("Udviklingen i trivsel hos produktions- og erhvervsskoleeleverne i indsatsen",
                     "Well-being (WHO-5) of production-school and vocational-college students"), population_mean=True)
    _school_notes(t, "who5")
    return t


def dropouts(ctx: Context) -> Table:
    """000-F7.1 footnotes 12-13: dropouts' development, and whether completers developed more.

    The report says "der kan spores bedre resultater for den gruppe, som gennemfører, end for dem som
    frafalder" without showing them (fn 12). Means at Indskrivning and Opfølgning over the dropouts
    (available case, like :func:`progression`; the poly-drug row over dropouts with poly-drug use),
    a paired test Indskrivning -> Opfølgning, and a Mann-Whitney test of that change, completers
    against dropouts.

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``hash``, ``flere_stoffer``, ``fravaer``, ``who5``; columns ``indskrivning``,
        ``opfoelgning``, ``n_indskrivning``, ``n_opfoelgning``.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = dropouts(ctx)
    >>> t.cell("hash", "n_indskrivning").value, t.cell("hash", "n_opfoelgning").value
    (72, 38)
    """
    from evalkit.compare import mann_whitney

    p = _p(ctx)
    tps = ("indskrivning", "opfoelgning")
    cols = [Column(tp, TP_LABEL[tp]) for tp in tps] + [Column(f"n_{tp}", T(f"n, {TP_LABEL[tp].da.lower()}",
                                                                               f"n, {TP_LABEL[tp].en.lower()}")) for tp in tps]
    table = Table(id="dropouts", source="000-F7.1-gennemfoerelse",
                  title=T("Udvikling blandt elever, der er frafaldet", "Development among students who dropped out"),
                  columns=cols)
    D, C = p.dropout, p.completer
    label = T("Frafaldne", "Dropouts")
    for m in MEASURES:
        cohort = p.cohort(m, D)
        table.add_row(m, MEASURES[m].label, _means_row(p, m, m, cohort, time_points=tps))
        table.tests += _paired_tests(p, m, m, cohort, prefix=label, changes=[tps])
        v = p.values[m]
        delta = v[:, 2] - v[:, 0]
        dc, dd = delta[p.cohort(m, C)], delta[cohort]
        r = _quiet(mann_whitney, dc[~np.isnan(dc)], dd[~np.isnan(dd)])
        table.tests.append(_test_row(m, T(f"{MEASURES[m].short.da}: ændring indskrivning → opfølgning, frafaldne mod gennemførte",
                                          f"{MEASURES[m].short.en}: change enrolment → follow-up, dropouts vs completers"), r))
        table.tests[-1].count_of = f"{m}|n_indskrivning+{m}|n_opfoelgning"
    table.notes.append(T("Frafaldne elever (ingen registrering ved afslutning). Gennemsnit over tilgængelige "
                         "observationer; flere stoffer-rækken over frafaldne med mindst én dag med flere stoffer. "
                         "Fodnote 12: resultaterne visualiseres ikke i rapporten; her vises de med test.",
                         "Students who dropped out (no end-of-course registration). Means over available values; the "
                         "several-drugs row over dropouts with at least one such day. Footnote 12: the report does not "
                         "show these results; here they are shown with tests."))
    return table


# ------------------------------------------------------------------------------ 000-T7.2b


def _reduction(p: Prepared) -> dict[str, Any]:
    """Cannabis reduction (fn 11) over completers: eligibility and categories as person-level arrays."""
    from evalkit.measures import cannabis_reduction as measure

    const = constants()["cannabis_reduction"]
    a, b = TP.index(const["from"]), TP.index(const["to"])
    C = p.completer
    v = p.values["hash"]
    idx = np.flatnonzero(C)
    out = measure(pd.Series(v[idx, a]), pd.Series(v[idx, b]), eligibility=const["eligibility"])
    eligible = np.zeros(p.n, dtype=bool)
    stopped = np.zeros(p.n, dtype=bool)
    halved = np.zeros(p.n, dtype=bool)
    eligible[idx] = out["eligible"].to_numpy(dtype=bool)
    stopped[idx] = out["stopped"].fillna(False).to_numpy(dtype=bool)
    halved[idx] = out["halved"].fillna(False).to_numpy(dtype=bool)
    observed = C & ~np.isnan(v[:, a]) & ~np.isnan(v[:, b])
    return {"eligible": eligible, "stopped": stopped, "halved": halved,
            "excluded": {"0 cannabis days at Indskrivning (cannot stop or halve)": int((observed & ~eligible).sum()),
                         f"cannabis days missing at {const['from']} or {const['to']}": int((C & ~observed).sum())}}


def cannabis_reduction(ctx: Context) -> Table:
    """000-T7.2b-cannabis-ophoer: stopped / halved cannabis use by school type (footnote 11).

    Eligible (constants ``cannabis_reduction.eligibility``; default ``used_at_intake``, assumption
    A1): completers with cannabis days at Indskrivning and Afslutning and more than 0 days at
    Indskrivning. Stopped: :math:`T_1 = 0`; halved: :math:`0 < T_1` and :math:`2 T_1 \\le T_0`
    (:func:`evalkit.measures.cannabis_reduction`). Printed "Total" = stopped + halved; percentages
    of the eligible (207 / 105 / 312 in seed 000).

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``produktionsskole``, ``erhvervsskole``, ``total`` (printed order); columns ``stoppet``,
        ``halveret``, ``total`` (= stopped + halved), ``ingen``, ``n`` (eligible) and their
        percentages. Tests: exact McNemar of any use (> 0 days) Indskrivning vs Afslutning among
        completers, and chi-square of reduction by school type.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = cannabis_reduction(ctx)
    >>> t.cell("produktionsskole", "stoppet").value, t.cell("produktionsskole", "n").value
    (57, 207)
    >>> round(t.cell("total", "total_pct").value, 2)
    61.86
    """
    from evalkit.compare import mcnemar

    p = _p(ctx)
    red = p.reduction
    e, st, hv = red["eligible"], red["stopped"], red["halved"]
    cols = [Column("stoppet", T("Helt stoppet med indtagelse af cannabis", "Stopped using cannabis")),
            Column("stoppet_pct", T("Helt stoppet, pct.", "Stopped, %")),
            Column("halveret", T("Halveret forbrug", "Halved use")), Column("halveret_pct", T("Halveret, pct.", "Halved, %")),
            Column("total", T("Total", "Total (stopped or halved)")),
            Column("total_pct", T("Total, pct.", "Total, %")),
            Column("ingen", T("Hverken stoppet eller halveret", "Neither")), Column("ingen_pct", T("Hverken, pct.", "Neither, %")),
            Column("n", T("Antal med forbrug ved indskrivning", "n using at enrolment"), is_total=True)]
    table = Table(id="cannabis_reduction", source="000-T7.2b-cannabis-ophoer",
                  title=T("Antal unge, der helt stopper med at indtage cannabis",
                          "Young people who stop using cannabis (or halve their use)"), columns=cols, additive=True,
                  row_lines=(("stoppet", "halveret", "total"), ("total", "ingen", "n")),
                  plot="grouped", plot_columns=("stoppet_pct", "halveret_pct"))
    for key, sel, label in (("produktionsskole", p.school == 1, SCHOOL_LABEL["produktionsskole"]),
                            ("erhvervsskole", p.school == 0, SCHOOL_LABEL["erhvervsskole"]),
                            ("total", p.school >= 0, ALL_SCHOOLS)):
        n = int((e & sel).sum())
        k_st, k_hv = int((st & sel).sum()), int((hv & sel).sum())
        k_tot = k_st + k_hv
        table.add_row(key, label, {
            "stoppet": _count(k_st), "halveret": _count(k_hv), "total": _count(k_tot), "ingen": _count(n - k_tot),
            "n": _count(n),
            "stoppet_pct": _pct(k_st, n, f"{key}|stoppet+{key}|n"), "halveret_pct": _pct(k_hv, n, f"{key}|halveret+{key}|n"),
            "total_pct": _pct(k_tot, n, f"{key}|total+{key}|n"), "ingen_pct": _pct(n - k_tot, n, f"{key}|ingen+{key}|n")},
            is_total=key == "total")
    const = constants()["cannabis_reduction"]
    table.notes += [
        T(f"Gennemførte med hashdage registreret ved {TP_LABEL[const['from']].da.lower()} og "
          f"{TP_LABEL[const['to']].da.lower()} (regel: {const['eligibility']}). Helt stoppet: 0 dage ved "
          f"{TP_LABEL[const['to']].da.lower()}; halveret: mindst én dag og højst halvdelen af dagene ved indskrivning "
          "(fodnote 11). Total = helt stoppet + halveret. De gennemførte uden forbrug ved indskrivning eller uden begge registreringer står i "
          "rækkeregnskabet (cannabis_reduction_eligible).",
          f"Completers with cannabis days registered at {TP_LABEL[const['from']].en.lower()} and "
          f"{TP_LABEL[const['to']].en.lower()} (rule: {const['eligibility']}). Stopped: 0 days at "
          f"{TP_LABEL[const['to']].en.lower()}; halved: at least one day and at most half the days at enrolment "
          "(footnote 11). Total = stopped + halved. Completers without use at enrolment or without both registrations are counted in the row "
          "ledger (cannabis_reduction_eligible)."),
        T("Rapportens tekst (s. 6 og kortet 001) kalder nævneren \"de unge, som gennemfører forløbet\"; tabellens "
          "procenter svarer kun til de gennemførte med forbrug ved indskrivning (se mål-tabellen for begge nævnere).",
          "The report's text (p. 6 and card 001) calls the denominator \"the young people who complete the course\"; "
          "the table's percentages only match the completers using at enrolment (the goals table shows both)."),
    ]
    v = p.values["hash"]
    a, b = TP.index(const["from"]), TP.index(const["to"])
    C = p.completer & (p.school >= 0)
    both = C & ~np.isnan(v[:, a]) & ~np.isnan(v[:, b])
    r = _quiet(mcnemar, v[both, a] > 0, v[both, b] > 0)
    test = _test_row("total", T(f"Brug af hash (> 0 dage): {TP_LABEL[const['from']].da.lower()} → "
                                f"{TP_LABEL[const['to']].da.lower()}, gennemførte",
                                f"Any cannabis use (> 0 days): {TP_LABEL[const['from']].en.lower()} → "
                                f"{TP_LABEL[const['to']].en.lower()}, completers"), r)
    # The discordant counts follow from the estimate, the odds ratio and n: a small one hides the test.
    opts = ctx.options
    test.suppressed = bool(opts.disclosure and any(0 < k < opts.min_cell for k in (r.n_before_only, r.n_after_only)))
    table.tests.append(test)
    table.tests.append(_chi_square("total", T("Stoppet eller halveret, fordelt på skoletype",
                                              "Stopped or halved, by school type"), _group_table(st | hv, p.school, e),
                                   _inner(SCHOOLS, ("total", "ingen")), "stopped or halved"))
    return table


# ------------------------------------------------------------------------------ 000-T7.2e


def _improved(p: Prepared, rule: str) -> tuple[np.ndarray, np.ndarray]:
    from evalkit.measures import who5_change

    v = p.values["who5"]
    out = who5_change(pd.Series(v[:, 0]), pd.Series(v[:, 1]), rule=rule)
    valid = p.completer & out.notna().to_numpy()
    return out.fillna(False).to_numpy(dtype=bool) & valid, valid


def _improved_table(ctx: Context, rule: str, table_id: str, title: Text, note: Text) -> Table:
    p = _p(ctx)
    improved, valid = p.improved[rule] if rule in p.improved else _improved(p, rule)
    cols = [Column("ikke_forbedret", T("Ikke forbedret trivsel", "Well-being not improved")),
            Column("ikke_forbedret_pct", T("Ikke forbedret, pct.", "Not improved, %")),
            Column("forbedret", T("Forbedret trivsel", "Well-being improved")),
            Column("forbedret_pct", T("Forbedret, pct.", "Improved, %")),
            Column("total", TOTAL, is_total=True), Column("total_pct", T("I alt, pct.", "Total, %"))]
    table = Table(id=table_id, source="000-T7.2e-forbedret-trivsel", title=title, columns=cols, additive=True)
    for key, sel, label in (("erhvervsskole", p.school == 0, SCHOOL_LABEL["erhvervsskole"]),
                            ("produktionsskole", p.school == 1, SCHOOL_LABEL["produktionsskole"]),
                            ("total", p.school >= 0, ALL_SCHOOLS)):
        n = int((valid & sel).sum())
        k = int((improved & sel).sum())
        table.add_row(key, label, {
            "ikke_forbedret": _count(n - k),
            "forbedret": _count(k), "total": _count(n),
            "ikke_forbedret_pct": _pct(n - k, n, f"{key}|ikke_forbedret+{key}|total"),
            "forbedret_pct": _pct(k, n, f"{key}|forbedret+{key}|total"),
            "total_pct": _pct(n, n, f"{key}|total")}, is_total=key == "total")
    table.notes.append(note)
    table.tests.append(_chi_square("total", T("Forbedret trivsel fordelt på skoletype", "Improved well-being by school type"),
                                   _group_table(improved, p.school, valid & (p.school >= 0)),
                                   _inner(SCHOOLS, ("ikke_forbedret", "forbedret")), "improved"))
    return table


def who5_improved(ctx: Context) -> Table:
    """000-T7.2e-forbedret-trivsel: completers whose WHO-5 improved from Indskrivning to Afslutning.

    "Forbedret trivsel" is not defined in seed 000; the default rule (constants
    ``who5.improved_rule``, assumption A3) is a strict increase :math:`W_{T1} > W_{T0}`
    (:func:`evalkit.measures.who5_change`), which reproduces 251/333. Row percentages.

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``; columns ``ikke_forbedret``,
        ``forbedret``, ``total`` and their percentages. Chi-square test by school type.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = who5_improved(ctx)
    >>> t.cell("total", "forbedret").value, round(t.cell("produktionsskole", "forbedret_pct").value, 2)
    (251, 76.32)
    """
    rule = constants()["who5"]["improved_rule"]
    return _improved_table(ctx, rule, "who5_improved", T("Antal unge, der oplever forbedret trivsel",
                                                         "Young people whose well-being improved"),
                           T(f"Gennemførte med WHO-5 ved indskrivning og afslutning. Forbedret: regel {rule} "
                             "(rapporten definerer det ikke; strengt større score ved afslutning). Se tabellen "
                             "who5_improved_10 for reglen om mindst 10 point (anchors.md 1.4).",
                             f"Completers with WHO-5 at enrolment and end. Improved: rule {rule} (the report does not "
                             "define it; a strictly higher score at the end). See table who5_improved_10 for the "
                             "at-least-10-points rule (anchors.md 1.4)."))


def who5_improved_10(ctx: Context) -> Table:
    """000-T7.2e sensitivity: WHO-5 improved by at least 10 points (anchors.md 1.4), same layout.

    Rule ``constants.who5.sensitivity_rule`` (default ``min_10_points``: :math:`W_{T1} - W_{T0} \\ge 10`).

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        As :func:`who5_improved`.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> who5_improved_10(ctx).cell("total", "total").value
    333
    """
    rule = constants()["who5"]["sensitivity_rule"]
    return _improved_table(ctx, rule, "who5_improved_10",
                           T("Antal unge med forbedret trivsel på mindst 10 point (følsomhedsanalyse)",
                             "Young people whose well-being improved by at least 10 points (sensitivity analysis)"),
                           T(f"Som tabellen \"Antal unge, der oplever forbedret trivsel\", men med reglen {rule}: "
                             "mindst 10 point højere WHO-5 ved afslutning (en ændring på 10 point regnes for "
                             "betydende, anchors.md 1.4).",
                             f"As the table \"Young people whose well-being improved\", with rule {rule}: WHO-5 at "
                             "least 10 points higher at the end (a 10-point change counts as meaningful, "
                             "anchors.md 1.4)."))


def _band_key(code: str) -> str:
    """Row key of a WHO-5 band: ``"0-35"`` -> ``"band_0_35"``."""
    return "band_" + "".join(ch if ch.isalnum() else "_" for ch in code.lower())


def who5_bands(ctx: Context) -> Table:
    """000-WHO5-scoring (footnote 14): completers in the WHO-5 bands 0-35, 36-50 and over 50 per time point.

    Never tabulated in seed 000; the bands are the footnote's (``evalkit/rules/who5.yaml``, scheme
    from the constants). Column percentages per time point. Paired before/after tests of the band
    distribution (Stuart-Maxwell) for each configured change.

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        One row per band (``band_0_35``, ``band_36_50``, ``band_over_50``: ``band_`` + the rule
        file's code in snake_case) and ``total``; columns
        ``indskrivning``, ``afslutning``, ``opfoelgning`` (counts) and ``<time point>_pct``.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = who5_bands(ctx)
    >>> [t.cell("total", tp).value for tp in ("indskrivning", "afslutning", "opfoelgning")]
    [333, 333, 290]
    """
    from evalkit.compare import stuart_maxwell

    p = _p(ctx)
    C = p.completer
    cols = []
    for tp in TP:
        cols += [Column(tp, TP_LABEL[tp]), Column(f"{tp}_pct", T(f"{TP_LABEL[tp].da}, pct.", f"{TP_LABEL[tp].en}, %"))]
    table = Table(id="who5_bands", source="000-WHO5-scoring",
                  title=T("Trivsel (WHO-5) fordelt på bånd ved indskrivning, afslutning og opfølgning",
                          "Well-being (WHO-5) bands at enrolment, end of course and follow-up"),
                  columns=cols, additive=True, row_lines=(), plot="grouped", plot_columns=tuple(f"{tp}_pct" for tp in TP),
                  plot_rows=tuple(_band_key(c) for c in p.band_codes))
    totals = {tp: int((C & (p.who5_band[:, i] >= 0)).sum()) for i, tp in enumerate(TP)}
    for b, code in enumerate(p.band_codes):
        cells: dict[str, Cell] = {}
        for i, tp in enumerate(TP):
            k = int((C & (p.who5_band[:, i] == b)).sum())
            cells[tp] = _count(k)
            cells[f"{tp}_pct"] = _pct(k, totals[tp], f"{_band_key(code)}|{tp}+total|{tp}")
        table.add_row(_band_key(code), p.band_labels[code], cells)
    table.add_row("total", TOTAL, {**{tp: _count(totals[tp]) for tp in TP},
                                   **{f"{tp}_pct": _pct(totals[tp], totals[tp], f"total|{tp}") for tp in TP}},
                  is_total=True)
    table.notes.append(T("Gennemførte med WHO-5-score ved tidspunktet. Båndene er rapportens fodnote 14 "
                         "(0-35: trivselsproblemer, 36-50: mulige trivselsproblemer, over 50: inden for "
                         "befolkningens gennemsnit); rapporten viser dem ikke i en tabel.",
                         "Completers with a WHO-5 score at the time point. Bands from the report's footnote 14 "
                         "(0-35: well-being problems, 36-50: possible problems, over 50: within the population "
                         "average); the report never tabulates them."))
    labels = np.asarray(p.band_codes, dtype=object)
    for a, b in constants()["tests"]["changes"]:
        i, j = TP.index(a), TP.index(b)
        both = C & (p.who5_band[:, i] >= 0) & (p.who5_band[:, j] >= 0)
        before = pd.Categorical(labels[p.who5_band[both, i]], categories=p.band_codes, ordered=True)
        after = pd.Categorical(labels[p.who5_band[both, j]], categories=p.band_codes, ordered=True)
        r = _quiet(stuart_maxwell, before, after)
        table.tests.append(_test_row("total", T(f"WHO-5-bånd: {TP_LABEL[a].da} → {TP_LABEL[b].da}",
                                                f"WHO-5 bands: {TP_LABEL[a].en} → {TP_LABEL[b].en}"), r))
        table.tests[-1].count_of = _inner([_band_key(c) for c in p.band_codes], (a, b))
    return table


# --------------------------------------------------------------------------------- 000-G7


def _goal_counts(p: Prepared, measure: str) -> tuple[int, int]:
    """(successes, denominator) for a goal measure."""
    if measure == "completion":
        valid = (p.school >= 0) & (p.status >= 0)
        return int((valid & p.completer).sum()), int(valid.sum())
    if measure in ("reduction", "stopped", "reduction_completers"):
        red = p.reduction
        sel = p.school >= 0
        st, hv, e = red["stopped"] & sel, red["halved"] & sel, red["eligible"] & sel
        if measure == "stopped":
            return int(st.sum()), int(e.sum())
        if measure == "reduction":
            return int((st | hv).sum()), int(e.sum())
        const = constants()["cannabis_reduction"]
        v = p.values["hash"]
        a, b = TP.index(const["from"]), TP.index(const["to"])
        observed = p.completer & sel & ~np.isnan(v[:, a]) & ~np.isnan(v[:, b])
        return int((st | hv).sum()), int(observed.sum())
    if measure == "improved":
        rule = constants()["who5"]["improved_rule"]
        improved, valid = p.improved[rule] if rule in p.improved else _improved(p, rule)
        sel = p.school >= 0
        return int((improved & sel).sum()), int((valid & sel).sum())
    raise ValueError(f"constants/udgaaende.yaml: unknown goal measure {measure!r}")


GOAL_MEASURE_TEXT = {
    "completion": T("gennemførte / indskrevne", "completed / enrolled"),
    "reduction": T("stoppet eller halveret / gennemførte med forbrug ved indskrivning",
                   "stopped or halved / completers using at enrolment"),
    "reduction_completers": T("stoppet eller halveret / alle gennemførte med begge registreringer",
                              "stopped or halved / all completers with both registrations"),
    "improved": T("forbedret WHO-5 / gennemførte med WHO-5 ved indskrivning og afslutning",
                  "improved WHO-5 / completers with WHO-5 at enrolment and end"),
    "stopped": T("stoppet / gennemførte med forbrug ved indskrivning", "stopped / completers using at enrolment"),
}


def goals(ctx: Context) -> Table:
    """000-G7-maal: the results against every stated target, with an exact 95 % interval and a test.

    One row per goal statement of ``constants.goals`` (seed 000 states some targets twice with
    different values: completion 70 vs 75, reduction 70 vs 75, audit I-3/I-4). The result is
    :math:`100 k / n`; the interval is Clopper-Pearson; "opfyldt" compares the point estimate with
    the target as the report does, and the test is the exact one-sided binomial test of
    :math:`H_0: \\pi \\le` target (scipy ``binomtest``).

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows = goal keys; columns ``antal``, ``n``, ``resultat``, ``ci_lav``, ``ci_hoej``, ``maal``,
        ``forskel`` (percentage points), ``opfyldt`` (✓ / ✗).

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = goals(ctx)
    >>> round(t.cell("trivsel_60", "resultat").value, 2), t.cell("trivsel_60", "opfyldt").value
    (75.38, '✓')
    >>> round(t.cell("reduktion_gennemfoerte_70", "resultat").value, 2)
    57.96
    """
    from scipy.stats import binomtest

    p = _p(ctx)
    cols = [Column("antal", T("Antal", "Count")), Column("n", T("Nævner", "Denominator")),
            Column("resultat", T("Resultat, pct.", "Result, %")), Column("ci_lav", T("95 %-KI, nedre", "95% CI, lower")),
            Column("ci_hoej", T("95 %-KI, øvre", "95% CI, upper")), Column("maal", T("Mål, pct.", "Target, %")),
            Column("forskel", T("Forskel, procentpoint", "Difference, percentage points")),
            Column("opfyldt", T("Opfyldt", "Met"))]
    table = Table(id="goals", source="000-G7-maal", title=T("Målopfyldelse på brugerniveau", "Goal attainment"),
                  columns=cols)
    for g in constants()["goals"]:
        key = g["key"]
        k, n = _goal_counts(p, g["measure"])
        target = float(g["target"])
        both = f"{key}|antal+{key}|n"
        cells = {"antal": _count(k), "n": _count(n, "enrolled" if g["measure"] == "completion" else None),
                 "resultat": _pct(k, n, both),
                 "maal": Cell(target, "number", decimals=0)}
        if n:
            bt = binomtest(k, n, p=target / 100.0, alternative="greater")
            ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")  # two-sided interval
            cells["ci_lav"] = Cell(100.0 * ci.low, "percent", n=n, count_of=both)
            cells["ci_hoej"] = Cell(100.0 * ci.high, "percent", n=n, count_of=both)
            cells["forskel"] = Cell(100.0 * k / n - target, "number", decimals=1, n=n, count_of=both)
            cells["opfyldt"] = Cell("✓" if 100.0 * k / n >= target else "✗", "text", count_of=both)
            table.tests.append(TestRow(
                row=key, outcome=T(f"{g['da']}: andel > {target:g} pct.", f"{g['en']}: share > {target:g}%"),
                method="Exact binomial test (one-sided, H0: share <= target)", n=n, statistic=float(k),
                p_value=_f(bt.pvalue), estimate=100.0 * k / n, estimate_name="share, %",
                estimate_ci=(_f(100.0 * ci.low), _f(100.0 * ci.high)), count_of=both))
        else:
            cells.update({c: Cell(None, "percent") for c in ("ci_lav", "ci_hoej")})
            cells["forskel"] = Cell(None, "number")
            cells["opfyldt"] = Cell(None, "text")
        table.add_row(key, T(g["da"], g["en"]), cells)
    table.notes += [
        T("Nævnere: " + "; ".join(f"{GOAL_MEASURE_TEXT[m].da}" for m in GOAL_MEASURE_TEXT) + ". Opfyldt: resultatet "
          "er mindst målet (som rapporten vurderer); testen viser, om andelen er sikkert over målet. Mål og nævnere: "
          "evalkit/report/constants/udgaaende.yaml.",
          "Denominators: " + "; ".join(f"{GOAL_MEASURE_TEXT[m].en}" for m in GOAL_MEASURE_TEXT) + ". Met: the result "
          "is at least the target (as the report judges); the test shows whether the share is credibly above it. "
          "Targets and denominators: evalkit/report/constants/udgaaende.yaml."),
        T("Rapporten angiver to forskellige mål for gennemførelse (70/75) og reduktion (70/75), og målet om 20 pct. "
          "ophør står ikke i mållisten (s. 24); alle udsagn vises.",
          "The report states two different targets for completion (70/75) and reduction (70/75), and the 20% "
          "cessation target is not in the goal list (p. 24); every statement is shown."),
    ]
    return table


# --------------------------------------------------------------------------------- 000-T8


def costs(ctx: Context) -> Table:
    """000-T8-omkostninger / 001-omkostninger: average cost per municipality-year, school, course and student.

    :math:`T / d` with :math:`T` = the sum of ``omkostninger.beloeb_kr`` and :math:`d` = distinct
    (kommune, projektaar), distinct schools and courses in ``deltagere``, enrolled students, and the
    sum of ``raadgivne_elever`` (counselled students, an estimate). Printed to the nearest 100 kr.

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``gennemsnit`` (kr.) and ``antal`` (denominators); columns ``pr_kommune_aar``,
        ``pr_skole``, ``pr_forloeb``, ``pr_elev``, ``pr_raadgivet_elev``. Empty when the export has no
        ``omkostninger`` table.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate()); prepare(ctx)
    >>> t = costs(ctx)
    >>> round(t.cell("gennemsnit", "pr_kommune_aar").value, -2), t.cell("antal", "pr_elev").value
    (484300.0, 405)
    """
    from evalkit.report.labels import format_number

    p = _p(ctx)
    decimals = int(constants()["costs"]["decimals"])
    cols = [Column("pr_kommune_aar", T("Pr. kommune pr. projektår", "Per municipality per project year")),
            Column("pr_skole", T("Pr. skole med gruppeforløb", "Per school with group courses")),
            Column("pr_forloeb", T("Pr. gruppeforløb", "Per group course")),
            Column("pr_elev", T("Pr. elev i gruppeforløb", "Per student in a group course")),
            Column("pr_raadgivet_elev", T("Pr. elev, som har modtaget rådgivning (inkl. elever i gruppeforløb)",
                                          "Per student counselled (group participants included)"))]
    table = Table(id="costs", source="000-T8-omkostninger", title=T("Gennemsnitlige udgifter", "Average costs"),
                  columns=cols)
    schools = int(np.unique(p.skole[p.skole >= 0]).size)
    courses = int(np.unique(p.forloeb[p.forloeb >= 0]).size)
    c = p.costs
    if c is not None and len(c):
        total = float(_float(c["beloeb_kr"]).sum())
        kommune_aar = int(pd.DataFrame({"k": c["kommune"].astype(object), "a": _float(c["projektaar"])}).drop_duplicates().shape[0])
        counselled_raw = _float(c["raadgivne_elever"]) if "raadgivne_elever" in c else np.array([np.nan])
        counselled = int(np.nansum(counselled_raw)) if (~np.isnan(counselled_raw)).any() else None
    else:
        total, kommune_aar, counselled = None, None, None
    denominators = {"pr_kommune_aar": (kommune_aar, "number"), "pr_skole": (schools, "number"),
                    "pr_forloeb": (courses, "number"), "pr_elev": (p.n, "count"), "pr_raadgivet_elev": (counselled, "count")}
    avg, cnt = {}, {}
    for key, (d, kind) in denominators.items():
        cnt[key] = Cell(d, kind, decimals=0, link={"pr_elev": "enrolled", "pr_raadgivet_elev": "counselled"}.get(key))
        value = total / d if (total is not None and d) else None
        avg[key] = Cell(value, "money", decimals=decimals, count_of=f"antal|{key}" if kind == "count" else None)
    table.add_row("gennemsnit", T("Gennemsnitlig udgift, kr. (afrundet til hele hundreder)",
                                  "Average cost, DKK (rounded to the nearest 100)"), avg)
    table.add_row("antal", T("Antal gennemsnit er beregnet ud fra", "Number the average is based on"), cnt)
    if total is None:
        table.notes.append(T("Eksporten har ingen omkostningstabel; udgifterne kan ikke beregnes.",
                             "The export has no cost table; costs cannot be computed."))
    else:
        table.notes.append(T(
            f"Samlet budget {format_number(total, 'da', 0)} kr. (summen af omkostningstabellen) delt med antal "
            "kommune-projektår, skoler, gruppeforløb, indskrevne elever og elever, der har modtaget rådgivning "
            "(skønnet). Der er ikke lavet en egentlig omkostningsanalyse (rapportens kapitel 8).",
            f"Total budget DKK {format_number(total, 'en', 0)} (sum of the cost table) divided by municipality "
            "project years, schools, group courses, enrolled students and students counselled (estimated). No "
            "actual cost analysis was made (the report's chapter 8)."))
    return table


# ----------------------------------------------------------------------------------- spec


def _value_links(build: Callable[[Context], Table], family: str) -> Callable[[Context], Table]:
    """Wrap a builder so that every count above 0 is linked to the equal counts of its population.

    The same person count appears in several tables under different labels (enrolled per school
    type in T3, T7.1 and F7.1; completers followed up in fn 13 and as the n of every Opfølgning
    mean). A count's link is ``"<family>=<value>"``, its family being the population it counts a
    part of (``enrolled``, ``completers``, ``dropouts``, ``counselled``; the table's ``family``
    unless the cell names its own). Disclosure control then hides a count everywhere once it hides
    it anywhere (rule 4 of :mod:`evalkit.report.disclosure`), so no suppressed count is printed
    under another label. Equal counts of one population that mean different things are hidden
    together too: over-suppression, never a leak.
    """
    @wraps(build)
    def wrapped(ctx: Context) -> Table:
        table = build(ctx)
        for r in table.rows:
            for cell in r.cells.values():
                if cell.kind == "count":
                    cell.link = f"{cell.link or family}={int(cell.value)}" if cell.value else None
        return table

    return wrapped



def _table(build: Callable[[Context], Table], source: str, title: Text, description: str,
           family: str = "completers") -> TableSpec:
    """A table of the report: id = the builder's name, counts linked by value (:func:`_value_links`)."""
    return TableSpec(build.__name__, source, title, _value_links(build, family), description)


SPEC = ReportSpec(
    name="udgaaende",
    dataset="udgaaende",
    title=T("Udgående indsatser på ungdomsuddannelser: evalueringstabeller",
            "Outreach group courses at vocational schools: evaluation tables"),
    prepare=prepare,
    description="Seeds 000/001: Socialstyrelsen's evaluation of outreach group courses (6 municipalities, 405 students).",
    tables=(
        _table(organisation, "000-T3-organisering",
               T("Gruppeforløb og deltagere pr. kommune og skoletype", "Courses and participants by municipality"),
               "participants and courses by municipality x school type", "enrolled"),
        _table(age, "000-S4.1-alder", T("Deltagernes alder", "Participants' age"),
               "mean, youngest and oldest age by school type and gender", "enrolled"),
        _table(enrolment, "000-T7.1-indskrevne", T("Antal elever indskrevet i forløb", "Students enrolled"),
               "school type x gender, column % (T7.1) and row % (F4.1b)", "enrolled"),
        _table(completion, "000-F7.1-gennemfoerelse", T("Gennemførselsrate", "Completion rate"),
               "completed / dropped out by school type", "enrolled"),
        _table(follow_up, "000-F7.1-gennemfoerelse", T("Opfølgning", "Follow-up"),
               "follow-up among completers and dropouts (fn 13)"),
        _table(progression, "000-T7.2-progression", T("Deltagernes progression", "Participants' progression"),
               "means at Indskrivning / Afslutning / Opfølgning with n and paired tests"),
        _table(hash_by_school, "000-F7.2a-hash-skoletype", T("Hash pr. skoletype", "Cannabis by school type"),
               "cannabis days by school type"),
        _table(absence_by_school, "000-F7.2c-fravaer-polystof", T("Ulovligt fravær pr. skoletype", "Absence by school type"),
               "illegal absence by school type"),
        _table(polydrug_by_school, "000-F7.2c-fravaer-polystof", T("Flere stoffer pr. skoletype", "Several drugs by school type"),
               "poly-drug days by school type (users)"),
        _table(who5_by_school, "000-F7.2d-trivsel-skoletype", T("Trivsel pr. skoletype", "Well-being by school type"),
               "WHO-5 by school type, population reference"),
        _table(dropouts, "000-F7.1-gennemfoerelse", T("Frafaldnes udvikling", "Dropouts' development"),
               "dropouts' means and tests against completers (fn 12)", "dropouts"),
        _table(cannabis_reduction, "000-T7.2b-cannabis-ophoer",
               T("Stoppet eller halveret cannabisforbrug", "Stopped or halved cannabis use"),
               "stopped / halved by school type, eligibility explicit"),
        _table(who5_improved, "000-T7.2e-forbedret-trivsel", T("Forbedret trivsel", "Improved well-being"),
               "WHO-5 improved (strict increase) by school type"),
        _table(who5_improved_10, "000-T7.2e-forbedret-trivsel",
               T("Forbedret trivsel, mindst 10 point", "Improved well-being, at least 10 points"),
               "WHO-5 improved by >= 10 points (sensitivity)"),
        _table(who5_bands, "000-WHO5-scoring", T("WHO-5-bånd", "WHO-5 bands"),
               "WHO-5 bands 0-35 / 36-50 / over 50 per time point"),
        _table(goals, "000-G7-maal", T("Målopfyldelse", "Goal attainment"), "results against the stated targets"),
        _table(costs, "000-T8-omkostninger", T("Gennemsnitlige udgifter", "Average costs"),
               "cost per municipality-year, school, course, student, counselled student"),
    ),
)
