"""The ``evalkit`` command line: parses options, calls the library, renders. Nothing else lives here.

Exit codes: 0 success, 1 invalid data (or a failed verification), 2 usage error. No command prints a
traceback: unexpected failures are reported in one line.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from evalkit.io import CsvOptions, InputError, MappingError, read_export
from evalkit.io.cpr import KeyFileError
from evalkit.io.safetext import printable

if TYPE_CHECKING:  # imported for the annotations only: the CLI loads rich and threading when it needs them
    import threading

    from rich.status import Status

app = typer.Typer(
    name="evalkit",
    help="Evaluation tables and significance tests for Danish youth substance-use programme exports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_INVALID = 1
EXIT_USAGE = 2


class TextOrJson(str, Enum):
    text = "text"
    json = "json"


class Lang(str, Enum):
    da = "da"
    en = "en"


def _err(message: str) -> None:
    """Print to stderr with CPR numbers masked and control characters (from file names, headers) made visible."""
    for line in str(message).split("\n"):
        typer.echo(printable(line), err=True)


def _usage(command: str, message: str) -> typer.Exit:
    """Print a usage error (naming the option) and return the exit to raise: code 2."""
    _err(f"evalkit {command}: {message}")
    return typer.Exit(EXIT_USAGE)


def _need_source(command: str, source: Path, what: str = "the export") -> None:
    """A source that does not exist is a usage error (exit 2), not invalid data."""
    if not source.exists():
        raise _usage(command, f"{source} does not exist; give {what}: a folder of CSV/XLSX/Parquet files, "
                              "one workbook or one file.")


def _check_key_file(command: str, key_file: Path | None) -> None:
    from evalkit.io.cpr import load_key

    if key_file is not None:
        try:
            load_key(key_file)
        except KeyFileError as exc:
            raise _usage(command, f"--pseudonym-key-file: {exc}.") from None


def _inputs(source: Path) -> list[Path]:
    return [p for p in source.iterdir() if p.is_file()] if source.is_dir() else [source]


def _problems(header: str, problems, lang: str = "en") -> None:
    """Print a one-line header and every problem (already CPR-masked) in ``lang`` to stderr."""
    _err(header)
    for line in problems.summary_lines(lang):
        _err("  " + line)


def _invalid_export(headline: str, source: Path, problems, lang: str) -> None:
    """The exit-1 message of a command that read an invalid export: a headline and the problems, in ``lang``."""
    from evalkit.io.problems import problem_word

    _problems(problem_word(headline, lang, source=source, errors=problems.count("error")), problems, lang)


def _csv_options(encoding: str | None, delimiter: str | None, decimal: str | None,
                 thousands: str | None, command: str = "validate") -> CsvOptions:
    """The CSV options, checked: one character each, decimal mark and separator different, a known encoding."""
    import codecs

    if delimiter == "\\t" or (delimiter or "").lower() == "tab":
        delimiter = "\t"
    for option, value in (("--delimiter", delimiter), ("--decimal", decimal), ("--thousands", thousands)):
        if value is not None and len(value) != 1 and not (option == "--thousands" and value == ""):
            raise _usage(command, f"{option} must be one character, got {value!r} (e.g. {option} ';').")
        if value is not None and value in ('"', "\n", "\r"):
            raise _usage(command, f"{option} cannot be {value!r}.")
    if decimal is not None and decimal == thousands:
        raise _usage(command, f"--decimal and --thousands are both {decimal!r}; give two different characters.")
    if delimiter is not None and delimiter in (decimal, thousands):
        raise _usage(command, f"--delimiter {delimiter!r} is also the decimal mark or thousands separator.")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise _usage(command, f"--encoding {encoding!r} is not a known encoding (e.g. utf-8, cp1252).") from None
    return CsvOptions(encoding=encoding, delimiter=delimiter, decimal=decimal, thousands=thousands)


def _version(value: bool) -> None:
    if value:
        from evalkit import __version__

        typer.echo(f"evalkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Evaluation tables and significance tests for Danish youth substance-use programme exports."""
    from evalkit.memory import tune_for_large_arrays

    # registry-scale arrays: reuse freed memory (evalkit.memory; EVALKIT_MEMORY_TUNING=0 = off)
    tune_for_large_arrays()


SourceArg = typer.Argument(..., help="A folder of CSV/XLSX/Parquet files, one XLSX workbook, or one file.",
                           show_default=False)
