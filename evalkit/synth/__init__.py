"""Synthetic registry exports: the bundled samples and exports of any size for demos and benchmarks.

Each dataset has a constructive generator with a fixed seed. Without ``persons`` it builds the
published-size sample that reproduces the publications' printed figures (Udgående indsatser and its
summary card, UNG Rusmidler, Modelkommuner; the HCS model prints none, so its sample follows the
model's rules); with ``persons=N`` it builds N persons with the same distributions.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["GENERATORS", "SAMPLE_FORMATS", "generate", "sample_path", "write_sample"]

GENERATORS = {
    "udgaaende": "evalkit.synth.udgaaende",
    "ung-rusmidler": "evalkit.synth.ung_rusmidler",
    "hcs": "evalkit.synth.hcs",
    "modelkommuner": "evalkit.synth.modelkommuner",
}
#: The format each bundled sample is shipped in (one of every export format among them).
SAMPLE_FORMATS = {"udgaaende": "csv", "ung-rusmidler": "xlsx", "hcs": "parquet", "modelkommuner": "csv"}


def generate(name: str, persons: int | None = None, seed: int | None = None, **kwargs: Any) -> dict[str, pd.DataFrame]:
    """Canonical tables of a synthetic export for report/dataset ``name``.

    >>> tables = generate("udgaaende")
    >>> len(tables["deltagere"])
    405
    """
    if name not in GENERATORS:
        raise KeyError(f"unknown dataset {name!r}; one of {', '.join(GENERATORS)}")
    module = importlib.import_module(GENERATORS[name])
    if seed is not None:
        kwargs["seed"] = seed
    return module.generate(persons, **kwargs)


def sample_path(name: str, root: str | Path) -> Path:
    """Where the bundled sample of ``name`` lives below ``root`` (``data/samples``).

    >>> sample_path("ung-rusmidler", "data/samples").as_posix()
    'data/samples/ung-rusmidler/export.xlsx'
    """
    folder = Path(root) / name
    return folder / "export.xlsx" if SAMPLE_FORMATS[name] == "xlsx" else folder


def write_sample(name: str, root: str | Path) -> Path:
    """(Re)generate the bundled sample of ``name`` below ``root``; returns the path to point evalkit at.

    >>> import tempfile
    >>> path = write_sample("hcs", tempfile.mkdtemp())
    >>> sorted(p.name for p in path.iterdir())[:2]
    ['hcs_asi.parquet', 'hcs_deltagere.parquet']
    """
    from evalkit.io.writers import write_export

    write_export(generate(name), Path(root) / name, SAMPLE_FORMATS[name])  # type: ignore[arg-type]
    return sample_path(name, root)
