"""Output of ``evalkit verify``: a terminal table, JSON, JUnit XML and GitHub Actions annotations.

JUnit: one ``<testsuite>`` per catalogue and one ``<testcase>`` per figure; a failed figure has a
``<failure>`` with the printed and computed values and the reason, a figure pending a report cell is
``<skipped>``, a known deviation passes with its reason in ``<system-out>``. GitHub: one workflow
command per figure that is not a plain pass (``::error`` fail, ``::warning`` pending, ``::notice``
known deviation), pointing at the figure's line in its catalogue, then a summary line.
"""

from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from evalkit.verify.catalogue import Catalogue
from evalkit.verify.check import FigureResult, summary

__all__ = ["FORMATS", "render", "to_github", "to_json", "to_junit", "to_text"]

FORMATS = ("text", "json", "junit", "github")


def _computed(r: FigureResult) -> str:
    return "" if r.computed is None else f"{r.computed:.6g}"


def _by_catalogue(results: Sequence[FigureResult], catalogues: Sequence[Catalogue]) -> list[tuple[Catalogue, list]]:
    return [(c, [r for r in results if r.catalogue == c.path]) for c in catalogues]


def _counts_line(counts: dict[str, int]) -> str:
    return (f"{counts['pass']} pass, {counts['fail']} fail, {counts['known-deviation']} known deviations, "
            f"{counts['pending']} pending a report cell ({counts['total']} figures)")


def to_json(results: Sequence[FigureResult], catalogues: Sequence[Catalogue]) -> str:
    """Summary, per-catalogue counts and every figure as JSON.

    >>> import json
    >>> json.loads(to_json([], []))["summary"]["total"]
    0
    """
    payload = {"summary": summary(results),
               "catalogues": [{"path": c.path, "document": c.document, "report": c.report, "summary": summary(rs)}
                              for c, rs in _by_catalogue(results, catalogues)],
               "figures": [r.to_dict() for r in results]}
    return json.dumps(payload, ensure_ascii=False, indent=2)


def to_junit(results: Sequence[FigureResult], catalogues: Sequence[Catalogue]) -> str:
    """JUnit XML (testsuites/testsuite/testcase/failure|skipped), one testcase per figure.

    >>> from evalkit.verify.check import FigureResult
    >>> cat = Catalogue("000", "udgaaende", (), "catalogues/000.yaml")
    >>> xml = to_junit([FigureResult("f1", "T1", "5", 6.0, "fail", "outside", catalogue=cat.path)], [cat])
    >>> '<failure message="printed 5, computed 6"' in xml
    True
    """
    counts = summary(results)
    root = ET.Element("testsuites", name="evalkit verify", tests=str(counts["total"]), failures=str(counts["fail"]),
                      errors="0", skipped=str(counts["pending"]))
    for cat, rs in _by_catalogue(results, catalogues):
        c = summary(rs)
        suite = ET.SubElement(root, "testsuite", name=cat.path, tests=str(c["total"]), failures=str(c["fail"]),
                              errors="0", skipped=str(c["pending"]), time="0")
        props = ET.SubElement(suite, "properties")
        for name, value in (("document", cat.document), ("report", cat.report)):
            ET.SubElement(props, "property", name=name, value=value)
        for r in rs:
            case = ET.SubElement(suite, "testcase", classname=f"evalkit.verify.{cat.document or 'catalogue'}",
                                 name=r.id, time="0")
            if cat.file:
                case.set("file", cat.file)
            if r.line:
                case.set("line", str(r.line))
            where = f"{r.source}: {r.table}/{r.row}/{r.column}"
            if r.status == "fail":
                failure = ET.SubElement(case, "failure", message=f"printed {r.printed}, computed {_computed(r) or '-'}",
                                        type="moved" if "moved" in (r.reason or "") else "mismatch")
                failure.text = f"{where}\n{r.reason or ''}"
            elif r.status == "pending":
                ET.SubElement(case, "skipped", message=r.reason or "no report cell yet")
            elif r.status == "known-deviation":
                out = ET.SubElement(case, "system-out")
                out.text = (f"known deviation: printed {r.printed}, computed {_computed(r)}, expected {r.expected}. "
                            f"{r.reason or ''}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _relative(file: str) -> str:
    if not file:
        return ""
    try:
        return os.path.relpath(file)
    except ValueError:  # another drive on Windows
        return Path(file).as_posix()


def to_github(results: Sequence[FigureResult], catalogues: Sequence[Catalogue]) -> str:
    """GitHub Actions workflow commands: ::error (fail), ::warning (pending), ::notice (known deviation).

    >>> from evalkit.verify.check import FigureResult
    >>> r = FigureResult("f1", "T1", "5", 6.0, "fail", "outside", catalogue="x.yaml", line=7)
    >>> to_github([r], [Catalogue("0", "r", (), "x.yaml", "x.yaml")]).splitlines()[0]
    '::error file=x.yaml,line=7,title=f1::printed 5, computed 6: outside'
    """
    files = {c.path: _relative(c.file) for c in catalogues}
    level = {"fail": "error", "pending": "warning", "known-deviation": "notice"}
    out = []
    for r in results:
        if r.status not in level:
            continue
        props = []
        if files.get(r.catalogue):
            props.append(f"file={_escape_property(files[r.catalogue])}")
            if r.line:
                props.append(f"line={r.line}")
        props.append(f"title={_escape_property(r.id)}")
        message = f"printed {r.printed}, computed {_computed(r) or '-'}: {r.reason or ''}"
        out.append(f"::{level[r.status]} {','.join(props)}::{_escape_data(message)}")
    out.append("evalkit verify: " + _counts_line(summary(results)))
    return "\n".join(out) + "\n"


def to_text(results: Sequence[FigureResult], catalogues: Sequence[Catalogue]) -> str:
    """A terminal table of every figure, then the counts per catalogue and in total.

    >>> "0 pass" in to_text([], [])
    True
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table as RichTable

    buffer = io.StringIO()
    console = Console(width=140, color_system=None, file=buffer)
    table = RichTable(title=f"evalkit verify: {', '.join(c.path for c in catalogues)}", title_justify="left")
    for h in ("figure", "printed", "computed", "status", "reason"):
        table.add_column(h)
    for r in results:
        table.add_row(escape(r.id), escape(r.printed), _computed(r), r.status, escape(r.reason or ""))
    console.print(table)
    for cat, rs in _by_catalogue(results, catalogues):
        console.print(f"{escape(cat.path)}: {_counts_line(summary(rs))}")
    console.print("total: " + _counts_line(summary(results)))
    return buffer.getvalue()


def render(fmt: str, results: Sequence[FigureResult], catalogues: Sequence[Catalogue]) -> str:
    """The results in one of :data:`FORMATS`.

    >>> render("github", [], []).strip()
    'evalkit verify: 0 pass, 0 fail, 0 known deviations, 0 pending a report cell (0 figures)'
    """
    renderers = {"text": to_text, "json": to_json, "junit": to_junit, "github": to_github}
    return renderers[fmt](results, catalogues)
