"""Atomic, deterministic file output: write to a temporary file beside the target, then rename.

A run that is killed mid-write leaves at most a hidden ``.evalkit-tmp-*`` file, never a partial
output under the real name (issue 9, "output safety").
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Iterator

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it is renamed onto ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".evalkit-tmp-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes(target: str | Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: str | Path, text: str, encoding: str = "utf-8") -> None:
    write_bytes(target, text.encode(encoding))


def normalise_zip(path: str | Path) -> None:
    """Rewrite a zip container (XLSX) with fixed entry and document timestamps: same content, same bytes."""
    path = Path(path)
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    tmp = path.with_name(path.name + ".norm")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time into dcterms:modified; pin it.
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>2000-01-01T00:00:00Z\g<2>",
                              data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, data)
    os.replace(tmp, path)


class OutputPathError(ValueError):
    """The output path would overwrite or sit among the input files."""


def check_output_path(out: str | Path, inputs: list[Path], *, folder_output: bool = False, force: bool = False) -> None:
    """Refuse an output that overwrites an input file, or lands in a folder holding the input.

    ``folder_output`` is true when ``out`` is itself a folder of files (CSV output). An input file
    is never overwritten, ``force`` or not; writing next to the input needs ``force``.
    """
    out = Path(out).resolve()
    resolved = [p.resolve() for p in inputs]
    if any(out == p for p in resolved) or (folder_output and any(p.parent == out for p in resolved)):
        raise OutputPathError(f"{out} is (or holds) an input file; choose another --out")
    target_dir = out if folder_output else out.parent
    if not force and any(p.parent == target_dir for p in resolved):
        raise OutputPathError(f"{target_dir} holds the input; write elsewhere or use --force")
