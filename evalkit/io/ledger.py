"""The row ledger: every row read is either kept or excluded with a reason.

``read = kept + excluded`` holds for every table at every stage; :meth:`Ledger.check` asserts it.
Reports add their own stages (cohort rules such as "age under 15 excluded", seed 004 A19), so
the printed ledger shows the whole path from file to table.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

from evalkit.io.safetext import printable


@dataclass
class TableLedger:
    table: str
    file: str | None
    read: int
    excluded: Counter[str] = field(default_factory=Counter)

    @property
    def kept(self) -> int:
        return self.read - sum(self.excluded.values())

    def exclude(self, reason: str, n: int) -> None:
        if n < 0:
            raise ValueError("cannot exclude a negative number of rows")
        if n:
            self.excluded[printable(reason)] += n
        if self.kept < 0:
            raise ValueError(f"ledger for {self.table}: more rows excluded than read")


@dataclass
class Ledger:
    """Per-table counts of rows read, kept and excluded (by reason)."""

    tables: dict[str, TableLedger] = field(default_factory=dict)

    def start(self, table: str, file: str | None, read: int) -> TableLedger:
        """Open the entry of one table; a file or sheet name holding a CPR number is stored masked."""
        entry = TableLedger(table=table, file=None if file is None else printable(file), read=read)
        self.tables[table] = entry
        return entry

    def exclude(self, table: str, reason: str, n: int) -> None:
        self.tables[table].exclude(reason, n)

    def kept(self, table: str) -> int:
        return self.tables[table].kept

    def check(self, frames: dict[str, pd.DataFrame] | None = None) -> None:
        """Raise ``AssertionError`` unless every table balances (and matches ``frames`` if given)."""
        for name, entry in self.tables.items():
            assert entry.read == entry.kept + sum(entry.excluded.values()), name
            assert entry.kept >= 0, name
            if frames is not None and name in frames:
                assert len(frames[name]) == entry.kept, (name, len(frames[name]), entry.kept)

    def to_frame(self) -> pd.DataFrame:
        """One row per (table, reason); reason ``""`` is the kept row of the table."""
        rows = []
        for name, e in self.tables.items():
            rows.append({"table": name, "file": e.file, "read": e.read, "kept": e.kept,
                         "excluded": sum(e.excluded.values()), "reason": "", "n": e.kept})
            for reason, n in sorted(e.excluded.items()):
                rows.append({"table": name, "file": e.file, "read": e.read, "kept": e.kept,
                             "excluded": sum(e.excluded.values()), "reason": reason, "n": n})
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            name: {"file": e.file, "read": e.read, "kept": e.kept,
                   "excluded": dict(sorted(e.excluded.items()))}
            for name, e in self.tables.items()
        }

    def lines(self, lang: str = "en") -> list[str]:
        """The ledger as ``validate`` prints it, in ``lang`` (exclusion reasons through :func:`reason_label`)."""
        from evalkit.io.problems import problem_word

        out = []
        for name, e in self.tables.items():
            out.append(problem_word("ledger_table", lang, table=name, read=e.read, kept=e.kept,
                                    excluded=sum(e.excluded.values())))
            out += [problem_word("ledger_reason", lang, n=n, reason=reason_label(reason, lang))
                    for reason, n in sorted(e.excluded.items())]
        return out


def english_pattern(template: str) -> re.Pattern[str]:
    """A regular expression matching the English message ``template`` ({name} matches any text, captured).

    >>> english_pattern("{column}: must be between {low} and {high}").match("alder: must be between 10 and 30")["low"]
    '10'
    """
    parts = re.split(r"\{(\w+)\}", template)
    pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(pattern + r"\Z", re.DOTALL)


@cache
def _reason_patterns() -> list[tuple[re.Pattern[str], dict[str, str]]]:
    import yaml

    raw = yaml.safe_load((resources.files("evalkit.io") / "ledger_reasons.yaml").read_text(encoding="utf-8"))
    return [(english_pattern(texts["en"]), texts) for texts in raw.values()]


def reason_label(reason: str, lang: str = "da") -> str:
    """The printed label of an exclusion reason in ``lang`` (``ledger_reasons.yaml``); a reason the table
    does not know (a report's own, already in its language) is returned as it is.

    >>> reason_label("blank row", "da"), reason_label("person_id not found in deltagere", "da")
    ('tom række', 'person_id findes ikke i deltagere')
    >>> reason_label("alder: must be between 10 and 30", "da"), reason_label("blank row", "en")
    ('alder: skal ligge mellem 10 og 30', 'blank row')
    """
    if lang == "en":
        return reason
    for pattern, texts in _reason_patterns():
        m = pattern.match(reason)
        if m:
            return texts[lang].format(**m.groupdict())
    return reason
