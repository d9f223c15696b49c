"""Problems found while reading and validating an export, and the error that stops a run.

Every problem names the file, the row as the user sees it (the spreadsheet row number: the header is
row 1, so the first data row is row 2), the column and the offending value. Every text is passed
through :func:`evalkit.io.safetext.printable` (CPR numbers masked, control characters made visible)
before it is stored, so a problem can be printed safely.

A problem prints in Danish or English (:meth:`Problem.text`): the words around it, each code's label and
the Danish wording of its detail come from ``problem_labels.yaml``; the English text is the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from evalkit.io.safetext import printable

Severity = Literal["error", "warning", "info"]
MAX_VALUE_CHARS = 80
LANGS = ("da", "en")


@cache
def _labels() -> dict[str, Any]:
    import yaml

    text = (resources.files("evalkit.io") / "problem_labels.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def problem_word(key: str, lang: str, **fields: object) -> str:
    """A word or headline around the problems (``problem_labels.yaml``, ``words``) in ``lang``.

    >>> problem_word("row", "da", row=3), problem_word("invalid", "en", source="x", errors=2)
    ('række 3', 'x: the export is not valid (2 error(s)):')
    """
    return _labels()["words"][key][lang].format(**fields)


def code_label(code: str, lang: str) -> str:
    """The short label of a problem code in ``lang``; an unknown code is printed as it is.

    >>> code_label("out-of-range", "da"), code_label("out-of-range", "en")
    ('værdi uden for det tilladte område', 'value out of range')
    """
    entry = _labels()["codes"].get(code)
    return entry[lang] if entry else code


@cache
def _detail_patterns(code: str) -> list[tuple[re.Pattern[str], dict[str, str]]]:
    """The code's English message patterns ({name} matches any text) with their templates per language."""
    from evalkit.io.ledger import english_pattern

    return [(english_pattern(texts["en"]), texts) for texts in _labels()["codes"].get(code, {}).get("details", [])]


def _value_reason(reason: str, lang: str) -> str | None:
    """A value's failure reason ("must be between 0 and 5") in ``lang``, from the row ledger's reason labels."""
    from evalkit.io.ledger import reason_label

    prefix = "_: "
    label = reason_label(prefix + reason, lang)
    if lang != "en" and label == prefix + reason:
        return None  # a reason the ledger's table does not know
    return label[len(prefix):] if label.startswith(prefix) else None


def _dictionary_label(fields: dict[str, str], table: str | None, lang: str) -> str:
    """The data dictionary's label, in ``lang``, of the column (of ``table``) or the table a message names;
    the message's own label when the dictionary does not know it."""
    from evalkit.io.schema import all_tables

    tables = all_tables()
    try:
        if "column" in fields and table in tables:
            return tables[str(table)].column(fields["column"]).label(lang)
        if "table" in fields and fields["table"] in tables:
            return tables[fields["table"]].label(lang)
    except KeyError:
        pass
    return fields["label"]


def message_in(code: str, message: str, lang: str, table: str | None = None) -> str:
    """The text of a problem's message in ``lang``: English as created; otherwise the code's label, and the
    detail of the message in that language (or, for a message without a Danish pattern, as a technical note).
    A field ``label`` is the data dictionary's label of the column (of ``table``) or table the message names.

    >>> message_in("out-of-range", "the value must be between 0 and 5", "da")
    'værdi uden for det tilladte område – skal ligge mellem 0 og 5'
    >>> message_in("duplicate-key", "the key (person_id) appears more than once", "da")
    'nøglen er ikke entydig – nøglen (person_id) står i flere rækker'
    """
    if lang == "en" or code not in _labels()["codes"]:
        return message
    label = code_label(code, lang)
    patterns = _detail_patterns(code)
    for pattern, texts in patterns:
        m = pattern.match(message)
        if m is None:
            continue
        phrases = _labels()["phrases"]
        fields = {name: phrases.get(value, value) for name, value in m.groupdict().items()}
        if "reason" in fields:
            reason = _value_reason(fields["reason"], lang)
            if reason is None:
                break
            fields["reason"] = reason
        if "label" in fields:
            fields["label"] = _dictionary_label(fields, table, lang)
        detail = texts[lang].format(**fields)
        return f"{label} – {detail}" if detail else label
    else:
        if not patterns:
            return label
    return f"{label} ({problem_word('technical', lang, message=message)})"