MappingOpt = typer.Option(None, "--mapping", "-m", help="Mapping file (YAML) from `evalkit init` or written by hand.")
EncodingOpt = typer.Option(None, "--encoding", help="CSV encoding (default: detected; utf-8 or cp1252).")
DelimiterOpt = typer.Option(None, "--delimiter", help="CSV delimiter (default: detected among ; , tab |).")
DecimalOpt = typer.Option(None, "--decimal", help="Decimal mark in CSV text (default ',' for ;-files, else '.').")
ThousandsOpt = typer.Option(None, "--thousands", help="Thousands separator in CSV text (default '.' with decimal ',').")
ExcludeOpt = typer.Option(False, "--exclude-invalid",
                          help="Exclude invalid rows (counted in the ledger with their reason) instead of stopping.")
KeyFileOpt = typer.Option(None, "--pseudonym-key-file",
                          help="Key for the pseudonyms that replace CPR numbers (else $EVALKIT_PSEUDONYM_KEY, "
                               "else a random key for this run).")


@app.command()
def validate(
    source: Path = SourceArg,
    mapping: Path | None = MappingOpt,
    output_format: TextOrJson = typer.Option(TextOrJson.text, "--format", "-f", help="Output format."),
    encoding: str | None = EncodingOpt,
    delimiter: str | None = DelimiterOpt,
    decimal: str | None = DecimalOpt,
    thousands: str | None = ThousandsOpt,
    exclude_invalid: bool = ExcludeOpt,
    pseudonym_key_file: Path | None = KeyFileOpt,
    lang: Lang = typer.Option(Lang.da, "--lang", help="Language of the messages and the row ledger; Danish by "
                              "default, like `evalkit report`, so that a check and its report speak alike."),
) -> None:
    """Check an export against the data dictionary and print the row ledger.

    Exit code 0 when the export is valid, 1 when it holds invalid data, 2 on a usage error. The JSON
    output keeps the stable problem codes and adds each problem's printed text in the chosen language.

    Examples:

      evalkit validate data/samples/udgaaende

      evalkit validate export.xlsx --mapping mapping.yaml --format json --lang en
    """
    options = _csv_options(encoding, delimiter, decimal, thousands, "validate")
    _need_source("validate", source)
    _check_key_file("validate", pseudonym_key_file)
    try:
        export = read_export(source, mapping, csv_options=options,
                             on_invalid="exclude" if exclude_invalid else "error",
                             pseudonym_key_file=pseudonym_key_file)
    except InputError as exc:
        if output_format is TextOrJson.json:
            typer.echo(json.dumps({"valid": False, "source": printable(source), "lang": lang.value,
                                   "ledger": exc.ledger.to_dict() if exc.ledger else None,
                                   "problems": exc.problems.to_list(lang.value)}, ensure_ascii=False, indent=2))
        else:
            _invalid_export("invalid", source, exc.problems, lang.value)
        raise typer.Exit(EXIT_INVALID) from None
    if output_format is TextOrJson.json:
        typer.echo(json.dumps({"valid": True, "source": printable(source), "lang": lang.value,
                               "dataset": export.dataset, "ledger": export.ledger.to_dict(),
                               "problems": export.problems.to_list(lang.value)}, ensure_ascii=False, indent=2))
        return
    from evalkit.io.problems import problem_word

    typer.echo(printable(problem_word("valid", lang.value, source=source, dataset=export.dataset)))
    for line in export.ledger.lines(lang.value):
        typer.echo("  " + printable(line))
    for line in export.problems.summary_lines(lang.value):
        typer.echo("  " + printable(line))


class ReportFormat(str, Enum):
    terminal = "terminal"
    markdown = "markdown"
    md = "md"
    csv = "csv"
    xlsx = "xlsx"
    html = "html"
    json = "json"
    docx = "docx"
    pdf = "pdf"


#: Formats written to a file or folder only (never printed), so they need --out.
_FILE_FORMATS = (ReportFormat.csv, ReportFormat.xlsx, ReportFormat.docx, ReportFormat.pdf)

_SUFFIX_FORMAT = {".html": "html", ".htm": "html", ".xlsx": "xlsx", ".docx": "docx", ".pdf": "pdf", ".md": "markdown",
                  ".markdown": "markdown", ".json": "json", ".csv": "csv", ".txt": "terminal"}


