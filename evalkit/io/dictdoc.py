"""Render the data dictionary as Markdown (``docs/data-dictionary.md``, kept in sync by a test)."""

from __future__ import annotations

from evalkit.io.schema import ColumnSpec, load_dictionary


def _allowed(col: ColumnSpec) -> str:
    if col.values:
        return "; ".join(f"`{v.code}` ({v.label_da} / {v.label_en})" for v in col.values)
    parts = []
    if col.min is not None or col.max is not None:
        lo = "" if col.min is None else f"{col.min:g}"
        hi = "" if col.max is None else f"{col.max:g}"
        parts.append(f"{lo}–{hi}")
    if col.allowed is not None:
        parts.append("{" + ", ".join(map(str, col.allowed)) + "}")
    return ", ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown() -> str:
    """The whole data dictionary as one Markdown document."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from `evalkit/io/dictionary/*.yaml` by `evalkit dictionary`; do not edit by hand",
        "(a test fails when this file and the YAML differ).",
        "",
        "Types: `id` (identifier; CPR-like values are pseudonymised on read), `string`, `int`, `float`,",
        "`bool` (ja/nej, yes/no, true/false, 1/0), `date` (dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd; Excel dates),",
        "`category` (one of the listed codes; the Danish and English labels and the aliases are accepted too).",
        "*Required* means the column must be present; *nullable* means a cell may be empty.",
        "",
    ]
    for ds in load_dictionary().values():
        lines += [f"## Dataset `{ds.name}`: {ds.label_en}", "", f"{ds.label_da}. Source: {ds.source}. "
                  f"Dictionary version {ds.version}.", ""]
        for t in ds.tables:
            lines += [f"### Table `{t.name}` ({t.label_en} / {t.label_da})", ""]
            if t.description:
                lines += [t.description, ""]
            meta = [f"Primary key: {', '.join(f'`{c}`' for c in t.primary_key) or 'none'}."]
            for fk in t.foreign_keys:
                meta.append(f"Foreign key: {', '.join(f'`{c}`' for c in fk.columns)} → `{fk.references}`.")
            if t.optional_table:
                meta.append("The table is optional.")
            accepted = ", ".join(f"`{a}`" for a in dict.fromkeys((t.name, *t.aliases)))
            meta.append(f"File or sheet names accepted: {accepted}.")
            if t.source:
                meta.append(f"Used by: {t.source}.")
            lines += [" ".join(meta), ""]
            lines += ["| column | type | required | nullable | allowed values | label (da / en) | aliases |",
                      "|---|---|---|---|---|---|---|"]
            for c in t.columns:
                lines.append(
                    f"| `{c.name}` | {c.dtype}{' (ordered)' if c.ordered else ''} | {'yes' if c.required else 'no'} | "
                    f"{'yes' if c.nullable else 'no'} | {_cell(_allowed(c))} | {_cell(c.label_da)} / "
                    f"{_cell(c.label_en)} | {_cell(', '.join(c.aliases))} |")
            lines.append("")
    return "\n".join(lines)