@dataclass(frozen=True)
class Problem:
    """One finding about the input: where it is, what is wrong, and how bad it is."""

    severity: Severity
    code: str
    message: str
    file: str | None = None
    table: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __post_init__(self) -> None:
        for name in ("message", "file", "table", "column", "value"):
            text = getattr(self, name)
            if text is not None:
                text = printable(text)
                if name == "value" and len(text) > MAX_VALUE_CHARS:
                    text = text[:MAX_VALUE_CHARS] + f"... ({len(text)} characters)"
                object.__setattr__(self, name, text)

    def location(self, lang: str = "en") -> str:
        """Where the problem is, in ``lang``: file, row (as the spreadsheet numbers it) and column.

        >>> p = Problem("error", "out-of-range", "the value must be between 0 and 5", file="r.csv", row=3,
        ...             column="who5_1", value="7")
        >>> p.location("da"), p.location("en")
        ("fil r.csv, række 3, kolonne 'who5_1'", "r.csv, row 3, column 'who5_1'")
        """
        parts = []
        if self.file:
            parts.append(problem_word("file", lang, file=self.file))
        if self.row is not None:
            parts.append(problem_word("row", lang, row=self.row))
        if self.column:
            parts.append(problem_word("column", lang, column=self.column))
        return ", ".join(parts)

    def text(self, lang: str = "en") -> str:
        """The problem as one line in ``lang`` (``da`` or ``en``): severity, location, what is wrong, the value.

        >>> p = Problem("error", "out-of-range", "the value must be at most 5", file="r.csv", row=3, column="x",
        ...             value="7")
        >>> print(p.text("da"))
        fejl: fil r.csv, række 3, kolonne 'x': værdi uden for det tilladte område – skal være højst 5 (værdi: '7')
        >>> print(p.text("en"))
        error: r.csv, row 3, column 'x': the value must be at most 5 (value: '7')
        """
        where = self.location(lang)
        value = problem_word("value", lang, value=self.value) if self.value is not None else ""
        prefix = f"{where}: " if where else ""
        what = message_in(self.code, self.message, lang, self.table)
        return f"{problem_word(self.severity, lang)}: {prefix}{what}{value}"

    def __str__(self) -> str:
        return self.text("en")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ProblemList:
    """An ordered collection of problems, keeping at most ``per_kind_limit`` row-level ones per kind.

    A *kind* is (table, column, code, severity); problems past the limit are only counted.
    """

    problems: list[Problem] = field(default_factory=list)
    suppressed: dict[tuple[str | None, str | None, str, str], int] = field(default_factory=dict)
    per_kind_limit: int = 20
    _shown: dict[tuple[str | None, str | None, str, str], int] = field(default_factory=dict, repr=False)

    def add(self, problem: Problem) -> None:
        key = (problem.table, problem.column, problem.code, problem.severity)
        if problem.row is not None and self._shown.get(key, 0) >= self.per_kind_limit:
            self.add_suppressed(problem.table, problem.column, problem.code, problem.severity, 1)
            return
        self._shown[key] = self._shown.get(key, 0) + 1
        self.problems.append(problem)

    def add_suppressed(self, table: str | None, column: str | None, code: str, severity: str, n: int) -> None:
        """Count ``n`` further problems of a kind without keeping them."""
        if n > 0:
            key = (table, column, code, severity)
            self.suppressed[key] = self.suppressed.get(key, 0) + n

    def extend(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            self.add(p)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(k[3] == "error" for k in self.suppressed)

    def count(self, severity: str) -> int:
        shown = sum(1 for p in self.problems if p.severity == severity)
        return shown + sum(n for k, n in self.suppressed.items() if k[3] == severity)

    def summary_lines(self, lang: str = "en") -> list[str]:
        """Every problem as a line in ``lang``, then one line per kind of which only the first were kept."""
        lines = [p.text(lang) for p in self.problems]
        for (table, column, code, severity), n in self.suppressed.items():
            more = problem_word("more", lang, n=n, code=code, label=code_label(code, lang), table=table,
                                column=printable(str(column)))
            lines.append(f"{problem_word(severity, lang)}: {more}")
        return lines

    def to_list(self, lang: str | None = None) -> list[dict[str, Any]]:
        """The problems as dicts (codes and fields); with ``lang``, each also holds its printed ``text``."""
        out = [p.to_dict() | ({"text": p.text(lang)} if lang else {}) for p in self.problems]
        for (table, column, code, severity), n in self.suppressed.items():
            entry = {"severity": severity, "code": code, "message": f"{n} more problem(s) of this kind",
                     "file": None, "table": table, "row": None, "column": column, "value": None, "count": n}
            if lang:
                entry["text"] = problem_word("more_json", lang, n=n)
            out.append(entry)
        return out


class InputError(Exception):
    """The export cannot be used: the problems say where and why. Raised, never printed as a traceback."""

    def __init__(self, problems: ProblemList | list[Problem], ledger: Any = None) -> None:
        if isinstance(problems, list):
            plist = ProblemList()
            plist.extend(problems)
            problems = plist
        self.problems = problems
        self.ledger = ledger
        first = problems.errors[0] if problems.errors else None
        super().__init__(str(first) if first else "invalid input")
