"""One language per output: every sample report, in every format, in Danish and in English.

Each sample report is built once per language (module fixture) and rendered from the in-memory report
to every format (HTML, Markdown, CSV, JSON, XLSX, DOCX, terminal text); the text a reader sees is
extracted (workbooks and Word documents unzipped, the XML text nodes; HTML without tags, styles and
images; JSON without its stable codes and ids) and scanned against word lists built from the label packs:
a word that only the English labels use must not appear in Danish output, and the other way round.
No output may name development material either: seed files, the spec, line numbers, YAML or Markdown
file names, command-line options, or column and rule names. Proper nouns and quotations of document text are listed in
:data:`EXCEPTIONS`, the one place for them.
"""

from __future__ import annotations

import functools
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

import evalkit
from evalkit.io.schema import dataset
from evalkit.report.render import render
from evalkit.report.sources import quoted_texts

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
NAMES = ("udgaaende", "ung-rusmidler", "hcs", "modelkommuner")
PACKAGES = ("udgaaende", "ung_rusmidler", "hcs", "modelkommuner")
LANGS = ("da", "en")
FORMATS = ("html", "markdown", "csv", "json", "xlsx", "docx", "terminal", "plots")

#: The ONE place for the scan's exceptions (lower case).
#: ``both``: words spelt the same in Danish and English output: proper nouns (programmes, instruments,
#: registers, people a method is named after, places), abbreviations and the words the two languages
#: share. Any other word used by the labels of one language is foreign in the other language's output.
#: ``quotations``: the source documents' own wording, quoted in either language (titles of publications,
#: questionnaire items, free-text answers of the sample data); removed before scanning.
EXCEPTIONS: dict[str, frozenset[str]] = {
    "both": frozenset("""
        asi cannabis ecstasy hash hcs lav ps sip sep seip smdb tem ung ungmap ungeprofil risikoprofil logbog
        rusmidler erfaringsopsamling niras who bek hf hhx htx gymnasium itt locf json html evalkit fn euc vuc csv
        holbæk horsens kalundborg odense odsherred skive svendborg københavn hotel
        armitage bonett carlo clopper cochran cramér edgeworth fisher freeman hollander hodges holm kruskal
        lehmann mann mcgahan mcnemar monte newcombe pearson pratt spearman stuart maxwell wald wallis walsh
        whitney wilcoxon wilson wolfe wright yates bhapkar halton welch cohen cohens
        gee reml hc sd ad bc av as rho excel nul dd mm
        at for over under to men end om central note
        base bootstrap budget data design engagement filter hospital institution intercept likelihood marginal
        median mid minus model motivation november odds plus point population progression ratio regression
        robust score session social start status test total transformation trend type variation version vs
    """.split()),
    "quotations": frozenset({
        "Gruppebehandling til borgere med misbrug af hash eller centralstimulerende stoffer – om modellen",
        "fra 18 år og op", "over 18 år", "maks.", "gentagne gange", "tre individuelle samtaler", "70 pct.",
        "68 pct.", "ja/nej", "yes/no", "true/false",
        # the modelkommuner sample's free-text answers (the projects' counselling models, as written)
        "skolens vejledere eller elevcoaches", "ungebehandlere kommer ud på skolerne",
        "Fokuseret Indsats: afklarende samtaler", "rusmiddelkonsulenter og behandlere på skolerne",
        "Ungekontakten: træffetider på 10 adresser", "fleksibelt rådgivningsforløb, gruppesamtaler",
    }) | frozenset(quoted_texts()),   # what the table citations quote: titles, authors, captions, remarks
}

#: Quotations removed longest first, so that a caption is removed whole before a phrase inside it.
QUOTATIONS_LONGEST_FIRST = sorted(EXCEPTIONS["quotations"], key=len, reverse=True)

#: Development material a reader does not have; never in report text.
FORBIDDEN = {
    "seed file": re.compile(r"\bseed\b", re.IGNORECASE),
    "spec": re.compile(r"\bspec\b", re.IGNORECASE),
    "line reference": re.compile(r"\bL\d+\b"),
    "YAML file": re.compile(r"\.ya?ml\b", re.IGNORECASE),
    "Markdown file": re.compile(r"\w\.md\b"),
    "command-line option": re.compile(r"(?<![\w-])--[a-z][a-z-]*"),
    "rule or audit id": re.compile(r"\b(?!WHO-\d)[A-Z]{2,5}-\d+\b|\(A\d{1,3}\)"),
    # a column, rule or setting name (used_at_intake, strict_increase); the effect sizes d_z, d_av stay
    "code name": re.compile(r"\b[a-z]{2,}(?:_[a-z0-9]+)+\b"),
}

