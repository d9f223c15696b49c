"""Problems found while reading and validating an export, and the error that stops a run.

Every problem names the file, the row as the user sees it (the spreadsheet row number: the header is
row 1, so the first data row is row 2), the column and the offending value. Every text is passed
through :func:`evalkit.io.safetext.printable` (CPR numbers masked, control characters made visible)
before it is stored, so a problem can be printed safely.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Literal

from evalkit.io.safetext import printable

Severity = Literal["error", "warning", "info"]
MAX_VALUE_CHARS = 80


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

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        value = f" (value: '{self.value}')" if self.value is not None else ""
        prefix = f"{where}: " if where else ""
        return f"{self.severity}: {prefix}{self.message}{value}"

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

    def summary_lines(self) -> list[str]:
        lines = [str(p) for p in self.problems]
        for (table, column, code, severity), n in self.suppressed.items():
            lines.append(f"{severity}: ... and {n} more '{code}' problem(s) in table {table}, column '{column}'")
        return lines

    def to_list(self) -> list[dict[str, Any]]:
        out = [p.to_dict() for p in self.problems]
        for (table, column, code, severity), n in self.suppressed.items():
            out.append({"severity": severity, "code": code, "message": f"{n} more problem(s) of this kind",
                        "file": None, "table": table, "row": None, "column": column, "value": None, "count": n})
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