def _output_format(given: ReportFormat | None, out: Path | None, command: str) -> ReportFormat:
    """``--format`` as given (``md`` is markdown), else inferred from the extension of ``--out``."""
    if given is not None:
        return ReportFormat.markdown if given is ReportFormat.md else given
    if out is None:
        return ReportFormat.terminal
    if out.suffix.lower() in _SUFFIX_FORMAT:
        return ReportFormat(_SUFFIX_FORMAT[out.suffix.lower()])
    if not out.suffix:
        return ReportFormat.csv if out.is_dir() else ReportFormat.terminal
    _err(f"evalkit {command}: cannot tell the format from --out {out.name!r}; give --format "
         f"({', '.join(f.value for f in ReportFormat if f is not ReportFormat.md)}).")
    raise typer.Exit(EXIT_USAGE)


def _check_format(command: str, output_format: ReportFormat, out: Path | None) -> None:
    """A file format needs --out; pdf needs Chromium. Both are usage errors (exit 2), found before any
    work: without Chromium the command as given cannot run, nothing in the input is wrong, and the
    fix is an option (--format html) or an install, as for any other usage error."""
    if output_format in _FILE_FORMATS and out is None:
        raise _usage(command, f"--format {output_format.value} needs --out.")
    if output_format is ReportFormat.pdf:
        from evalkit.report.render.pdf import chromium, unavailable_message

        if chromium() is None:
            raise _usage(command, f"--format pdf: {unavailable_message()}")


class PlotFormat(str, Enum):
    png = "png"
    svg = "svg"


def _suggest(name: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    return f" Did you mean '{close[0]}'?" if close else ""


def _parse_settings(items: list[str]) -> dict[str, object]:
    """``["no_show_k=2", "sensitivity=true"]`` -> ``{"no_show_k": 2, "sensitivity": True}`` (YAML scalars)."""
    import yaml

    out: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint="--set")
        out[key.strip()] = yaml.safe_load(value)
    return out


def _list_reports() -> None:
    from evalkit.report.spec import available_reports, get_spec

    for name in available_reports():
        spec = get_spec(name)
        typer.echo(f"{name}  (dataset {spec.dataset}): {spec.title.en}")
        for t in spec.tables:
            typer.echo(f"    {t.id:<28} {t.source:<22} {t.title.en}")