_WORD = re.compile(r"(?<![^\W_])[^\W\d_]{2,}(?![^\W_])")


# --- word lists from the label packs -------------------------------------------------------------

def _pairs(node: object) -> Iterator[tuple[str, str]]:
    """Every (Danish, English) pair in a text file: a mapping with both a ``da`` and an ``en`` string."""
    if isinstance(node, dict):
        if isinstance(node.get("da"), str) and isinstance(node.get("en"), str):
            yield node["da"], node["en"]
            return
        for value in node.values():
            yield from _pairs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _pairs(value)


def _yaml(package: str, *parts: str) -> object:
    return yaml.safe_load((resources.files(package).joinpath(*parts)).read_text(encoding="utf-8"))


def label_pairs() -> list[tuple[str, str]]:
    """(Danish, English) of every label: report label packs, compare labels, the reports' text files,
    the renderers' own words and settings, ledger reasons, the data dictionary's table and category labels."""
    from evalkit.report.render import common
    from evalkit.report.render.words import RENDER_WORDS

    pairs: list[tuple[str, str]] = []
    da, en = _yaml("evalkit.report", "labels", "da.yaml"), _yaml("evalkit.report", "labels", "en.yaml")
    pairs += [(da["words"][k], en["words"][k]) for k in da["words"]]
    pairs += list(_pairs(_yaml("evalkit.compare", "data", "labels.yaml")))
    for package in PACKAGES:
        pairs += list(_pairs(_yaml(f"evalkit.report.{package}", "text.yaml")))
    pairs += list(_pairs(_yaml("evalkit.io", "ledger_reasons.yaml")))
    for name in NAMES:   # the data dictionary's table and category labels (rows of many tables)
        for table in dataset(name).tables:
            pairs.append((table.label_da, table.label_en))
            pairs += [(v.label_da, v.label_en) for c in table.columns for v in (c.values or ()) if v.label_en]
    pairs += [(RENDER_WORDS["da"][k], RENDER_WORDS["en"][k]) for k in RENDER_WORDS["da"]]
    for table in (common._SETTING_NAMES, common._SETTING_VALUES):
        pairs += [(str(table["da"][k]), str(table["en"][k])) for k in table["da"]]
    return pairs


def _words(text: str) -> set[str]:
    text = without_quotations(re.sub(r"\{[^}]*\}", " ", text))
    return {w.casefold() for w in _WORD.findall(text)}


@pytest.fixture(scope="module")
def foreign() -> dict[str, frozenset[str]]:
    """Per output language, the words of the other language's labels that are not shared (:data:`EXCEPTIONS`)."""
    pairs = label_pairs()
    da = set().union(*(_words(d) for d, _ in pairs))
    en = set().union(*(_words(e) for _, e in pairs))
    return {"da": frozenset(en - EXCEPTIONS["both"]), "en": frozenset(da - EXCEPTIONS["both"])}


def test_word_lists_are_built_from_every_label_pack(foreign):
    assert len(foreign["da"]) > 500 and len(foreign["en"]) > 500
    assert {"share", "shift", "paired", "ledger", "excluded"} <= foreign["da"]
    assert {"andel", "forskydning", "parret", "udeladt", "rækkeregnskab"} <= foreign["en"]


def test_no_label_uses_a_word_of_the_other_language():
    """A word in both languages' labels is a shared word (:data:`EXCEPTIONS`), never an untranslated one."""
    pairs = label_pairs()
    da = set().union(*(_words(d) for d, _ in pairs))
    en = set().union(*(_words(e) for _, e in pairs))
    leaks = sorted((da & en) - EXCEPTIONS["both"])
    where = {w: [d if w in _words(d) else e for d, e in pairs if w in _words(d) and w in _words(e) or
                 w in _words(d) ^ _words(e)][:2] for w in leaks}
    assert not leaks, json.dumps(where, ensure_ascii=False, indent=1)


# --- text a reader sees, per format -----------------------------------------------------------------

