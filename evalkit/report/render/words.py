"""Words only the renderers print (contents, workbook columns, plot axes), and the status lines of the
``report`` and ``table`` commands, in each report language (``--lang``).

The label packs (``evalkit/report/labels/*.yaml``) hold the words every format shares; these are the
layout words of the publication formats. :func:`rword` falls back to the label pack.

>>> rword("contents", "da"), rword("contents", "en")
('Indhold', 'Contents')
"""

from __future__ import annotations

from typing import Any

from evalkit.report.labels import word

RENDER_WORDS: dict[str, dict[str, str]] = {
    "da": {
        "contents": "Indhold",
        "tables": "Tabeller",
        "toc_hint": "Højreklik og vælg Opdater felt for at vise indholdsfortegnelsen.",
        "number_short": "Nr.",
        "sheet": "Ark",
        "title": "Titel",
        "file": "Fil",
        "input": "Datagrundlag",
        "fingerprint": "Fingeraftryk af tallene",
        "version": "evalkit-version",
        "back_to_contents": "Til indhold",
        "estimate_value": "Estimat, værdi",
        "estimate_low": "Estimat, 95 %-KI nedre",
        "estimate_high": "Estimat, 95 %-KI øvre",
        "effect_value": "Effektstørrelse, værdi",
        "effect_low": "Effektstørrelse, 95 %-KI nedre",
        "effect_high": "Effektstørrelse, 95 %-KI øvre",
        "remark": "Bemærkning",
        "multiplicity": "Multipel testning",
        "axis_share": "Andel (pct.)",
        "axis_mean": "Gennemsnit",
        "axis_median": "Median",
        "axis_count": "Antal personer",
        "axis_value": "Værdi",
        "axis_time": "Tidspunkt",
        "axis_group": "Gruppe",
        "n_tooltip": "n = {n}",
        "no_disclosure": ("ADVARSEL: diskretionering er slået fra; tabellerne kan vise små tal og må ikke "
                          "offentliggøres."),
        "status_reading": "Indlæser og validerer eksporten",
        "status_computing": "Beregner mål, tabeller og test",
        "status_rendering": "Skriver rapporten",
        "status_plotting": "Tegner figurerne",
        "status_wrote": "skrev {path}",
        "status_wrote_plots": "skrev {n} figur(er) til {path}",
        "status_left_out": "{level!r} er udeladt: færre enheder end diskretioneringsgrænsen",
    },
    "en": {
        "contents": "Contents",
        "tables": "Tables",
        "toc_hint": "Right-click and choose Update Field to show the table of contents.",
        "number_short": "No.",
        "sheet": "Sheet",
        "title": "Title",
        "file": "File",
        "input": "Input",
        "fingerprint": "Fingerprint of the numbers",
        "version": "evalkit version",
        "back_to_contents": "Back to contents",
        "estimate_value": "Estimate, value",
        "estimate_low": "Estimate, 95% CI lower",
        "estimate_high": "Estimate, 95% CI upper",
        "effect_value": "Effect size, value",
        "effect_low": "Effect size, 95% CI lower",
        "effect_high": "Effect size, 95% CI upper",
        "remark": "Remark",
        "multiplicity": "Multiple testing",
        "axis_share": "Share (%)",
        "axis_mean": "Mean",
        "axis_median": "Median",
        "axis_count": "Number of persons",
        "axis_value": "Value",
        "axis_time": "Time point",
        "axis_group": "Group",
        "n_tooltip": "n = {n}",
        "no_disclosure": ("WARNING: disclosure control is off; the tables may show small counts and must not be "
                          "published."),
        "status_reading": "Reading and validating the export",
        "status_computing": "Computing measures, tables and tests",
        "status_rendering": "Rendering",
        "status_plotting": "Drawing plots",
        "status_wrote": "wrote {path}",
        "status_wrote_plots": "wrote {n} plot(s) to {path}",
        "status_left_out": "left out {level!r}: fewer units than the disclosure threshold",
    },
}


def rword(key: str, lang: str, **kwargs: Any) -> str:
    """A renderer word in ``lang`` (``"en"`` or Danish), else the label pack's word for ``key``."""
    words = RENDER_WORDS["en" if lang == "en" else "da"]
    if key not in words:
        return word(key, lang, **kwargs)
    text = words[key]
    return text.format(**kwargs) if kwargs else text
