"""Tables cited as publications: the bibliography and each table's place in its publication.

A table declares the figure id it reproduces (``Table.source``, e.g. ``000-T7.1-indskrevne``); the
data file ``sources.yaml`` beside this module maps that id to the publication (author, year, title)
and the document's own table or figure number or caption, section and page. :func:`cite` turns
(report, table id, figure id) into a :class:`~evalkit.report.model.Citation`; :func:`citation_text`
prints it in the report's language and :func:`reference` prints a bibliography entry.

>>> c = cite("udgaaende", "enrolment", "000-T7.1-indskrevne")
>>> citation_text(c, "da").split(", ", 1)[1]
'tabellen »Antal elever indskrevet i forløb«, afsnit 7.1, s. 24'
>>> citation_text(c, "en", short=True)
'Socialstyrelsen (2017), the table “Antal elever indskrevet i forløb”, section 7.1, p. 24'
>>> citation_text(cite("ung-rusmidler", "tem_personlig_trivsel_ungeprofil", "004-F6.32"), "en", short=True)
'evalkit table; not in the publication (built on Socialstyrelsen (n.d.), figure 6.32, section 6.5)'
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from evalkit.report.model import Citation, Publication, Report, Table

__all__ = ["bibliography", "cite", "cite_tables", "citation_text", "publication", "quoted_texts", "reference",
           "sources_heading"]


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = (resources.files("evalkit.report") / "sources.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ValueError("evalkit/report/sources.yaml: expected version 1")
    return data


def _words(lang: str) -> dict[str, str]:
    return _data()["words"]["en" if lang == "en" else "da"]


def publication(key: str) -> Publication:
    """The bibliography entry ``key`` of ``sources.yaml``.

    >>> publication("modelkommuner").author
    'NIRAS'
    """
    entry = _data()["publications"][key]
    note = entry.get("note") or {}
    return Publication(key=key, author=entry["author"], title=entry["title"], year=entry.get("year"),
                       note_da=note.get("da"), note_en=note.get("en"))


_FIELDS = ("publication", "kind", "number", "caption", "section", "chapter", "page")


def cite(report: str, table_id: str, figure_id: str) -> Citation | None:
    """The citation of table ``table_id`` of ``report`` declaring figure ``figure_id`` (``None``
    for an id the data file does not know, e.g. a custom table's empty source)."""
    data = _data()
    entry = data["figures"].get(figure_id)
    if entry is None:
        return None
    override = (data.get("tables") or {}).get(report, {}).get(table_id)
    fields = {k: entry.get(k) for k in _FIELDS}
    remark = entry.get("remark") or {}
    own = bool(entry.get("own", False))
    reproduced_by = entry.get("reproduced_by")
    if reproduced_by is not None and table_id not in reproduced_by:
        own = True
    if override is not None:
        fields.update({k: override[k] for k in _FIELDS if k in override})
        own = bool(override.get("own", own))
        remark = override.get("remark", remark)
    return Citation(figure=figure_id, own=own, remark_da=remark.get("da"), remark_en=remark.get("en"),
                    **{k: None if v is None else str(v) for k, v in fields.items()})


def cite_tables(report: str, tables: list[Table]) -> None:
    """Attach its citation to every table of ``report`` that declares a known figure id."""
    for t in tables:
        if t.citation is None and t.source:
            t.citation = cite(report, t.id, t.source)


def _year(pub: Publication, lang: str) -> str:
    return str(pub.year) if pub.year else _words(lang)["no_year"]


def _location(c: Citation, lang: str) -> list[str]:
    w = _words(lang)
    parts = []
    section = f"{w['section']} {c.section}" if c.section else None
    chapter = f"{w['chapter']} {c.chapter}" if c.chapter else None
    if c.kind in ("table", "figure", "footnote"):
        if c.number:
            parts.append(f"{w[c.kind]} {c.number}")
        elif c.caption:
            parts.append(f"{w['the_' + c.kind]} {w['quote'].format(c.caption)}")
        elif section or chapter:   # neither number nor caption: "the table in section 3"
            parts.append(f"{w['the_' + c.kind]} {w['in']} {section or chapter}")
            section, chapter = (None, chapter) if section else (None, None)
        else:
            parts.append(w[c.kind])
    parts += [x for x in (section, chapter) if x]
    if c.page:
        parts.append(f"{w['page']} {c.page}")
    remark = c.remark(lang)
    if remark and parts:
        parts[-1] += f" ({remark})"
    return parts


def citation_text(c: Citation | None, lang: str = "da", *, short: bool = False) -> str:
    """The citation as printed after "Kilde:"/"Source:" (``short`` drops the publication's title)."""
    if c is None:
        return ""
    pub = publication(c.publication) if c.publication else None
    head = []
    if pub is not None:
        who = f"{pub.author} ({_year(pub, lang)})"
        head.append(who if short else f"{who}: {pub.title}")
    where = ", ".join(head + _location(c, lang))
    if c.own:
        own = _words(lang)["own"]
        return f"{own} ({_words(lang)['based_on']} {where})" if where else own
    return where


def reference(pub: Publication, lang: str = "da") -> str:
    """A bibliography entry: ``Author (year): Title. Note``.

    >>> reference(publication("udgaaende_card"), "en")
    'Socialstyrelsen (n.d.): Udgående indsatser til unge med rusmiddelproblemer. Summary card of the 2017 evaluation.'
    """
    text = f"{pub.author} ({_year(pub, lang)}): {pub.title}."
    note = pub.note(lang)
    return f"{text} {note}" if note else text


def bibliography(report: Report) -> list[Publication]:
    """The publications the report's tables cite, in order of first citation."""
    keys = list(dict.fromkeys(t.citation.publication for t in report.tables
                              if t.citation is not None and t.citation.publication))
    return [publication(k) for k in keys]


def quoted_texts() -> set[str]:
    """The document text a citation quotes as printed (publication titles, author names, captions and
    quotations in remarks): Danish in English output too, as proper nouns and quotations should be.
    A language scan of the output lists these as its exceptions.

    >>> "Antal elever indskrevet i forløb" in quoted_texts()
    True
    """
    import re

    data = _data()
    out: set[str] = set()
    for entry in data["publications"].values():
        out |= {entry["author"], entry["title"].strip("[]")}
    overrides = [o for tables in (data.get("tables") or {}).values() for o in tables.values()]
    for entry in [*data["figures"].values(), *overrides]:
        if entry.get("caption"):
            out.add(entry["caption"])
        remark = entry.get("remark") or {}
        out |= {q for text in remark.values() for q in re.findall(r"»([^«]+)«", text)}
    return out


def sources_heading(lang: str) -> str:
    """The heading of the bibliography section ("Kilder" / "Sources")."""
    return _words(lang)["sources"]