@app.command()
def report(
    source: Path | None = typer.Argument(None, help="The export: a folder, one XLSX workbook, or one file.",
                                            show_default=False),
    name: str | None = typer.Option(None, "--report", "-r",
                                       help="Report name (default: the one for the export's dataset)."),
    output_format: ReportFormat | None = typer.Option(None, "--format", "-f", help="Output format (default: "
                                                         "from the extension of --out, else the terminal)."),
    out: Path | None = typer.Option(None, "--out", "-o",
                                       help="Output file (folder for csv). Default: print to the terminal."),
    lang: Lang = typer.Option(Lang.da, "--lang", help="Language of labels and numbers."),
    min_cell: int = typer.Option(5, "--min-cell", min=1, help="Disclosure threshold: counts below it are suppressed."),
    no_disclosure: bool = typer.Option(False, "--no-disclosure",
                                       help="Turn disclosure control off (internal use only; never publish)."),
    list_reports: bool = typer.Option(False, "--list", help="List the reports and their tables, then exit."),
    force: bool = typer.Option(False, "--force", help="Allow --out in the folder that holds the input."),
    plots: Path | None = typer.Option(None, "--plots", help="Also write every plot into this folder."),
    plot_format: PlotFormat = typer.Option(PlotFormat.png, "--plot-format", help="png or svg."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display or status lines."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print the row ledger and step timings."),
    settings: list[str] | None = typer.Option(None, "--set", help="A report setting KEY=VALUE, e.g. "
                                                 "no_show_k=2 (hcs) or sensitivity=true (ung-rusmidler); repeatable."),
    where: list[str] | None = typer.Option(None, "--where", help="Only the units (persons, episodes) that "
                                              "pass a filter, e.g. 'kommune == \"Odense\"' or "
                                              "'indskrivningsdato >= 2014-01-01'; repeatable (all must hold). "
                                              "See docs/tutorial.md."),
    by: str | None = typer.Option(None, "--by", help="One report per level of this column of the report's "
                                     "unit (e.g. kommune), plus a comparison report across levels."),
    period: str | None = typer.Option(None, "--period", help="One report per period of the intake date "
                                         "(year, halfyear, quarter or month), plus a comparison report."),
    mapping: Path | None = MappingOpt,
    encoding: str | None = EncodingOpt,
    delimiter: str | None = DelimiterOpt,
    decimal: str | None = DecimalOpt,
    thousands: str | None = ThousandsOpt,
    exclude_invalid: bool = ExcludeOpt,
    pseudonym_key_file: Path | None = KeyFileOpt,
) -> None:
    """Build a report's tables (with tests, disclosure control and the row ledger) from an export.

    Examples:

      evalkit report data/samples/udgaaende

      evalkit report export.xlsx --report ung-rusmidler --format html --out report.html --lang en

      evalkit report --list
    """
    from evalkit.report._build.options import OptionError
    from evalkit.report._build.where import WhereError
    from evalkit.report.spec import ReportOptions, available_reports, build_report

    if list_reports:
        _list_reports()
        return
    if source is None:
        _err("evalkit report: give the export to read (or --list).")
        raise typer.Exit(EXIT_USAGE)
    if name is not None and name not in available_reports():
        _err(f"evalkit report: unknown report '{name}'.{_suggest(name, available_reports())} "
             f"Known: {', '.join(available_reports())}.")
        raise typer.Exit(EXIT_USAGE)
    output_format = _output_format(output_format, out, "report")
    from evalkit.report.render.words import rword

    if no_disclosure:
        _err(f"evalkit report (--no-disclosure): {rword('no_disclosure', lang.value)}")
    _check_format("report", output_format, out)
    options = _csv_options(encoding, delimiter, decimal, thousands, "report")
    _need_source("report", source)
    _check_key_file("report", pseudonym_key_file)
    suffix = {"markdown": "md", "terminal": "txt"}.get(output_format.value, output_format.value)
    _check_outputs(source, out, plots, output_format is ReportFormat.csv, force, example="report." + suffix)
    from evalkit.timing import Timings

    with Timings() as timings, _Progress(enabled=not quiet) as progress:
        try:
            progress.update(rword("status_reading", lang.value))
            export = read_export(source, mapping, csv_options=options,
                                 on_invalid="exclude" if exclude_invalid else "error",
                                 pseudonym_key_file=pseudonym_key_file)
        except InputError as exc:
            progress.stop()
            _invalid_export("invalid_no_report", source, exc.problems, lang.value)
            raise typer.Exit(EXIT_INVALID) from None
        try:
            progress.update(rword("status_computing", lang.value))
            report_options = ReportOptions(lang=lang.value, min_cell=min_cell, disclosure=not no_disclosure,
                                           extra=_parse_settings(settings or []), where=tuple(where or ()))
            if by is not None or period is not None:
                from evalkit.report._build.split import split_report

                split = split_report(export, name, report_options, by=by, period=period)
                progress.stop()
                _write_split(split, output_format.value, out, quiet)
                return
            built = build_report(export, name, report_options)
        except OptionError as exc:
            progress.stop()
            _err(f"evalkit report: --set: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
        except WhereError as exc:
            progress.stop()
            _err(f"evalkit report: {exc}" if str(exc).startswith("--") else f"evalkit report: --where: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
        except ValueError as exc:
            progress.stop()
            _err(f"evalkit report: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
        progress.update(rword("status_rendering", lang.value))
        text = _render(built, output_format.value, out)
        if plots is not None:
            progress.update(rword("status_plotting", lang.value))
            written = write_plots(built, plots, plot_format.value, inputs=_inputs(source))
    if text is not None:
        typer.echo(text, nl=False)
    elif out is not None and not quiet:
        _err(rword("status_wrote", lang.value, path=out))
    if plots is not None and not quiet:
        _err(rword("status_wrote_plots", lang.value, n=len(written), path=plots))
    if verbose:
        for line in export.ledger.lines(lang.value):
            _err("  " + line)
        for line in export.problems.summary_lines(lang.value):
            _err("  " + line)
        for name_, t in timings.as_dict().items():
            _err(f"time: {name_:<30} {t['seconds']:8.3f} s   peak RSS {t['peak_rss_mb']:8.1f} MB")


def _write_split(split, fmt: str, out: Path | None, quiet: bool) -> None:
    """Write (or print) one report per level and the comparison report: ``<out stem>-<level><suffix>``."""
    from evalkit.report.render.words import rword

    items = [(split.file_stem(level), rep) for level, rep in split.reports.items()]
    items.append(("sammenligning" if split.comparison.lang == "da" else "comparison", split.comparison))
    for stem, rep in items:
        path = None if out is None else out.with_name(f"{out.stem}-{stem}{out.suffix}")
        text = _render(rep, fmt, path)
        if text is not None:
            typer.echo(text, nl=False)
        elif path is not None and not quiet:
            _err(rword("status_wrote", split.comparison.lang, path=path))
    if not quiet:
        for level in split.left_out:
            _err(rword("status_left_out", split.comparison.lang, level=level))


def _check_outputs(source: Path, out: Path | None, plots: Path | None, folder_output: bool, force: bool,
                   example: str = "report", command: str = "report") -> None:
    """``--out`` and ``--plots``: never an input file, beside the input only with --force, writable, right kind."""
    from evalkit.io.atomic import OutputPathError, check_output_path, check_writable

    inputs = _inputs(source)
    for option, path, folder in (("--out", out, folder_output), ("--plots", plots, True)):
        if path is None:
            continue
        try:
            if option == "--plots":
                if path.exists() and not path.is_dir():
                    raise OutputPathError(f"{path} is a file; give a folder for the plots")
                check_output_path(path / "plot.png", inputs, force=force)
            else:
                check_output_path(path, inputs, folder_output=folder, force=force)
            check_writable(path / "plot.png" if option == "--plots" else path,
                           folder_output=folder and option == "--out", example=example)
        except OutputPathError as exc:
            raise _usage(command, f"{option}: {exc}.") from None


def _render(built, fmt: str, out: Path | None) -> str | None:
    """Render; a CSV folder is written to a temporary folder and swapped in whole (no stale tables)."""
    from evalkit.report.render import render

    if fmt == "pdf":
        from evalkit.report.render.pdf import PdfError, PdfUnavailable

        try:
            return render(built, fmt, out)
        except PdfUnavailable as exc:   # Chromium removed since the check before reading the export
            _err(f"evalkit: --format pdf: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
        except PdfError as exc:
            _err(f"evalkit: no PDF was written: {exc}")
            raise typer.Exit(EXIT_INVALID) from None
    if fmt != "csv" or out is None:
        return render(built, fmt, out)
    from evalkit.io.atomic import atomic_folder

    with atomic_folder(out) as tmp:
        render(built, fmt, tmp)
    return None


class _Progress:
    """A spinner on stderr for steps that take more than a second; silent when not a terminal."""

    def __init__(self, enabled: bool = True, delay: float = 1.0) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.delay = delay
        self._status: Status | None = None
        self._timer: threading.Timer | None = None
        self._message = ""

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def update(self, message: str) -> None:
        if not self.enabled:
            return
        self._message = message
        if self._status is not None:
            self._status.update(message)
        elif self._timer is None:
            import threading

            self._timer = threading.Timer(self.delay, self._start)
            self._timer.daemon = True
            self._timer.start()

    def _start(self) -> None:
        from rich.console import Console

        self._status = Console(stderr=True).status(self._message)
        self._status.start()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._status is not None:
            self._status.stop()
            self._status = None


def write_plots(report, folder: Path, fmt: str, inputs: list[Path] = ()) -> list[Path]:  # type: ignore[assignment]
    """Write every plot of the report as ``<table id>.<fmt>`` into ``folder``; an input file is never overwritten."""
    from evalkit.io.atomic import write_bytes
    from evalkit.report.plots import plot_png, plot_svg

    folder.mkdir(parents=True, exist_ok=True)
    protected = {p.resolve() for p in inputs}
    written = []
    for table in report.tables:
        data = (plot_png if fmt == "png" else plot_svg)(table, report.lang)
        if data is not None:
            path = folder / f"{table.id}.{fmt}"
            if path.resolve() in protected:
                raise _usage("report", f"--plots: {path} is an input file and is never overwritten; choose another "
                                       "folder.")
            write_bytes(path, data)
            written.append(path)
    return written


class ExportFormatOpt(str, Enum):
    csv = "csv"
    csv_utf8 = "csv-utf8"
    xlsx = "xlsx"
    parquet = "parquet"


@app.command()
def synth(
    out: Path = typer.Argument(..., help="Output folder (or .xlsx file for --format xlsx).", show_default=False),
    name: str = typer.Option(..., "--report", "-r", help="Dataset/report: udgaaende, ung-rusmidler or hcs."),
    persons: int | None = typer.Option(None, "--persons", "-n", min=1,
                                          help="Number of persons (default: the published-size sample)."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed (default: the generator's fixed seed)."),
    output_format: ExportFormatOpt = typer.Option(ExportFormatOpt.csv, "--format", "-f",
                                                  help="csv (;, decimal comma, cp1252), csv-utf8, xlsx or parquet."),
    tem_per_person: float | None = typer.Option(None, "--tem-per-person", min=1.0,
                                                   help="ung-rusmidler only: mean TEM forms per youth (default: "
                                                        "the seed's skewed counts)."),
) -> None:
    """Write a synthetic export with the published distributions, of any size.

    Examples:

      evalkit synth out/udg --report udgaaende

      evalkit synth out/big --report ung-rusmidler --persons 100000 --format parquet
    """
    from evalkit.io.writers import write_export
    from evalkit.synth import GENERATORS, generate

    if name not in GENERATORS:
        _err(f"evalkit synth: unknown report '{name}'.{_suggest(name, list(GENERATORS))} "
             f"Known: {', '.join(GENERATORS)}.")
        raise typer.Exit(EXIT_USAGE)
    extra = {"tem_per_person": tem_per_person} if tem_per_person is not None else {}
    if extra and name != "ung-rusmidler":
        _err("evalkit synth: --tem-per-person applies to --report ung-rusmidler only.")
        raise typer.Exit(EXIT_USAGE)
    tables = generate(name, persons, seed, **extra)
    paths = write_export(tables, out, output_format.value)
    for p in paths:
        _err(f"wrote {p}")


class VerifyFormat(str, Enum):
    text = "text"
    json = "json"
    junit = "junit"
    github = "github"


@app.command()
def verify(
    catalogues: list[str] | None = typer.Argument(
        None, help="Catalogue files (your own, same schema) or bundled names (000, 001, 004). Default: every "
                   "bundled catalogue of the export's report.", show_default=False),
    data: Path = typer.Option(..., "--data", "-d", help="The export to compute the figures from."),
    output_format: VerifyFormat = typer.Option(VerifyFormat.text, "--format", "-f",
                                               help="Output format: text, json, junit (JUnit XML) or github "
                                                    "(GitHub Actions annotations)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the output to this file (e.g. the "
                                          "JUnit XML for CI) instead of stdout; the counts still go to stderr."),
    mapping: Path | None = MappingOpt,
    exclude_invalid: bool = ExcludeOpt,
) -> None:
    """Compare computed values with the published figures; exit 1 on any unexpected difference.

    Every catalogued figure is checked: a reproducible figure must print as published, a known
    deviation must keep its recorded value, a figure pending a report cell is listed as pending.

    Examples:

      evalkit verify --data data/samples/udgaaende

      evalkit verify 004 --data data/samples/ung-rusmidler/export.xlsx --format json

      evalkit verify my_figures.yaml --data export/ --format junit --output verify.xml
    """
    from evalkit.io.atomic import write_text
    from evalkit.report.spec import ReportOptions, build_report, get_spec, report_for_dataset
    from evalkit.verify import CatalogueError, bundled_catalogues, check, load_catalogue, render, summary

    try:
        cats = [load_catalogue(c) for c in dict.fromkeys(catalogues or bundled_catalogues())]
    except CatalogueError as exc:
        _err(f"evalkit verify: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    _need_source("verify", data)
    try:
        export = read_export(data, mapping, on_invalid="exclude" if exclude_invalid else "error")
    except InputError as exc:
        _problems(f"{data}: the export is not valid; nothing was verified:", exc.problems)
        raise typer.Exit(EXIT_INVALID) from None
    if not catalogues:
        own = report_for_dataset(export.dataset)
        cats = [c for c in cats if c.report == own]
    if not cats:
        _err(f"evalkit verify: no catalogue for dataset '{export.dataset}'.")
        raise typer.Exit(EXIT_USAGE)
    results = []
    built = {}
    for cat in cats:
        try:
            dataset = get_spec(cat.report).dataset
        except KeyError:
            _err(f"evalkit verify: catalogue {cat.path} names report '{cat.report}', which evalkit does not have.")
            raise typer.Exit(EXIT_USAGE) from None
        if dataset != export.dataset:
            _err(f"evalkit verify: catalogue {cat.path} is for report '{cat.report}', not this export.")
            raise typer.Exit(EXIT_USAGE)
        if cat.report not in built:
            # Published figures are compared unsuppressed: the catalogue holds what was printed.
            built[cat.report] = build_report(export, cat.report, ReportOptions(disclosure=False))
        results += check(built[cat.report], cat)
    text = render(output_format.value, results, cats)
    counts = summary(results)
    if output is not None:
        write_text(output, text)
        _err(f"wrote {output}: {counts['pass']} pass, {counts['fail']} fail, {counts['known-deviation']} known "
             f"deviations, {counts['pending']} pending a report cell")
    else:
        typer.echo(text, nl=False)
    if counts["fail"]:
        raise typer.Exit(EXIT_INVALID)


@app.command("check-figures")
def check_figures(
    file: Path = typer.Argument(..., help="YAML or CSV of printed figures (label, printed, count, base, quantifier).",
                                show_default=False),
    output_format: TextOrJson = typer.Option(TextOrJson.text, "--format", "-f", help="Output format."),
) -> None:
    """Check printed figures without their data (counts, percentages, totals, verbal quantifiers).

    Checks the bases of (count, %) pairs, the feasible (k, n) of a % alone, partitions that must add
    up, and verbal quantifiers ("knap en tredjedel") against their value.

    Exit code 1 when any figure is inconsistent.

    Example:

      evalkit check-figures figures.yaml
    """
    from evalkit.verify import CatalogueError
    from evalkit.verify.check_figures import check_file

    try:
        findings = check_file(file)
    except (CatalogueError, OSError, ValueError) as exc:
        _err(f"evalkit check-figures: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    bad = sum(f.status == "inconsistent" for f in findings)
    if output_format is TextOrJson.json:
        typer.echo(json.dumps({"inconsistent": bad, "findings": [f.to_dict() for f in findings]}, ensure_ascii=False,
                              indent=2))
    else:
        for f in findings:
            typer.echo(f"{f.status:<13} {f.label}: {f.message}")
        typer.echo(f"{bad} inconsistent, {sum(f.status == 'ok' for f in findings)} ok, "
                   f"{sum(f.status == 'info' for f in findings)} for information ({len(findings)} checks)")
    if bad:
        raise typer.Exit(EXIT_INVALID)


@app.command()
def init(
    source: Path = SourceArg,
    out: Path = typer.Option(Path("mapping.yaml"), "--out", "-o", help="Where to write the proposed mapping."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing mapping file."),
    encoding: str | None = EncodingOpt,
    delimiter: str | None = DelimiterOpt,
    decimal: str | None = DecimalOpt,
    thousands: str | None = ThousandsOpt,
) -> None:
    """Propose a mapping file for an export whose names differ from the data dictionary.

    Every guess is commented; TODO lines need a decision. Then check it with validate.

    Example:

      evalkit init export_2019/ --out mapping.yaml && evalkit validate export_2019/ --mapping mapping.yaml
    """
    from evalkit.io.atomic import OutputPathError, check_output_path, check_writable, write_text
    from evalkit.io.propose import propose, render_mapping

    options = _csv_options(encoding, delimiter, decimal, thousands, "init")
    _need_source("init", source)
    if out.exists() and not force:
        raise _usage("init", f"--out: {out} exists; use --force to overwrite it.")
    try:
        check_output_path(out, _inputs(source), force=force)
        check_writable(out)
    except OutputPathError as exc:
        raise _usage("init", f"--out: {exc}.") from None
    try:
        guesses = propose(source, options)
    except InputError as exc:
        _problems(f"{source}: cannot be read:", exc.problems)
        raise typer.Exit(EXIT_INVALID) from None
    text = render_mapping(guesses)
    write_text(out, text)
    todo = text.rstrip().rsplit("\n", 1)[-1].split()[1]
    _err(f"wrote {out}: {sum(1 for g in guesses if g.table)} table(s) recognised, {todo} TODO item(s). "
         f"Next: evalkit validate {source} --mapping {out}")


@app.command("table")
def table_command(
    source: Path = typer.Argument(..., help="The export: a folder, one XLSX workbook, or one file.",
                                  show_default=False),
    rows: str = typer.Option(..., "--rows", help="The variable summarised in the rows: a column of the report's "
                             "unit (e.g. skoletype, alder) or a derived measure or profile by name."),
    cols: str | None = typer.Option(None, "--cols", help="A categorical variable giving one column per level."),
    stats: str | None = typer.Option(None, "--stats", help="Comma list: n,pct,ci for a category; "
                                        "n,mean,sd,median,iqr,ci,min,max for a number."),
    test: str = typer.Option("auto", "--test", help="auto (by the variable types), none, chi_square, trend, "
                             "mann_whitney or kruskal_wallis."),
    where: list[str] | None = typer.Option(None, "--where", help="A filter on the unit; repeatable."),
    output_format: ReportFormat | None = typer.Option(None, "--format", "-f",
                                                         help="Output format (default: from --out, else terminal)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output file (folder for csv)."),
    lang: Lang = typer.Option(Lang.da, "--lang", help="Language of labels and numbers."),
    min_cell: int = typer.Option(5, "--min-cell", min=1, help="Disclosure threshold: counts below it are suppressed."),
    force: bool = typer.Option(False, "--force", help="Allow --out in the folder that holds the input."),
    mapping: Path | None = MappingOpt,
    encoding: str | None = EncodingOpt,
    delimiter: str | None = DelimiterOpt,
    decimal: str | None = DecimalOpt,
    thousands: str | None = ThousandsOpt,
    exclude_invalid: bool = ExcludeOpt,
    pseudonym_key_file: Path | None = KeyFileOpt,
) -> None:
    """A custom table (crosstab or summary with a test) under the reports' disclosure control.

    Examples:

      evalkit table data/samples/udgaaende --rows skoletype --cols koen

      evalkit table data/samples/udgaaende --rows alder --cols skoletype --stats n,mean,sd,ci
    """
    from evalkit.report._build.custom import custom_table
    from evalkit.report._build.where import WhereError

    output_format = _output_format(output_format, out, "table")
    _check_format("table", output_format, out)
    # The same checks as `report`: a missing source or key file and an --out among the inputs are usage errors.
    csv_options = _csv_options(encoding, delimiter, decimal, thousands, "table")
    _need_source("table", source)
    _check_key_file("table", pseudonym_key_file)
    _check_outputs(source, out, None, output_format is ReportFormat.csv, force, example="table." + {
        "markdown": "md", "terminal": "txt"}.get(output_format.value, output_format.value), command="table")
    try:
        export = read_export(source, mapping, csv_options=csv_options,
                             on_invalid="exclude" if exclude_invalid else "error",
                             pseudonym_key_file=pseudonym_key_file)
    except InputError as exc:
        _invalid_export("invalid_no_table", source, exc.problems, lang.value)
        raise typer.Exit(EXIT_INVALID) from None
    try:
        built = custom_table(export, rows, cols, stats=stats, test=test, where=tuple(where or ()), lang=lang.value,
                             min_cell=min_cell)
    except WhereError as exc:
        _err(f"evalkit table: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    text = _render(built, output_format.value, out)
    if text is not None:
        typer.echo(text, nl=False)
    else:
        from evalkit.report.render.words import rword

        _err(rword("status_wrote", lang.value, path=out))


@app.command()
def dictionary(
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Print the data dictionary (every table, column, type and allowed value) as Markdown.

    Example:

      evalkit dictionary --out docs/data-dictionary.md
    """
    from evalkit.io.atomic import write_text
    from evalkit.io.dictdoc import render_markdown

    text = render_markdown()
    if out is None:
        typer.echo(text)
    else:
        write_text(out, text + "\n")


@app.command(hidden=True)
def docs(out: Path = typer.Option(Path("docs"), "--out", "-o", help="The docs folder.")) -> None:
    """Regenerate the reference pages and docs/reports.md from the code (a test keeps them in sync).

    Example:

      evalkit docs --out docs
    """
    from evalkit.docgen import write_docs

    for path in write_docs(out):
        _err(f"wrote {path}")


def _usage_error(exc) -> None:
    """Click's usage message, printed through :func:`_err` (a path in it may hold a CPR number)."""
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        _err(ctx.get_usage())
        if ctx.command.get_help_option(ctx) is not None:
            _err(f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help.")
    _err(f"Error: {exc.format_message()}")


def main() -> None:
    """Console entry point: run the app, turning any unexpected exception into a one-line error."""
    try:
        code = app(standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except MappingError as exc:
        _err(f"evalkit: --mapping: {exc}")
        sys.exit(EXIT_USAGE)
    except KeyFileError as exc:
        _err(f"evalkit: --pseudonym-key-file: {exc}")
        sys.exit(EXIT_USAGE)
    except InputError as exc:
        for line in exc.problems.summary_lines():
            _err(line)
        sys.exit(EXIT_INVALID)
    except Exception as exc:  # noqa: BLE001 - the analyst must never see a traceback
        if type(exc).__name__ == "Abort":
            _err("Aborted.")
            sys.exit(EXIT_INVALID)
        exit_code = getattr(exc, "exit_code", None)
        if hasattr(exc, "format_message") and isinstance(exit_code, int):
            _usage_error(exc)  # a usage error from the option parser (exit code 2)
            sys.exit(exit_code)
        if isinstance(exc, OSError) and exc.filename is not None:
            _err(f"evalkit: cannot write or read {exc.filename}: {exc.strerror or exc}; check --out and the "
                 "permissions of that folder")
            sys.exit(EXIT_USAGE)
        _err(f"evalkit: internal error ({type(exc).__name__}): {exc}")
        _err("Please report this with the command you ran (no data needed).")
        sys.exit(EXIT_INVALID)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
