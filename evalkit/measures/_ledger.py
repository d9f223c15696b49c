"""The measure ledger: who was scored, who was not, and under which rule.

It complements :class:`evalkit.io.Ledger` (rows read, kept and excluded per table): that one
accounts for rows, this one for the values computed from the rows that were kept.

Every public measure and profile function takes an optional keyword ``ledger``. When a
:class:`MeasureLedger` is passed, the function appends one :class:`LedgerEntry` per outcome status
(for example ``scored`` / ``prorated`` / ``missing_items``), with the policy and the rule-file
version actually used. The function's return value never depends on the ledger; the ledger only
records, so a report can print the missing-data policy and the counts next to every table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

LEDGER_COLUMNS = ("measure", "status", "n", "policy", "rule")


@dataclass(frozen=True)
class LedgerEntry:
    """One line of the ledger.

    Attributes
    ----------
    measure
        Public function name that produced the entry, e.g. ``"who5_percent"``.
    status
        Outcome for the rows counted, e.g. ``"scored"``, ``"missing_items"``, ``"not_eligible"``.
    n
        Number of rows (persons, forms) with that status.
    policy
        The options in force, e.g. ``"missing=complete"``.
    rule
        The rule file and version used, ``name@version``.
    """

    measure: str
    status: str
    n: int
    policy: str
    rule: str


class MeasureLedger:
    """Collects :class:`LedgerEntry` lines from the functions it is passed to.

    Examples
    --------
    >>> import pandas as pd
    >>> from evalkit.measures import who5_percent
    >>> items = pd.DataFrame({f"who5_{i}": [3, None] for i in range(1, 6)})
    >>> ledger = MeasureLedger()
    >>> who5_percent(items, ledger=ledger).tolist()
    [60.0, nan]
    >>> ledger.to_frame()[["measure", "status", "n", "policy"]]
            measure         status  n            policy
    0  who5_percent         scored  1  missing=complete
    1  who5_percent  missing_items  1  missing=complete
    """

    def __init__(self) -> None:
        self._entries: list[LedgerEntry] = []

    def record(self, measure: str, counts: dict[str, int], *, policy: str, rule: str) -> None:
        """Append one entry per status in ``counts`` (zero counts are kept, so tables are stable)."""
        for status, n in counts.items():
            self._entries.append(LedgerEntry(measure, status, int(n), policy, rule))

    @property
    def entries(self) -> tuple[LedgerEntry, ...]:
        """All entries in the order they were recorded."""
        return tuple(self._entries)

    def to_frame(self) -> pd.DataFrame:
        """The entries as a tidy DataFrame with columns measure, status, n, policy, rule."""
        return pd.DataFrame(
            [[getattr(e, c) for c in LEDGER_COLUMNS] for e in self._entries], columns=list(LEDGER_COLUMNS)
        )

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"MeasureLedger({len(self._entries)} entries)"


def record(ledger: MeasureLedger | None, measure: str, counts: dict[str, int], *, policy: str, rule: str) -> None:
    """Record into ``ledger`` if one was given (helper for the measure modules)."""
    if ledger is not None:
        ledger.record(measure, counts, policy=policy, rule=rule)