class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        elif tag in ("p", "tr", "td", "th", "li", "h1", "h2", "h3", "div", "br", "caption", "figcaption", "dt", "dd",
                     "a", "span"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "".join(parser.parts)


def xlsx_text(path: Path) -> str:
    """The workbook's strings (shared and inline), sheet names, print headers and document title."""
    out: list[str] = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.endswith(".xml"):
                continue
            root = ElementTree.fromstring(z.read(name))
            for el in root.iter():
                tag = el.tag.rsplit("}", 1)[-1]
                if tag == "sheet" and el.get("name"):
                    out.append(el.get("name"))
                elif tag in ("oddHeader", "oddFooter", "evenHeader", "evenFooter") and el.text:
                    out.append(re.sub(r'&(?:[LCRPNDTAFZ]|"[^"]*"|\d+)', " ", el.text))
                elif (tag == "t" or name == "docProps/core.xml") and el.text and el.text.strip():
                    out.append(el.text)
    return "\n".join(out)


def docx_text(path: Path) -> str:
    """The text of every paragraph (table cells included) and the document's title."""
    with zipfile.ZipFile(path) as z:
        body = ElementTree.fromstring(z.read("word/document.xml"))
        core = ElementTree.fromstring(z.read("docProps/core.xml"))
    # the text runs of each paragraph (w:t), not field instructions such as the contents field's TOC switches
    out = ["".join(t.text or "" for t in p.iter() if t.tag.endswith("}t")) for p in body.iter() if p.tag.endswith("}p")]
    return "\n".join(out + [el.text for el in core.iter() if el.text and el.text.strip()])


#: JSON fields that hold stable codes and ids, not text a reader sees.
_JSON_CODES = {"id", "key", "source", "codes", "status", "kind", "publication", "figure",
               "row", "report", "lang", "evalkit_version", "file", "settings"}


def json_text(payload: object) -> str:
    """The readable strings of the JSON contract: labels, titles, notes, cell texts, test labels, ledger
    reasons (keys of ``excluded``); stable codes and ids are skipped."""
    out: list[str] = []

    def walk(node: object, key: str | None = None) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "excluded" and isinstance(v, dict):
                    out.extend(v)
                elif k not in _JSON_CODES:
                    walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str):
            out.append(node)

    walk(payload)
    return "\n".join(out)


def csv_text(folder: Path, lang: str) -> str:
    """Every CSV file of the folder; the first column of a table's file holds the stable row keys (codes)."""
    import csv

    out: list[str] = []
    for path in sorted(folder.iterdir()):
        text = path.read_text(encoding="utf-8-sig")
        rows = list(csv.reader(text.splitlines(), delimiter=";" if lang == "da" else ","))
        keyed = path.name != "ledger.csv"   # tests.csv: the first column is the table id
        out += [";".join(row[1:] if keyed else row) for row in rows]
    return "\n".join(out)


def without_quotations(text: str) -> str:
    """``text`` with every listed quotation blanked out (longest first)."""
    for quotation in QUOTATIONS_LONGEST_FIRST:
        text = text.replace(quotation, " ")
    return text


def without_codes(text: str, report) -> str:
    """``text`` without the stable codes printed next to the labels (table ids, figure ids) and without
    the input files' names: codes and data, not words of a language."""
    from evalkit.report.render.common import input_names

    for table in report.tables:
        text = text.replace(f"`{table.id}`", " ").replace(f"({table.id};", " ")
        if table.source:
            text = text.replace(table.source, " ")
    for name in input_names(report):
        text = text.replace(name, " ")
    return text


def plot_text(report) -> str:
    """Axis labels, tick labels, titles and legends of every plot the report draws."""
    import matplotlib.pyplot as plt

    from evalkit.report.plots import figure

    out: list[str] = []
    for table in report.tables:
        if not table.plot:
            continue
        fig = figure(table, report.lang)
        if fig is None:
            continue
        for ax in fig.axes:
            out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
            out += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
            legend = ax.get_legend()
            if legend is not None:
                out += [t.get_text() for t in legend.get_texts()]
                out.append(legend.get_title().get_text())
        out += [t.get_text() for t in fig.texts]
        plt.close(fig)
    return "\n".join(s for s in out if s)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Callable[[str, str], dict[str, str]]:
    """``outputs(sample, lang)`` -> ``{format: text}``: the sample built once in that language and rendered
    to every format from the same in-memory report (HTML and DOCX without their images: the plots' text
    is read from the figures themselves). Cached, and each (sample, language) has one test, so under
    pytest-xdist every report is still built once however the tests are spread over the workers."""
    folder = tmp_path_factory.mktemp("language")

    @functools.cache
    def texts(name: str, lang: str) -> dict[str, str]:
        import evalkit.report.plots as plots
        from evalkit.report.render.terminal import render_terminal

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(plots, "plot_png", lambda table, lang="da": None)
            report = evalkit.report(SAMPLES / name, lang=lang)
            stem = folder / f"{name}_{lang}"
            out = {"plots": plot_text(report), "html": html_text(render(report, "html")),
                   "markdown": render(report, "markdown"), "json": json_text(json.loads(render(report, "json"))),
                   "terminal": render_terminal(report, width=400)}   # wide enough that no cell is cut
            render(report, "csv", stem)
            out["csv"] = csv_text(stem, lang)
            render(report, "xlsx", stem.with_suffix(".xlsx"))
            out["xlsx"] = xlsx_text(stem.with_suffix(".xlsx"))
            mp.setattr(plots, "figure", lambda table, lang="da": None)
            render(report, "docx", stem.with_suffix(".docx"))
            out["docx"] = docx_text(stem.with_suffix(".docx"))
        return {fmt: without_quotations(without_codes(text, report)) for fmt, text in out.items()}

    return texts


