"""Atomic, deterministic file output: write to a temporary file beside the target, then rename.

A run that is killed mid-write leaves at most a hidden ``.evalkit-tmp-*`` file, never a partial
output under the real name (issue 9, "output safety").
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

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
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, data)
    os.replace(tmp, path)


class OutputPathError(ValueError):
    """The output path would overwrite or sit among the input files, or cannot be written."""


FOLDER_MARKER = ".evalkit-report"
BESIDE_INPUT = ("files written beside the export would be read as part of it by the next run, and mixing outputs "
                "with registry data makes both easy to mistake for the other")


def check_output_path(out: str | Path, inputs: list[Path], *, folder_output: bool = False, force: bool = False) -> None:
    """Refuse an output that overwrites an input file, or lands in a folder holding the input.

    ``folder_output`` is true when ``out`` is itself a folder of files (CSV output): it is replaced
    as a whole, so it may never be the folder holding the input. An input file is never
    overwritten, ``force`` or not; writing next to the input needs ``force``.
    """
    out = Path(out).resolve()
    resolved = [p.resolve() for p in inputs]
    if any(out == p for p in resolved):
        raise OutputPathError(f"{out} is an input file and is never overwritten (not even with --force); "
                              "choose another --out")
    if folder_output and (any(p.parent == out for p in resolved) or any(out in p.parents for p in resolved)):
        raise OutputPathError(f"{out} holds the input export; a report folder is replaced as a whole, so it can "
                              "never be the export's folder (not even with --force); choose another --out")
    target_dir = out if folder_output else out.parent
    if not force and any(p.parent == target_dir for p in resolved):
        raise OutputPathError(f"{target_dir} holds the input export; {BESIDE_INPUT}. Write elsewhere, or add "
                              "--force to write there anyway (an input file is still never overwritten)")


def check_writable(out: str | Path, *, folder_output: bool = False, example: str = "report") -> None:
    """Refuse an ``--out`` of the wrong kind (a folder for a file, a file for a folder) or in a read-only place."""
    out = Path(out)
    if out.is_dir() and not folder_output:
        raise OutputPathError(f"{out} is a folder; give a file name in it, e.g. {out / example}")
    if out.exists() and not out.is_dir() and folder_output:
        raise OutputPathError(f"{out} is a file; this format writes a folder of tables: give a folder name")
    if folder_output and out.is_dir() and any(out.iterdir()) and not (out / FOLDER_MARKER).exists():
        raise OutputPathError(f"{out} already holds files that evalkit did not write; the report folder is "
                              "replaced as a whole, so choose a new or empty folder")
    existing = next((p for p in [out.parent, *out.parent.parents] if p.exists()), Path("."))
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise OutputPathError(f"cannot write into {existing} (permission denied); choose another --out")


@contextlib.contextmanager
def atomic_folder(target: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it replaces ``target`` as a whole.

    Tables of an earlier run never remain beside the new ones. Only a folder evalkit wrote (it holds
    :data:`FOLDER_MARKER`) or an empty one is replaced (see :func:`check_writable`).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".evalkit-tmp-", dir=target.parent))
    old = None
    try:
        yield tmp
        (tmp / FOLDER_MARKER).write_text("written by evalkit; this folder is replaced as a whole by the next run\n",
                                         encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=".evalkit-old-", dir=target.parent))
            os.rename(target, old / "previous")
        os.rename(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
