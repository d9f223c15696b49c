"""Renderers: one module per output format; each reads a built :class:`~evalkit.report.model.Report`."""

from __future__ import annotations

from pathlib import Path

FORMATS = ("terminal", "markdown", "csv", "xlsx", "html", "json", "docx", "pdf")
SUFFIX = {"markdown": ".md", "xlsx": ".xlsx", "html": ".html", "json": ".json", "csv": "", "docx": ".docx",
          "pdf": ".pdf"}


def render(report, fmt: str, out: str | Path | None = None) -> str | None:
    from evalkit.timing import step

    with step("render"):
        return _render(report, fmt, out)


def _render(report, fmt: str, out: str | Path | None = None) -> str | None:
    """Render ``report`` as ``fmt``; writes ``out`` atomically when given, else returns the text.

    ``csv`` writes a folder (one file per table); ``xlsx``, ``docx`` and ``pdf`` write a file, so they
    need ``out``. ``pdf`` prints the HTML with headless Chromium (:mod:`.pdf`).
    """
    if fmt == "json":
        from evalkit.report.render.json import render_json as fn
    elif fmt == "markdown":
        from evalkit.report.render.markdown import render_markdown as fn
    elif fmt == "html":
        from evalkit.report.render.html import render_html as fn
    elif fmt == "terminal":
        from evalkit.report.render.terminal import render_terminal

        return render_terminal(report)
    elif fmt == "csv":
        from evalkit.report.render.csv import write_csv

        if out is None:
            raise ValueError("csv output needs --out (a folder)")
        write_csv(report, Path(out))
        return None
    elif fmt == "xlsx":
        from evalkit.report.render.xlsx import write_xlsx

        if out is None:
            raise ValueError("xlsx output needs --out (a file)")
        write_xlsx(report, Path(out))
        return None
    elif fmt == "docx":
        from evalkit.report.render.docx import write_docx

        if out is None:
            raise ValueError("docx output needs --out (a file)")
        write_docx(report, Path(out))
        return None
    elif fmt == "pdf":
        from evalkit.report.render.pdf import write_pdf

        if out is None:
            raise ValueError("pdf output needs --out (a file)")
        write_pdf(report, Path(out))
        return None
    else:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    text = fn(report)
    if out is not None:
        from evalkit.io.atomic import write_text

        write_text(out, text)
        return None
    return text