# --- the scan ---------------------------------------------------------------------------------------

def foreign_words(text: str, words: frozenset[str]) -> list[str]:
    """Each line of ``text`` holding a word of ``words``, as ``word: line`` (distinct)."""
    found: dict[str, None] = {}
    for line in text.splitlines():
        hits = sorted({w.casefold() for w in _WORD.findall(line)} & words)
        if hits:
            found[f"{', '.join(hits)}: {line.strip()[:160]}"] = None
    return list(found)


def development_refs(text: str) -> list[str]:
    found: dict[str, None] = {}
    for line in text.splitlines():
        for what, pattern in FORBIDDEN.items():
            m = pattern.search(line)
            if m:
                found[f"{what} {m.group(0)!r}: {line.strip()[:160]}"] = None
    return list(found)


CASES = [(name, lang) for name in NAMES for lang in LANGS]


@pytest.mark.parametrize(("name", "lang"), CASES)
def test_output_is_in_one_language_and_names_no_development_material(outputs, foreign, name, lang):
    texts = outputs(name, lang)
    assert set(texts) == set(FORMATS) and all(texts[fmt].strip() for fmt in FORMATS if fmt != "plots")
    found = {fmt: foreign_words(texts[fmt], foreign[lang]) for fmt in FORMATS}
    found = {fmt: lines for fmt, lines in found.items() if lines}
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
    found = {fmt: development_refs(texts[fmt]) for fmt in FORMATS}
    found = {fmt: lines for fmt, lines in found.items() if lines}
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def test_the_scan_finds_what_it_looks_for(foreign):
    assert foreign_words("Observerede (completers)\nI alt", foreign["da"]) == ["completers: Observerede (completers)"]
    assert foreign_words("share men, PS - VC", foreign["da"])
    assert foreign_words("skema nr. 13 eller senere i forløbet", foreign["en"])
    assert not foreign_words("Andel mænd, PS - ES", foreign["da"])
    for bad in ("seed 004 L2389-2391", "spec 3.1", "evalkit/report/constants/udgaaende.yaml", "se anchors.md 1.4",
                "vises kun, når mindst --min-cell personer", "(A40)", "regel EXC-5", "kolonnen used_at_intake"):
        assert development_refs(bad), bad
    for fine in ("84 -- 90", "p < 0,001 -- signifikant", "-- –", "specifik", "Model L", "årsmodel", "WHO-5",
                 "Cohens d_z"):
        assert not development_refs(fine), fine


def test_every_io_exclusion_reason_has_a_danish_label():
    """The reasons the readers and validation write into the row ledger (English, as ``validate`` prints
    them) are printed in Danish reports through ``evalkit/io/ledger_reasons.yaml``: every failure message
    of the converters and every fixed reason of the readers has a label."""
    from evalkit.io.ledger import reason_label

    io = Path(evalkit.__file__).parent / "io"
    messages = []
    for name in ("convert.py", "export.py"):
        source = (io / name).read_text(encoding="utf-8")
        for call in re.finditer(r'Failure\("[\w-]+",\s*((?:f?"[^"]*"\s*)+)', source):
            messages.append("".join(re.findall(r'"([^"]*)"', call.group(1))))
    assert len(messages) >= 15
    # messages completed outside the literal: their possible texts
    examples = {"must be {rng}": ["must be between 0 and 10", "must be at least 0", "must be at most 10"],
                "must be one of ": ["must be one of 1, 2, 3"]}
    reasons = [f"alder: {re.sub(r'{[^}]*}', 'x', m)}" for m in messages if m not in examples]
    reasons += [f"alder: {text}" for m in messages for text in examples.get(m, ())]
    reasons += ["blank row", "wrong number of fields", "values outside the header's columns",
                "person_id not found in deltagere", "person_id: the row in deltagere is invalid",
                "filter: kommune == 'Odense'", "filter cannot follow this table: kommune == 'Odense'"]
    untranslated = [r for r in reasons if reason_label(r, "da") == r and not r.startswith("filter: ")]
    assert not untranslated
    assert all(reason_label(r, "en") == r for r in reasons)
